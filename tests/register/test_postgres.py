"""The workflow on PostgreSQL as the app's non-owner role, with row-level security on."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.pg


def test_the_workflow_runs_under_row_level_security(pg_flow, complete_breach_pg):
    bid = complete_breach_pg()
    pg_flow.ok(pg_flow.api("privacy_officer").post(f"/api/v1/breaches/{bid}/close", json={}))
    breach = pg_flow.get(bid)
    assert breach["status"] == "closed" and breach["severity_score"] == "4.25"
    # Institution B sees nothing of it, not even through its own API.
    other = pg_flow._api(pg_flow.app, pg_flow.world, "b", "privacy_officer")
    assert other.get(f"/api/v1/breaches/{bid}").status_code == 404


def test_notifications_and_assessments_cannot_be_changed_in_the_database(pg_app, pg_flow):
    from lekwijzer.db import db
    from lekwijzer.tenancy import tenant_scope

    pg_flow.breach("notified")
    for statement in ("UPDATE ap_notification SET ap_reference = 'changed'", "DELETE FROM ap_notification",
                      "UPDATE breach_assessment SET risk_outcome = 'risk'", "DELETE FROM breach_assessment"):
        with pg_app.app_context(), tenant_scope(pg_flow.world.orgs["a"].id) as session:
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                session.execute(sa.text(statement))
            db.session.rollback()


def test_the_demo_seeds_on_postgresql(pg_app):
    from lekwijzer import demo
    from lekwijzer.db import db

    with pg_app.app_context():
        demo.seed()
        from lekwijzer.models import Org
        from lekwijzer.tenancy import tenant_scope
        from tenants.register.models import Breach

        main = db.session.scalar(sa.select(Org).where(Org.slug == demo.MAIN))
        with tenant_scope(main.id) as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(Breach)) >= 70
