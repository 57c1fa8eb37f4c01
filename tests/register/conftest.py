"""Helpers for the breach-workflow tests: signed-in clients per role and a breach in any stage."""
from __future__ import annotations

from datetime import timedelta

import pytest

from lekwijzer.db import utcnow

LOCAL_FMT = "%Y-%m-%dT%H:%M"


def iso(moment) -> str:
    return moment.isoformat()


def local(moment) -> str:
    """A moment as an HTML datetime-local field sends it (Dutch time)."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/Amsterdam")).strftime(LOCAL_FMT)


FACTS = {
    "title": "Rapportage naar verkeerde ontvanger", "incident_type": "sent_by_mistake",
    "cause": "internal_non_malicious", "cause_description": "Adres automatisch aangevuld.",
    "what_happened": "Een rapportage over een jeugdige is naar een verkeerde externe ontvanger gemaild.",
    "nature": ["confidentiality"], "confidentiality_level": "known_recipients", "unintelligible": "no",
    "measures_in_place": ["policies", "training"],
}
PEOPLE = {"subject_categories": ["child_client", "parent_guardian"], "data_categories": ["health", "name_address"],
          "persons_count_mode": "exact", "persons_min": 2, "persons_max": 2, "records_count": 2}
CONSEQUENCES = {"consequences": "Een externe ontvanger kon gevoelige informatie over een kind lezen.",
                "impacts": ["loss_of_control"], "impact_severity": "severe",
                "ended_how": "De ontvanger heeft bevestigd de e-mail te hebben verwijderd."}
ASSESSMENT = {"dpc_adjustment": 0, "ease_of_identification": "1", "malicious": False,
              "risk_outcome": "high_risk", "risk_reasoning": "Gezondheidsgegevens van een kind bij een onbevoegde."}
NOTIFIER = {"notifier_name": "Priya Privacy", "notifier_function": "Privacy officer", "notifier_phone": "030 123 45 67"}


class Flow:
    """Drive the workflow through the API (the same schemas as the forms)."""

    def __init__(self, app, world, api, login):
        self.app, self.world, self._api, self._login = app, world, api, login
        self.apis, self.webs = {}, {}

    def api(self, role):
        if role not in self.apis:
            self.apis[role] = self._api(self.app, self.world, "a", role)
        return self.apis[role]

    def web(self, role):
        if role not in self.webs:
            web = self._login(self.app, self.world.user("a", role))
            web.get("/o/org-a/")  # a page of the new session, for its CSRF token
            self.webs[role] = web
        return self.webs[role]

    def form(self, role, url, items):
        """POST a form with repeated fields (checkboxes) as a browser does."""
        from werkzeug.datastructures import MultiDict

        web = self.web(role)
        return web._remember_csrf(web.client.post(url, data=MultiDict(list(items) + [("csrf_token", web.csrf)])))

    def ok(self, response, status=(200, 201, 204)):
        assert response.status_code in ((status,) if isinstance(status, int) else status), \
            (response.status_code, response.get_data(as_text=True)[:2000])
        return response.get_json() if response.data and response.is_json else None

    def incident(self, hours_ago=3, **extra):
        body = {"what_happened": "Rapport over een kind per ongeluk naar een verkeerde ontvanger gemaild.",
                "noticed_at": iso(utcnow() - timedelta(hours=hours_ago)), "people_estimate": "2-10", **extra}
        return self.ok(self.api("reporter").post("/api/v1/incidents", json=body), 201)

    def breach(self, stage="triaged", aware_hours_ago=2, **kw):
        """A breach as far as `stage`: triaged, facts, people, assessed, advised, decided, notified."""
        incident = self.incident(hours_ago=aware_hours_ago + 1)
        out = self.ok(self.api("privacy_officer").post(f"/api/v1/incidents/{incident['id']}/triage", json={
            "outcome": "breach", "title": "Rapport naar verkeerde ontvanger",
            "aware_at": iso(utcnow() - timedelta(hours=aware_hours_ago))}))
        bid = out["breach_id"]
        po = self.api("privacy_officer")
        order = ["triaged", "facts", "people", "assessed", "advised", "decided", "notified"]
        upto = order.index(stage)
        if upto >= 1:
            self.ok(po.put(f"/api/v1/breaches/{bid}/facts", json={**FACTS, **kw.get("facts", {})}))
        if upto >= 2:
            self.ok(po.put(f"/api/v1/breaches/{bid}/people", json={**PEOPLE, **kw.get("people", {})}))
        if upto >= 3:
            self.ok(po.post(f"/api/v1/breaches/{bid}/assessments", json={**ASSESSMENT, **kw.get("assessment", {})}), 201)
        if upto >= 4:
            self.ok(self.api("fg").post(f"/api/v1/breaches/{bid}/fg-advice", json={
                "advise_notify_ap": True, "advise_inform_subjects": True,
                "advice": "Melden bij de AP en de ouders informeren."}), 201)
        if upto >= 5:
            self.ok(self.api("board").post(f"/api/v1/breaches/{bid}/decisions/notify-ap", json={
                "choice": "yes", "reasoning": "Hoog risico voor het kind: melden."}), 201)
        if upto >= 6:
            self.ok(po.post(f"/api/v1/breaches/{bid}/ap-notifications", json={
                "kind": "initial", "sub_type": "complete", "ap_reference": "2026-1234567",
                "submitted_at": iso(utcnow() - timedelta(minutes=5)), **NOTIFIER}), 201)
        return bid

    def get(self, bid):
        return self.ok(self.api("privacy_officer").get(f"/api/v1/breaches/{bid}"))


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """The test world hashes ~30 passwords with scrypt (0.3 s each) per test; the register's
    tests do not test hashing, so they use a cheap PBKDF2 (verification reads the method)."""
    import lekwijzer.models.user as user_module
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(user_module, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(password, method="pbkdf2:sha256:1000"))


@pytest.fixture
def flow(app, world, api, login):
    return Flow(app, world, api, login)


def _activity(flow):
    body = {"name": "Jeugdhulpverlening", "purpose": "Hulp aan jeugdigen en dossiervoering",
            "data_categories": ["health", "name_address", "family_situation"],
            "subject_categories": ["child_client", "parent_guardian"]}
    return flow.ok(flow.api("tenant_admin").post("/api/v1/processing-activities", json=body), 201)["id"]


@pytest.fixture
def activity_id(flow):
    return _activity(flow)


@pytest.fixture
def complete_breach(flow, activity_id):
    return _complete_breach(flow, activity_id)


@pytest.fixture
def complete_breach_pg(pg_flow):
    return _complete_breach(pg_flow, _activity(pg_flow))


def _complete_breach(flow, activity_id):
    """A breach with everything recorded except what a test leaves out."""
    def make(processor=False, with_party=True, decisions=True, exempt_c=False):
        bid = flow.breach("advised", facts={"processing_activity_id": activity_id})
        po, board = flow.api("privacy_officer"), flow.api("board")
        from datetime import datetime

        aware = datetime.fromisoformat(flow.get(bid)["aware_at"])
        timeline = {"occurrence_mode": "specific_day", "occurred_from": iso(aware - timedelta(hours=4)),
                    "discovery_source": "processor" if processor else "controller",
                    "discovered_at": iso(aware - timedelta(hours=1)), "aware_at": iso(aware),
                    "contained_at": iso(aware + timedelta(minutes=20)), "ended_at": iso(aware + timedelta(minutes=50))}
        if processor:
            timeline["processor_notified_controller_at"] = iso(aware - timedelta(minutes=30))
        flow.ok(po.put(f"/api/v1/breaches/{bid}/timeline", json=timeline))
        flow.ok(po.put(f"/api/v1/breaches/{bid}/consequences", json=CONSEQUENCES))
        flow.ok(po.put(f"/api/v1/breaches/{bid}/prevention", json={"prevention_notes": "Automatisch aanvullen van adressen uitgezet."}))
        flow.ok(po.post(f"/api/v1/breaches/{bid}/measures", json={
            "kind": "corrective", "title": "Ontvanger liet de e-mail verwijderen", "status": "done"}), 201)
        for step in ("contain", "investigate", "prevent_recurrence"):
            flow.ok(po.post(f"/api/v1/breaches/{bid}/steps", json={"step": step}), 201)
        if processor and with_party:
            flow.ok(po.post(f"/api/v1/breaches/{bid}/parties", json={"role": "processor", "name": "Leverancier"}), 201)
        if decisions:
            flow.ok(board.post(f"/api/v1/breaches/{bid}/decisions/notify-ap", json={
                "choice": "yes", "reasoning": "Hoog risico voor het kind: melden."}), 201)
            flow.ok(po.post(f"/api/v1/breaches/{bid}/ap-notifications", json={
                "kind": "initial", "sub_type": "complete", "ap_reference": "2026-3333333",
                "submitted_at": iso(utcnow() - timedelta(minutes=4)), **NOTIFIER}), 201)
            if exempt_c:
                flow.ok(board.post(f"/api/v1/breaches/{bid}/decisions/inform-subjects", json={
                    "choice": "exempt", "art34_ground": "c_disproportionate_effort",
                    "art34_justification": "Oud-cliënten zijn niet meer individueel te bereiken.",
                    "art34_evidence": "Analyse van de getroffen dossiers.", "reasoning": "Openbare mededeling in plaats van brieven.",
                    "deviation_reason": "Individueel informeren is onevenredig."}), 201)
            else:
                flow.ok(board.post(f"/api/v1/breaches/{bid}/decisions/inform-subjects", json={
                    "choice": "inform", "reasoning": "Ouders per brief informeren."}), 201)
                flow.ok(po.post(f"/api/v1/breaches/{bid}/communications", json={
                    "channel": "individual", "sent_at": iso(utcnow() - timedelta(minutes=3)),
                    "to_legal_representatives": True, "all_subjects_reached": True,
                    "content": "Brief aan de ouders met uitleg, de gevolgen, de maatregelen en een contactpersoon.",
                    "proof": "Archief 2026-04", "covers_contact_point": True, "covers_consequences": True,
                    "covers_measures": True}), 201)
        return bid
    return make


@pytest.fixture
def pg_flow(pg_app, pg_world, api, login):
    return Flow(pg_app, pg_world, api, login)
