"""The breach workflow as people use it: intake, triage, the processing register, decisions
and mandates, notifications, communication, the checklist, measures, closing, audit."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from babel.dates import format_date

from lekwijzer.db import utcnow

from .conftest import ASSESSMENT, iso, local


def _audit_actions(app, org_id) -> list[str]:
    from lekwijzer.db import db
    from lekwijzer.models import AuditEvent
    from lekwijzer.tenancy import tenant_scope

    with app.app_context(), tenant_scope(org_id):
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.seq)))


# --- Intake and my reports --------------------------------------------------------------------------

def test_any_member_reports_in_two_fields_from_any_page_and_follows_the_status(flow):
    reporter = flow.web("reporter")
    home = reporter.get("/o/org-a/").get_data(as_text=True)
    assert 'href="/o/org-a/incidents/new"' in home and "Incident melden" in home  # the header action
    page = reporter.get("/o/org-a/incidents/new").get_data(as_text=True)
    noticed = re.search(r'name="noticed_at" type="datetime-local" value="([^"]+)"', page).group(1)
    assert noticed  # prefilled with now: only "what happened" is left to type
    response = reporter.post("/o/org-a/incidents/new", data={
        "what_happened": "Een brief met een beschikking is naar een oud adres gestuurd.", "noticed_at": noticed})
    assert response.status_code == 302 and "/incidents/mine" in response.headers["Location"]
    mine = reporter.get("/o/org-a/incidents/mine").get_data(as_text=True)
    assert "Een brief met een beschikking" in mine and "Gemeld, wacht op beoordeling" in mine
    incident_id = re.search(r'/o/org-a/incidents/([0-9a-f-]{36})', mine).group(1)
    # The privacy officer triages; the reporter sees the outcome and the reference, not the breach.
    flow.ok(flow.api("privacy_officer").post(f"/api/v1/incidents/{incident_id}/triage", json={
        "outcome": "breach", "title": "Beschikking naar oud adres", "aware_at": iso(utcnow())}))
    mine = reporter.get("/o/org-a/incidents/mine").get_data(as_text=True)
    assert "Datalek (in het datalekregister)" in mine and re.search(r"DL-\d{4}-001", mine)
    own = reporter.get(f"/o/org-a/incidents/{incident_id}")
    assert own.status_code == 200
    link = re.search(r'/o/org-a/breaches/([0-9a-f-]{36})', flow.web("privacy_officer").get(
        f"/o/org-a/incidents/{incident_id}").get_data(as_text=True)).group(1)
    assert reporter.get(f"/o/org-a/breaches/{link}").status_code == 403


def test_reporters_see_only_their_own_reports(flow, world, login, app):
    incident = flow.incident()  # reported through the reporter's API token
    other = login(app, world.user("a", "tenant_admin"))
    assert other.get(f"/o/org-a/incidents/{incident['id']}").status_code == 403
    assert incident["what_happened"] not in other.get("/o/org-a/incidents/mine").get_data(as_text=True)
    mine = flow.ok(flow.api("reporter").get("/api/v1/incidents/mine"))
    assert [i["id"] for i in mine] == [incident["id"]]
    assert flow.ok(flow.api("tenant_admin").get("/api/v1/incidents/mine")) == []


# --- Triage -------------------------------------------------------------------------------------------

def test_triage_as_breach_creates_a_register_entry_with_the_next_reference(flow, app, world):
    first, second = flow.breach("triaged"), flow.breach("triaged")
    year = utcnow().year
    assert flow.get(first)["reference"] == f"DL-{year}-001"
    assert flow.get(second)["reference"] == f"DL-{year}-002"
    breach = flow.get(first)
    assert [s["step"] for s in breach["steps"]] == ["establish"]  # step 1, by whom and when
    assert breach["clock"]["code"] == "running"
    actions = _audit_actions(app, world.orgs["a"].id)
    assert actions.count("incident.triaged") == 2 and actions.count("breach.created") == 2


def test_not_a_breach_stays_in_the_incident_log_with_a_reason(flow, app, world):
    incident = flow.incident()
    po = flow.web("privacy_officer")
    response = po.post(f"/o/org-a/incidents/{incident['id']}/triage", data={"outcome": "not_breach"})
    assert response.status_code == 422 and "Geef aan waarom dit geen datalek is" in response.get_data(as_text=True)
    response = po.post(f"/o/org-a/incidents/{incident['id']}/triage", data={
        "outcome": "not_breach", "reason": "Phishingmail zonder klik; geen persoonsgegevens geraakt."})
    assert response.status_code == 302
    result = flow.ok(flow.api("privacy_officer").get(f"/api/v1/incidents/{incident['id']}"))
    assert result["status"] == "not_breach" and result["breach_id"] is None
    from tenants.register.models import Breach
    from .harness import rows

    assert rows(app, world.orgs["a"].id, Breach) == 0
    assert "incident.triaged" in _audit_actions(app, world.orgs["a"].id)
    # Triage happens once.
    again = flow.api("privacy_officer").post(f"/api/v1/incidents/{incident['id']}/triage", json={
        "outcome": "breach", "title": "x", "aware_at": iso(utcnow())})
    assert again.status_code == 409


def test_only_the_privacy_officer_triages(flow):
    incident = flow.incident()
    for role in ("reporter", "fg", "board", "tenant_admin", "auditor"):
        answer = flow.api(role).post(f"/api/v1/incidents/{incident['id']}/triage", json={"outcome": "not_breach",
                                                                                        "reason": "Geen datalek."})
        assert answer.status_code == 403, role


# --- The processing register ------------------------------------------------------------------------------

def test_the_tenant_admin_keeps_the_processing_register_and_breaches_are_offered_its_categories(flow, activity_id):
    admin = flow.web("tenant_admin")
    response = flow.form("tenant_admin", "/o/org-a/processing/new", [
        ("name", "Pleegzorg"), ("purpose", "Werving en begeleiding van pleegouders"),
        ("data_categories__present", "1"), ("data_categories", "contact"),
        ("subject_categories__present", "1"), ("subject_categories", "foster_parent"), ("active", "1")])
    assert response.status_code == 302
    assert "Pleegzorg" in admin.get("/o/org-a/processing").get_data(as_text=True)
    assert flow.api("privacy_officer").post("/api/v1/processing-activities", json={
        "name": "x", "purpose": "xxxxx", "data_categories": ["contact"], "subject_categories": ["employee"]}).status_code == 403
    bid = flow.breach("facts", facts={"processing_activity_id": activity_id})
    people = flow.web("privacy_officer").get(f"/o/org-a/breaches/{bid}/edit/people").get_data(as_text=True)
    assert "Gekoppeld aan Jeugdhulpverlening" in people and "in het verwerkingsregister" in people
    # A kind of data outside the activity is a warning that the processing register may be incomplete.
    flow.ok(flow.api("privacy_officer").put(f"/api/v1/breaches/{bid}/people", json={
        "subject_categories": ["employee"], "data_categories": ["financial"], "persons_count_mode": "exact",
        "persons_min": 1, "persons_max": 1}))
    assert "categories_outside_activity" in {w["kind"] for w in flow.get(bid)["warnings"]}
    # An activity of another organisation cannot be linked.
    import uuid
    answer = flow.api("privacy_officer").put(f"/api/v1/breaches/{bid}/facts", json={
        "title": "t", "incident_type": "other", "cause": "unknown", "what_happened": "Iets is misgegaan hier.",
        "nature": ["availability"], "availability_level": "temporary", "processing_activity_id": str(uuid.uuid4())})
    assert answer.status_code == 422


# --- FG advice, decisions, mandates --------------------------------------------------------------------------

def test_the_fg_advises_and_the_board_decides(flow):
    bid = flow.breach("assessed")
    assert flow.api("board").post(f"/api/v1/breaches/{bid}/fg-advice", json={
        "advise_notify_ap": True, "advise_inform_subjects": True, "advice": "Melden en informeren."}).status_code == 403
    flow.ok(flow.api("fg").post(f"/api/v1/breaches/{bid}/fg-advice", json={
        "advise_notify_ap": True, "advise_inform_subjects": True, "advice": "Melden en informeren."}), 201)
    for role in ("fg", "privacy_officer", "auditor", "reporter"):
        assert flow.api(role).post(f"/api/v1/breaches/{bid}/decisions/notify-ap", json={
            "choice": "yes", "reasoning": "Hoog risico: melden."}).status_code == 403, role
    decision = flow.ok(flow.api("board").post(f"/api/v1/breaches/{bid}/decisions/notify-ap", json={
        "choice": "yes", "reasoning": "Hoog risico: melden."}), 201)
    assert decision["decided_role"] == "board" and decision["fg_advice_followed"] is True
    page = flow.web("fg").get(f"/o/org-a/breaches/{bid}").get_data(as_text=True)
    assert "Als FG adviseert u" in page and f"/breaches/{bid}/decision/" not in page


def test_a_new_decision_supersedes_the_old_one_which_is_kept(flow):
    bid = flow.breach("decided")
    flow.ok(flow.api("privacy_officer").post(f"/api/v1/breaches/{bid}/assessments", json={
        **ASSESSMENT, "risk_outcome": "unlikely_risk", "risk_reasoning": "De ontvanger bleek een collega."}), 201)
    flow.ok(flow.api("board").post(f"/api/v1/breaches/{bid}/decisions/notify-ap", json={
        "choice": "no", "reasoning": "Na onderzoek geen risico.", "override_note": "Bekende ontvanger.",
        "deviation_reason": "Nieuwe feiten."}), 201)
    decisions = [d for d in flow.get(bid)["decisions"] if d["kind"] == "notify_ap"]
    assert len(decisions) == 2 and decisions[0]["superseded_at"] and not decisions[1]["superseded_at"]
    breach = flow.get(bid)
    assert breach["notify_ap"] is False and breach["no_notification_reasoning"] == "Na onderzoek geen risico."
    assert breach["clock"]["code"] == "not_required"
    assert "notify_ap" in [s["step"] for s in breach["steps"]]  # step 4: recorded why not


def test_a_board_member_mandates_a_manager_who_may_then_decide(flow, world, app, login):
    bid = flow.breach("advised")
    manager = world.user("a", "reporter")  # a member without a role that decides
    board = flow.web("board")
    today = utcnow().date()
    response = flow.form("board", "/o/org-a/mandates", [
        ("grantee_id", str(world.user("a", "fg").id)), ("scope__present", "1"), ("scope", "notify_ap"),
        ("valid_from", today.isoformat()), ("valid_until", (today + timedelta(days=10)).isoformat())])
    assert response.status_code == 422 and "De FG adviseert en houdt toezicht" in response.get_data(as_text=True)
    assert flow.web("reporter").get(f"/o/org-a/breaches/{bid}/decision/notify_ap").status_code == 403
    response = flow.form("board", "/o/org-a/mandates", [
        ("grantee_id", str(manager.id)), ("scope__present", "1"), ("scope", "notify_ap"),
        ("valid_from", today.isoformat()), ("valid_until", (today + timedelta(days=10)).isoformat()),
        ("note", "Tijdens de vakantie van het bestuur")])
    assert response.status_code == 302
    web = flow.web("reporter")
    assert web.get(f"/o/org-a/breaches/{bid}").status_code == 200
    assert web.get(f"/o/org-a/breaches/{bid}/decision/inform_subjects").status_code == 403  # not in the mandate
    response = web.post(f"/o/org-a/breaches/{bid}/decision/notify_ap", data={
        "choice": "yes", "reasoning": "Hoog risico; namens het bestuur gemeld."})
    assert response.status_code == 302
    decision = [d for d in flow.get(bid)["decisions"] if d["kind"] == "notify_ap"][-1]
    assert decision["decided_role"] == "mandated_manager" and decision["mandate_id"]
    mandates = flow.ok(flow.api("board").get("/api/v1/decision-mandates"))
    flow.ok(flow.api("board").post(f"/api/v1/decision-mandates/{mandates[0]['id']}/revoke", json={}))
    assert web.get(f"/o/org-a/breaches/{bid}/decision/notify_ap").status_code == 403


# --- Notifications to the AP ---------------------------------------------------------------------------------

def test_the_notification_keeps_a_frozen_copy_and_the_sheet_follows_the_ap_form(flow):
    bid = flow.breach("notified")
    sheet = flow.ok(flow.api("privacy_officer").get(f"/api/v1/breaches/{bid}/ap-sheet"))
    assert [s["number"] for s in sheet["sections"]] == list(range(10))
    assert sheet["payload"]["0"]["regulation"] == "AVG" and sheet["payload"]["2"]["aware_at"]
    sent = flow.get(bid)["ap_notifications"][0]
    assert sent["payload"]["3"]["summary"].startswith("Een rapportage over een jeugdige")
    from .conftest import FACTS
    flow.ok(flow.api("privacy_officer").put(f"/api/v1/breaches/{bid}/facts", json={
        **FACTS, "what_happened": "Nieuwe feiten: de rapportage ging naar twee ontvangers."}))
    again = flow.get(bid)["ap_notifications"][0]
    assert again["payload"] == sent["payload"]  # what was sent does not change
    assert flow.ok(flow.api("privacy_officer").get(f"/api/v1/breaches/{bid}/ap-sheet"))["payload"]["3"]["summary"]\
        .startswith("Nieuwe feiten")
    page = flow.web("privacy_officer").get(f"/o/org-a/breaches/{bid}/ap-notifications/{sent['id']}").get_data(as_text=True)
    assert "vastgelegde kopie" in page and "Een rapportage over een jeugdige" in page
    assert "Op grond van welke regelgeving doet u deze melding?" in flow.web("privacy_officer").get(
        f"/o/org-a/breaches/{bid}/ap-sheet").get_data(as_text=True)


# --- Communication, crisis communication, checklist, measures ----------------------------------------------------

def test_communication_timeline_checklist_and_measures(flow, world):
    bid = flow.breach("notified")
    po = flow.api("privacy_officer")
    flow.ok(flow.api("board").post(f"/api/v1/breaches/{bid}/decisions/inform-subjects", json={
        "choice": "inform", "reasoning": "Ouders informeren per brief.", "planned_on": utcnow().date().isoformat()}), 201)
    assert flow.get(bid)["subject_communication_status"] == "planned_date"
    for group in ("clients", "staff", "partners", "commissioners", "public", "press"):
        flow.ok(po.post(f"/api/v1/breaches/{bid}/crisis-messages", json={
            "stakeholder": group, "at": iso(utcnow() - timedelta(minutes=1)), "channel": "website",
            "summary": f"Bericht aan {group}."}), 201)
    flow.ok(po.post(f"/api/v1/breaches/{bid}/communications", json={
        "channel": "individual", "sent_at": iso(utcnow() - timedelta(minutes=2)), "to_legal_representatives": True,
        "reach_count": 2, "all_subjects_reached": True, "proof": "Archief",
        "content": "Brief aan de ouders met uitleg, gevolgen, maatregelen en een contactpersoon.",
        "covers_contact_point": True, "covers_consequences": True, "covers_measures": True}), 201)
    breach = flow.get(bid)
    assert breach["subject_communication_status"] == "done" and breach["subjects_informed_at"]
    assert {"establish", "notify_ap", "inform_subjects"} <= {s["step"] for s in breach["steps"]}
    assert po.post(f"/api/v1/breaches/{bid}/steps", json={"step": "establish"}).status_code == 409
    web = flow.web("privacy_officer")
    response = web.post(f"/o/org-a/breaches/{bid}/steps/contain", data={"done_at": local(utcnow()), "note": "Ontvanger gebeld"})
    assert response.status_code == 302
    owner = world.user("a", "auditor")
    measure = flow.ok(po.post(f"/api/v1/breaches/{bid}/measures", json={
        "kind": "preventive", "title": "Automatisch aanvullen uitzetten", "owner_id": str(owner.id),
        "due_date": (utcnow().date() + timedelta(days=30)).isoformat()}), 201)
    # The owner updates their own measure without managing the register.
    owner_web = flow.web("auditor")
    response = owner_web.post(f"/o/org-a/measures/{measure['id']}", data={
        "kind": "preventive", "title": "Automatisch aanvullen uitzetten", "owner_id": str(owner.id),
        "status": "done", "due_date": (utcnow().date() + timedelta(days=30)).isoformat()})
    assert response.status_code == 302
    done = flow.ok(po.get(f"/api/v1/measures/{measure['id']}"))
    assert done["status"] == "done" and done["done_at"]
    page = web.get(f"/o/org-a/breaches/{bid}").get_data(as_text=True)
    for text in ("Cliënten en hun gezinnen", "De pers", "Opdrachtgevende gemeenten", "Ontvanger gebeld",
                 "Automatisch aanvullen uitzetten", "iedereen bereikt"):
        assert text in page, text
    due = utcnow().date() + timedelta(days=30)
    assert format_date(due, "medium", locale="nl") in page  # a Dutch date, as everywhere else on the page
    assert due.isoformat() not in page


# --- Closing ----------------------------------------------------------------------------------------------------

def test_closing_and_reopening(flow, complete_breach, app, world):
    bid = complete_breach()
    assert flow.get(bid)["missing"] == []
    flow.ok(flow.api("privacy_officer").post(f"/api/v1/breaches/{bid}/close", json={}))
    breach = flow.get(bid)
    assert breach["status"] == "closed" and breach["closed_at"]
    # Closed means closed: no changes until reopened.
    from .conftest import CONSEQUENCES
    assert flow.api("privacy_officer").put(f"/api/v1/breaches/{bid}/consequences", json=CONSEQUENCES).status_code == 409
    response = flow.web("privacy_officer").post(f"/o/org-a/breaches/{bid}/edit/consequences", data=CONSEQUENCES)
    assert response.status_code == 302 and flow.get(bid)["status"] == "closed"
    flow.ok(flow.api("privacy_officer").post(f"/api/v1/breaches/{bid}/reopen", json={}))
    assert flow.get(bid)["status"] == "open"
    actions = _audit_actions(app, world.orgs["a"].id)
    for action in ("incident.reported", "incident.triaged", "breach.created", "breach.facts_updated",
                   "breach.people_updated", "breach.timeline_updated", "breach.consequences_updated",
                   "breach.prevention_updated", "breach.assessed", "breach.fg_advice", "breach.decided",
                   "breach.ap_notification", "breach.communication", "breach.step_done", "measure.created",
                   "breach.closed", "breach.reopened", "processing_activity.created"):
        assert action in actions, action


def test_the_missing_list_links_to_the_section_to_fill_in(flow):
    bid = flow.breach("triaged")
    page = flow.web("privacy_officer").get(f"/o/org-a/breaches/{bid}").get_data(as_text=True)
    missing = page.split('id="missing"', 1)[1].split("</section>", 1)[0]
    assert f'href="/o/org-a/breaches/{bid}/edit/consequences">Beschrijf de gevolgen voor de betrokkenen.' in missing
    assert "Handeling" not in missing and "Stap nog niet gedaan: 2. Datalek stoppen en inperken" in missing


# --- Languages ----------------------------------------------------------------------------------------------------

def test_pages_in_dutch_and_english(flow, world):
    bid = flow.breach("notified")
    web = flow.web("privacy_officer")
    urls = [f"/o/org-a/breaches/{bid}", f"/o/org-a/breaches/{bid}/assessment", f"/o/org-a/breaches/{bid}/ap-sheet",
            "/o/org-a/incidents/new", "/o/org-a/incidents/mine", "/o/org-a/processing", "/o/org-a/mandates",
            f"/o/org-a/breaches/{bid}/communications/new", f"/o/org-a/breaches/{bid}/crisis-messages/new",
            f"/o/org-a/breaches/{bid}/parties/new", f"/o/org-a/breaches/{bid}/measures/new",
            f"/o/org-a/breaches/{bid}/steps/contain", f"/o/org-a/breaches/{bid}/ap-notifications/new"] + \
        [f"/o/org-a/breaches/{bid}/edit/{s}" for s in ("facts", "people", "timeline", "consequences", "prevention")]
    for url in urls:
        page = web.get(url)
        assert page.status_code == 200 and 'lang="nl"' in page.get_data(as_text=True), url
    assert "72-uurstermijn" in web.get(urls[0]).get_data(as_text=True)
    web.post("/lang", data={"lang": "en", "next": urls[0]})
    for url in urls:
        page = web.get(url)
        assert page.status_code == 200 and 'lang="en"' in page.get_data(as_text=True), url
    english = web.get(urls[0]).get_data(as_text=True)
    assert "72-hour clock" in english and "Notifications to the AP" in english
    for role, url in (("fg", f"/o/org-a/breaches/{bid}/fg-advice"), ("board", f"/o/org-a/breaches/{bid}/decision/inform_subjects"),
                      ("tenant_admin", "/o/org-a/processing/new"), ("board", "/o/org-a/")):
        assert flow.web(role).get(url).status_code == 200, (role, url)
