"""Judging whether a measure worked: recorded with reasoning; "did not work" asks for a new measure."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from lekwijzer.db import db, utcnow
from tests.learning.conftest import audit_actions, count

UTC = timezone.utc


def _setup(in_tenant, *, status="done", linked=True):
    """A measure against mis-sent e-mail, done 9 months ago; 4 such breaches before it, 1 after."""
    from tenants.learning.models import ImprovementPlan, PlanRecommendation, RecommendationMeasure
    from tenants.register.models import Breach, Measure
    from tenants.register.service import refresh_many

    done = utcnow() - timedelta(days=270)
    mid = uuid.uuid4()
    with in_tenant():
        db.session.add(Measure(id=mid, kind="preventive", title="Vertraagd verzenden in Outlook", status=status,
                               done_at=done if status == "done" else None, target_incident_type="sent_by_mistake"))
        for i, days in enumerate((-150, -100, -60, -10, 40)):
            db.session.add(Breach(reference=f"DL-{i}", title="t", incident_type="sent_by_mistake",
                                  aware_at=done + timedelta(days=days)))
        db.session.add(Breach(reference="DL-x", title="t", incident_type="phishing_social_engineering",
                              aware_at=done + timedelta(days=20)))
        refresh_many()  # the derived columns, as the breach workflow keeps them
        rec_id = None
        if linked:
            plan = ImprovementPlan(id=uuid.uuid4(), shared_title="PDCA 2025", source="pdca", started_on=date(2025, 1, 1))
            rec_id = uuid.uuid4()
            db.session.add(plan)
            db.session.flush()
            db.session.add(PlanRecommendation(id=rec_id, plan_id=plan.id, position=1, shared_title="Minder misadressering"))
            db.session.flush()
            db.session.add(RecommendationMeasure(recommendation_id=rec_id, measure_id=mid, shared_title="Vertraagd verzenden"))
    return mid, rec_id


def test_the_effectiveness_page_shows_before_and_after(app, world, client_on, in_tenant):
    mid, _ = _setup(in_tenant)
    c = client_on("a", "privacy_officer", "/o/org-a/learning/effectiveness")
    page = c.get("/o/org-a/learning/effectiveness?window=6").get_data(as_text=True)
    assert "Vertraagd verzenden in Outlook" in page
    # Six months before: the breaches at -150, -100, -60 and -10 days; after (six months, complete): one.
    row = page.split("Vertraagd verzenden in Outlook")[1].split("</tr>")[0]
    assert ">4<" in row and ">1<" in row and "Gewerkt" in row  # 4 -> 1: fell by more than a quarter
    page3 = c.get("/o/org-a/learning/effectiveness?window=3").get_data(as_text=True)
    row3 = page3.split("Vertraagd verzenden in Outlook")[1].split("</tr>")[0]
    assert ">2<" in row3 and ">1<" in row3  # -60 and -10 before; +40 after
    assert c.get("/o/org-a/learning/effectiveness?window=99").status_code == 422


def test_did_not_work_requires_and_creates_a_new_measure(app, world, client_on, in_tenant):
    from tenants.learning.models import MeasureJudgement, RecommendationMeasure
    from tenants.register.models import Measure

    mid, rec_id = _setup(in_tenant)
    url = f"/o/org-a/learning/measures/{mid}/judgement"
    c = client_on("a", "privacy_officer", url)
    r = c.post(url, {"verdict": "did_not_work", "reasoning": "Er gaan nog steeds mails naar de verkeerde ontvanger.",
                     "window_months": "6"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'href="#field-follow_up_title"' in body and 'href="#field-follow_up_due_date"' in body
    with in_tenant():
        assert count(MeasureJudgement) == 0 and count(Measure) == 1
    due = (date.today() + timedelta(days=60)).isoformat()
    r = c.post(url, {"verdict": "did_not_work", "reasoning": "Er gaan nog steeds mails naar de verkeerde ontvanger.",
                     "window_months": "6", "follow_up_title": "Adresboek opschonen en waarschuwing externe ontvanger",
                     "follow_up_due_date": due, "follow_up_owner_id": str(world.user("a", "privacy_officer").id)})
    assert r.status_code == 302
    with in_tenant():
        j = db.session.scalar(sa.select(MeasureJudgement))
        new = db.session.get(Measure, (world.orgs["a"].id, j.follow_up_measure_id))
        assert (j.verdict, j.before_count, j.after_count, j.window_months) == ("did_not_work", 4, 1, 6)
        assert new.status == "planned" and new.target_incident_type == "sent_by_mistake"
        assert new.due_date.isoformat() == due and new.owner_id == world.user("a", "privacy_officer").id
        link = db.session.scalar(sa.select(RecommendationMeasure).where(RecommendationMeasure.measure_id == new.id))
        assert link.recommendation_id == rec_id
        assert "measure.judged" in audit_actions()
    page = c.get("/o/org-a/learning/effectiveness").get_data(as_text=True)
    assert "Niet gewerkt" in page


def test_worked_and_too_early_need_reasoning_only(app, world, client_on, in_tenant):
    from tenants.learning.models import MeasureJudgement

    mid, _ = _setup(in_tenant, linked=False)
    url = f"/o/org-a/learning/measures/{mid}/judgement"
    c = client_on("a", "privacy_officer", url)
    assert c.post(url, {"verdict": "worked", "reasoning": "kort"}).status_code == 422  # reasoning too short
    assert c.post(url, {"verdict": "worked", "reasoning": "Sinds de invoering duidelijk minder misadresseringen."}).status_code == 302
    with in_tenant():
        assert db.session.scalar(sa.select(MeasureJudgement.verdict)) == "worked"


def test_only_implemented_targeted_measures_can_be_judged(app, world, client_on, in_tenant, api):
    mid, _ = _setup(in_tenant, status="in_progress", linked=False)
    url = f"/o/org-a/learning/measures/{mid}/judgement"
    c = client_on("a", "privacy_officer", url)
    r = c.post(url, {"verdict": "worked", "reasoning": "Dit zou moeten werken, denken we."})
    assert r.status_code == 422
    client = api(app, world, "a", "privacy_officer")
    r = client.post(f"/api/v1/learning/measures/{mid}/judgements",
                    json={"verdict": "worked", "reasoning": "Dit zou moeten werken, denken we."})
    assert r.status_code == 422


def test_the_api_records_judgements_with_the_same_rule(app, world, api, in_tenant):
    mid, _ = _setup(in_tenant)
    client = api(app, world, "a", "privacy_officer")
    r = client.post(f"/api/v1/learning/measures/{mid}/judgements",
                    json={"verdict": "did_not_work", "reasoning": "Nog steeds te veel misadresseringen."})
    assert r.status_code == 422 and "follow_up_title" in str(r.json["errors"])
    r = client.post(f"/api/v1/learning/measures/{mid}/judgements",
                    json={"verdict": "did_not_work", "reasoning": "Nog steeds te veel misadresseringen.",
                          "follow_up_title": "Tweede controle bij bijlagen", "follow_up_due_date":
                          (date.today() + timedelta(days=30)).isoformat()})
    assert r.status_code == 201 and r.json["follow_up_measure_id"]
    eff = client.get("/api/v1/learning/effectiveness?window=6").json
    mine = next(m for m in eff["measures"] if m["measure_id"] == str(mid))
    assert (mine["before"], mine["after"], mine["verdict"]) == (4, 1, "did_not_work")
    assert api(app, world, "a", "fg").post(f"/api/v1/learning/measures/{mid}/judgements",
                                           json={"verdict": "worked", "reasoning": "x" * 20}).status_code == 403
