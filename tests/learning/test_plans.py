"""Improvement plans: recommendations, measures with owners and due dates, evidence, status history."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import sqlalchemy as sa

from lekwijzer.db import db
from tests.learning.conftest import audit_actions, count

PLANS = "/o/org-a/learning/plans"


def _plan_form(**over):
    data = {"shared_title": "Verbeterplan na onderzoek COT", "source": "external_investigation",
            "source_reference": "Rapport COT, september 2019", "description": "intern",
            "started_on": "2026-01-15", "target_date": "2026-12-31", "status": "active",
            "shared_with_commissioners": "1", "shared_with_commissioners__present": "1"}
    data.update(over)
    return data


def _create_plan(client):
    r = client.post(PLANS, _plan_form())
    assert r.status_code == 302, r.get_data(as_text=True)[:400]
    return r.headers["Location"]


def test_a_plan_is_built_from_recommendations_and_measures(app, world, client_on, in_tenant):
    from tenants.learning.models import ImprovementPlan, PlanRecommendation, RecommendationMeasure, StatusChange
    from tenants.register.models import Measure

    c = client_on("a", "privacy_officer", PLANS)
    detail = _create_plan(c)
    owner = world.user("a", "privacy_officer").id
    assert c.post(detail + "/recommendations", {"shared_title": "Verstevig het risicobeheer"}).status_code == 302
    with in_tenant():
        rec_id = db.session.scalar(sa.select(PlanRecommendation.id))
    r = c.post(f"/o/org-a/learning/recommendations/{rec_id}/measures", {
        "title": "Risicoanalyse crisistool", "kind": "preventive", "due_date": (date.today() + timedelta(days=30)).isoformat(),
        "owner_id": str(owner), "target_incident_type": "sent_by_mistake", "description": "intern detail"})
    assert r.status_code == 302
    page = c.get(detail).get_data(as_text=True)
    assert "Verbeterplan na onderzoek COT" in page and "Verstevig het risicobeheer" in page
    assert "Risicoanalyse crisistool" in page and "0 van 1 maatregelen" in page
    with in_tenant():
        plan = db.session.scalar(sa.select(ImprovementPlan))
        measure = db.session.scalar(sa.select(Measure))
        link = db.session.scalar(sa.select(RecommendationMeasure))
        assert (plan.status, plan.source, plan.started_on) == ("active", "external_investigation", date(2026, 1, 15))
        assert (measure.status, measure.owner_id, measure.target_incident_type) == ("planned", owner, "sent_by_mistake")
        assert link.shared_title == "Risicoanalyse crisistool" and link.recommendation_id == rec_id
        assert count(StatusChange) == 2  # plan created, measure planned
        actions = audit_actions()
    assert {"improvement_plan.created", "improvement_plan.recommendation_added", "measure.created",
            "improvement_plan.measure_linked"} <= set(actions)


def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_written(app, world, client_on, in_tenant):
    from tenants.learning.models import ImprovementPlan

    c = client_on("a", "privacy_officer", PLANS)
    cases = [
        (_plan_form(shared_title=""), "field-shared_title"),
        (_plan_form(source="rumour"), "field-source"),
        (_plan_form(target_date="2025-01-01"), "field-target_date"),
        (_plan_form(owner_id=str(world.user("b", "privacy_officer").id)), "field-owner_id"),  # not our member
        (_plan_form(status="completed"), "field-status"),
    ]
    for data, field in cases:
        r = c.post(PLANS, data)
        body = r.get_data(as_text=True)
        assert r.status_code == 422, data
        assert 'id="error-summary"' in body and f'href="#{field}"' in body, field
    with in_tenant():
        assert count(ImprovementPlan) == 0
        assert "improvement_plan.created" not in audit_actions()


def _plan_with_measure(c, in_tenant):
    from tenants.learning.models import PlanRecommendation
    from tenants.register.models import Measure

    detail = _create_plan(c)
    c.post(detail + "/recommendations", {"shared_title": "Organiseer crisisoefeningen"})
    with in_tenant():
        rec_id = db.session.scalar(sa.select(PlanRecommendation.id))
    c.post(f"/o/org-a/learning/recommendations/{rec_id}/measures",
           {"title": "Jaarlijkse crisisoefening datalek", "due_date": "2026-06-30", "kind": "preventive"})
    with in_tenant():
        measure_id = db.session.scalar(sa.select(Measure.id))
    return detail, measure_id


def test_a_measure_is_implemented_only_with_evidence(app, world, client_on, in_tenant):
    from tenants.learning.models import MeasureEvidence, StatusChange
    from tenants.register.models import Measure

    c = client_on("a", "privacy_officer", PLANS)
    detail, measure_id = _plan_with_measure(c, in_tenant)
    r = c.post(f"/o/org-a/learning/measures/{measure_id}/status", {"status": "done"})
    assert r.status_code == 422 and "bewijs" in r.get_data(as_text=True).lower()
    with in_tenant():
        assert db.session.get(Measure, (world.orgs["a"].id, measure_id)).status == "planned"
        assert count(MeasureEvidence) == 0
    r = c.post(f"/o/org-a/learning/measures/{measure_id}/status",
               {"status": "done", "evidence": "Verslag oefening 12 maart", "evidence_location": "DMS / Privacy / 2026",
                "note": "uitgevoerd met bestuur"})
    assert r.status_code == 302 and f"#measure-{measure_id}" in r.headers["Location"]
    with in_tenant():
        m = db.session.get(Measure, (world.orgs["a"].id, measure_id))
        assert m.status == "done" and m.done_at is not None
        ev = db.session.scalar(sa.select(MeasureEvidence))
        assert (ev.description, ev.location) == ("Verslag oefening 12 maart", "DMS / Privacy / 2026")
        change = db.session.scalar(sa.select(StatusChange).where(StatusChange.subject_id == measure_id,
                                                                 StatusChange.to_status == "done"))
        assert change.from_status == "planned" and change.note == "uitgevoerd met bestuur"
        assert "measure.status_changed" in audit_actions()
    page = c.get(detail).get_data(as_text=True)
    assert "1 van 1 maatregelen" in page and "Verslag oefening 12 maart" in page


def test_a_plan_is_completed_only_when_its_measures_are_done(app, world, client_on, in_tenant):
    from tenants.learning.models import ImprovementPlan, StatusChange

    c = client_on("a", "privacy_officer", PLANS)
    detail, measure_id = _plan_with_measure(c, in_tenant)
    r = c.post(detail + "/status", {"status": "completed"})
    assert r.status_code == 422
    c.post(f"/o/org-a/learning/measures/{measure_id}/status", {"status": "done", "evidence": "Verslag"})
    assert c.post(detail + "/status", {"status": "completed", "note": "afgerond"}).status_code == 302
    with in_tenant():
        plan = db.session.scalar(sa.select(ImprovementPlan))
        assert plan.status == "completed" and plan.completed_at is not None
        history = db.session.scalars(sa.select(StatusChange).where(StatusChange.subject == "plan")
                                     .order_by(StatusChange.changed_at)).all()
        assert [(h.from_status, h.to_status) for h in history] == [(None, "active"), ("active", "completed")]


def test_linking_an_existing_register_measure(app, world, client_on, in_tenant):
    from tenants.learning.models import PlanRecommendation, RecommendationMeasure
    from tenants.register.models import Measure

    with in_tenant():
        existing_id = uuid.uuid4()
        db.session.add(Measure(id=existing_id, kind="corrective", title="Catch-all mailbox opgeheven", status="done"))
    c = client_on("a", "privacy_officer", PLANS)
    detail = _create_plan(c)
    c.post(detail + "/recommendations", {"shared_title": "Beheer domeinnamen"})
    with in_tenant():
        rec_id = db.session.scalar(sa.select(PlanRecommendation.id))
    url = f"/o/org-a/learning/recommendations/{rec_id}/measures"
    assert c.post(url, {"title": "Oude domeinen opgeheven", "measure_id": str(existing_id)}).status_code == 302
    again = c.post(url, {"title": "Nog eens", "measure_id": str(existing_id)})
    assert again.status_code == 422
    with in_tenant():
        assert count(RecommendationMeasure) == 1 and count(Measure) == 1
    # Another institution's measure does not exist here.
    with in_tenant("b"):
        theirs_id = uuid.uuid4()
        db.session.add(Measure(id=theirs_id, kind="corrective", title="B", status="planned"))
    assert c.post(url, {"title": "B's measure", "measure_id": str(theirs_id)}).status_code == 404


def test_who_may_do_what(app, world, client_on):
    reporter = client_on("a", "reporter")
    assert reporter.get(PLANS).status_code == 403
    fg = client_on("a", "fg", PLANS)  # the FG reads everything here ...
    assert fg.post(PLANS, _plan_form()).status_code == 403  # ... but does not manage plans
    board = client_on("a", "board", PLANS)
    assert board.post(PLANS, _plan_form()).status_code == 403
    assert client_on("a", "auditor", PLANS)


def test_the_api_applies_the_same_rules(app, world, api, in_tenant):
    from tenants.learning.models import ImprovementPlan

    client = api(app, world, "a", "privacy_officer")
    bad = client.post("/api/v1/learning/plans", json={"shared_title": "", "source": "pdca", "started_on": "2026-01-01"})
    assert bad.status_code == 422 and "shared_title" in str(bad.json["errors"])
    with in_tenant():
        assert count(ImprovementPlan) == 0
    r = client.post("/api/v1/learning/plans", json={"shared_title": "PDCA-verbeterplan 2026-H1", "source": "pdca",
                                                    "started_on": "2026-01-01"})
    assert r.status_code == 201
    plan_id = r.json["id"]
    rec = client.post(f"/api/v1/learning/plans/{plan_id}/recommendations", json={"shared_title": "Minder misadressering"})
    assert rec.status_code == 201
    m = client.post(f"/api/v1/learning/recommendations/{rec.json['id']}/measures",
                    json={"title": "Adrescontrole in de e-mailclient", "due_date": "2026-05-01",
                          "target_incident_type": "sent_by_mistake"})
    assert m.status_code == 201
    done = client.post(f"/api/v1/learning/measures/{m.json['id']}/status", json={"status": "done"})
    assert done.status_code == 422
    done = client.post(f"/api/v1/learning/measures/{m.json['id']}/status",
                       json={"status": "done", "evidence": "Release notes van de uitrol"})
    assert done.status_code == 200 and done.json["status"] == "done"
    detail = client.get(f"/api/v1/learning/plans/{plan_id}").json
    assert detail["progress"] == {"total": 1, "done": 1, "late": 0, "percent": 100}
    assert detail["recommendations"][0]["measures"][0]["evidence"][0]["description"] == "Release notes van de uitrol"
    listing = client.get("/api/v1/learning/plans").json
    assert listing[0]["progress"]["percent"] == 100
    assert api(app, world, "a", "reporter").get("/api/v1/learning/plans").status_code == 403
