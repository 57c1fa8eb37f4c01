"""The commissioner portal: plans and figures of institutions that granted access, and nothing else."""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from lekwijzer.db import db
from lekwijzer.tenancy import tenant_scope
from tests.learning.factory import seed_history

UTC = timezone.utc
PORTAL = "/o/org-c/portal/"


def _plan(title="Verbeterplan na onderzoek COT", shared=True, status="active", measures=(("done", -20), ("planned", -5))):
    """A plan with one recommendation and its measures (status, due in days from today)."""
    from tenants.learning.models import ImprovementPlan, MeasureEvidence, PlanRecommendation, RecommendationMeasure
    from tenants.register.models import Measure

    plan = ImprovementPlan(id=uuid.uuid4(), shared_title=title, source="external_investigation", status=status,
                           shared_with_commissioners=shared, started_on=date(2025, 10, 1),
                           description="INTERNE TOELICHTING")
    rec = PlanRecommendation(id=uuid.uuid4(), plan_id=plan.id, position=1, shared_title="Organiseer crisisoefeningen")
    db.session.add(plan)
    db.session.flush()
    db.session.add(rec)
    db.session.flush()
    for i, (status_, due) in enumerate(measures):
        m = Measure(id=uuid.uuid4(), kind="preventive", title=f"Interne titel {i}", status=status_,
                    due_date=date.today() + timedelta(days=due),
                    done_at=datetime.now(UTC) - timedelta(days=30) if status_ == "done" else None)
        db.session.add(m)
        db.session.flush()
        db.session.add(RecommendationMeasure(recommendation_id=rec.id, measure_id=m.id, shared_title=f"Oefening {i + 1}"))
        if status_ == "done":
            db.session.add(MeasureEvidence(measure_id=m.id, description="Verslag"))


def _grant(world, key="a"):
    from tenants.learning.models import CommissionerGrant

    with tenant_scope(world.orgs[key].id):
        db.session.add(CommissionerGrant(commissioner_org_id=world.orgs["c"].id))


@pytest.fixture
def sector(app, world):
    with app.app_context():
        with tenant_scope(world.orgs["a"].id):
            seed_history(random.Random(3), datetime(2024, 1, 1, tzinfo=UTC), months=30)
            _plan()
            _plan(title="Intern plan, niet gedeeld", shared=False)
            _plan(title="Conceptplan", status="draft")
        with tenant_scope(world.orgs["b"].id):
            seed_history(random.Random(4), datetime(2024, 1, 1, tzinfo=UTC), months=30, per_month=(0, 2))
            _plan(title="Plan van instelling B")
    return world


def test_without_a_grant_the_institution_does_not_exist_for_the_commissioner(app, sector, login, api):
    c = login(app, sector.user("c", "viewer"))
    page = c.get(PORTAL).get_data(as_text=True)
    assert "Nog geen instelling heeft u toegang gegeven" in page and "Instelling A" not in page
    assert c.get(PORTAL + "institutions/org-a").status_code == 404
    assert c.get(PORTAL + "institutions/no-such-org").status_code == 404
    token = api(app, sector, "c", "viewer")
    assert token.get("/api/v1/commissioner/institutions/org-a").status_code == 404
    assert token.get("/api/v1/commissioner/overview").json["institutions"] == []


def test_with_a_grant_the_commissioner_sees_shared_plans_and_figures(app, sector, login, api):
    with app.app_context():
        _grant(sector)
    c = login(app, sector.user("c", "viewer"))
    overview = c.get(PORTAL + "?period=2025-H2").get_data(as_text=True)
    assert "Instelling A" in overview and "Instelling B" not in overview
    page = c.get(PORTAL + "institutions/org-a?period=2025-H2").get_data(as_text=True)
    assert "Verbeterplan na onderzoek COT" in page and "Organiseer crisisoefeningen" in page
    assert "Oefening 1" in page and "Oefening 2" in page and "1 van 2 maatregelen uitgevoerd" in page
    assert "Te laat" in page  # the planned measure is past its due date
    for hidden in ("Intern plan, niet gedeeld", "Conceptplan", "INTERNE TOELICHTING", "Interne titel", "Verslag"):
        assert hidden not in page, hidden
    body = api(app, sector, "c", "viewer").get("/api/v1/commissioner/institutions/org-a?period=2025-H2").json
    assert [p["title"] for p in body["plans"]] == ["Verbeterplan na onderzoek COT"]
    measures = body["plans"][0]["recommendations"][0]["measures"]
    assert {(m["title"], m["status"], m["late"], m["evidence_count"]) for m in measures} == {
        ("Oefening 1", "done", False, 1), ("Oefening 2", "planned", True, 0)}
    # Counts match the institution's own analysis, with 1..4 hidden.
    with app.app_context(), app.test_request_context(), tenant_scope(sector.orgs["a"].id):
        from tenants.learning import analysis
        from tenants.learning.periods import Period

        own = analysis.analyse(Period.parse_key("2025-H2"), 1)["periods"][0]["figures"]
    shown = body["figures"][0]
    for key in ("total", "notified_ap", "notified_ap_late", "informed_subjects", "measures_implemented"):
        assert shown[key] == (own[key] if not 0 < own[key] < 5 else None), key
    assert set(shown) >= {"by_type", "by_band", "median_hours_to_ap"}


def test_withdrawn_access_ends_at_once(app, sector, login, client_on):
    admin = client_on("a", "tenant_admin", "/o/org-a/learning/sharing")
    r = admin.post("/o/org-a/learning/sharing", {"commissioner_org_id": str(sector.orgs["c"].id)})
    assert r.status_code == 302
    again = admin.post("/o/org-a/learning/sharing", {"commissioner_org_id": str(sector.orgs["c"].id)})
    assert again.status_code == 422
    assert admin.post("/o/org-a/learning/sharing", {"commissioner_org_id": str(sector.orgs["b"].id)}).status_code == 422
    c = login(app, sector.user("c", "viewer"))
    assert c.get(PORTAL + "institutions/org-a").status_code == 200
    with app.app_context(), tenant_scope(sector.orgs["a"].id):
        from tenants.learning.models import CommissionerGrant

        grant_id = db.session.scalar(sa.select(CommissionerGrant.id))
    assert admin.post(f"/o/org-a/learning/sharing/{grant_id}/withdraw").status_code == 302
    assert c.get(PORTAL + "institutions/org-a").status_code == 404
    assert "Instelling A" not in c.get(PORTAL).get_data(as_text=True)
    with app.app_context(), tenant_scope(sector.orgs["a"].id):
        from lekwijzer.models import AuditEvent

        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "commissioner_grant.granted" in actions and "commissioner_grant.withdrawn" in actions
    # The commissioner's own trail records what it looked at.
    with app.app_context(), tenant_scope(sector.orgs["c"].id):
        from lekwijzer.models import AuditEvent

        seen = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert seen.count("commissioner.viewed") >= 2
    # Only the institution's administrators and board give access.
    po = client_on("a", "privacy_officer")
    assert po.post("/o/org-a/learning/sharing", {"commissioner_org_id": str(sector.orgs["c"].id)}).status_code == 403


def test_the_overview_sums_institutions_and_hides_small_cells_consistently(app, sector, api):
    from tenants.oversight.learning import SCALARS

    with app.app_context():
        _grant(sector, "a")
        _grant(sector, "b")
    body = api(app, sector, "c", "viewer").get("/api/v1/commissioner/overview?period=2025-H2&compare=1").json
    rows = {i["slug"]: i for i in body["institutions"]}
    assert set(rows) == {"org-a", "org-b"} and body["total"]["institutions"] == 2
    with app.app_context(), app.test_request_context():
        from tenants.learning import analysis
        from tenants.learning.periods import Period

        raw = {}
        for key in ("a", "b"):
            with tenant_scope(sector.orgs[key].id):
                raw[key] = analysis.analyse(Period.parse_key("2025-H2"), 1)["periods"][0]["figures"]
    total = body["total"]["figures"][0]
    for key in SCALARS:
        cells = [rows["org-a"]["figures"][0][key], rows["org-b"]["figures"][0][key], total[key]]
        true = [raw["a"][key], raw["b"][key], raw["a"][key] + raw["b"][key]]
        for shown, real in zip(cells, true):
            assert shown is None or shown == real, key
            if 0 < real < 5:
                assert shown is None, key
        assert [c is None for c in cells].count(True) != 1, key  # a lone hidden cell could be worked back
    assert any(c is None for c in (rows["org-b"]["figures"][0]["total"], rows["org-b"]["figures"][0]["notified_ap"]))


def test_the_institution_side_sharing_page_and_api(app, sector, client_on, api):
    admin = client_on("a", "board", "/o/org-a/learning/sharing")
    page = admin.get("/o/org-a/learning/sharing").get_data(as_text=True)
    assert "Gemeente C" in page
    client = api(app, sector, "a", "tenant_admin")
    r = client.post("/api/v1/learning/grants", json={"commissioner_org_id": str(sector.orgs["c"].id)})
    assert r.status_code == 201 and r.json["commissioner_name"] == "Gemeente C" and r.json["active"]
    assert client.delete(f"/api/v1/learning/grants/{r.json['id']}").status_code == 204
    assert client.delete(f"/api/v1/learning/grants/{r.json['id']}").status_code == 422
    assert client.get("/api/v1/learning/grants").json[0]["active"] is False
