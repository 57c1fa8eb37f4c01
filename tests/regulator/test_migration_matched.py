"""Migration 0009 on PostgreSQL: matched notifications become counts; the old one-per-notification
rows go, every other finding stays, and row-level security is forced again afterwards."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import _make_app
from tests.support import services

pytestmark = pytest.mark.pg


def test_upgrading_removes_the_old_matched_rows_and_keeps_the_rest_under_forced_rls(pg_admin_url):
    from flask_migrate import downgrade, upgrade

    database = services.PgDatabase(pg_admin_url).create()
    try:
        app = _make_app(database.config())
        with app.app_context():
            upgrade(revision="0008_regulator")
        regulator, institution, run = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        owner = sa.create_engine(database.owner_url, poolclass=sa.pool.NullPool)
        with owner.begin() as conn:
            conn.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(regulator)})
            for org_id, kind, slug in ((regulator, "regulator", "ap"), (institution, "institution", "inst")):
                conn.execute(sa.text("INSERT INTO org (id, kind, name, slug, active, created_at) "
                                     "VALUES (:id, :kind, :slug, :slug, true, now())"),
                             {"id": org_id, "kind": kind, "slug": slug})
            for kind, key in (("matched", "matched|30000001|AP-1"), ("matched", "matched|30000001|AP-2"),
                              ("late_without_reason", "late_without_reason|x")):
                conn.execute(sa.text(
                    "INSERT INTO reconciliation_finding (tenant_id, id, finding_key, kind, institution_id, status, "
                    "first_seen_run_id, first_seen_at, reopened) "
                    "VALUES (:t, :id, :key, :kind, :i, 'open', :run, now(), 0)"),
                    {"t": regulator, "id": uuid.uuid4(), "key": key, "kind": kind, "i": institution, "run": run})
        with app.app_context():
            upgrade()
        with owner.begin() as conn:
            forced = conn.scalar(sa.text("SELECT relforcerowsecurity FROM pg_class "
                                         "WHERE relname = 'reconciliation_finding'"))
            conn.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(regulator)})
            left = conn.execute(sa.text("SELECT kind, notifications FROM reconciliation_finding")).all()
        assert forced is True
        assert left == [("late_without_reason", None)]
        with app.app_context():  # and back: the column goes, nothing else breaks
            downgrade(revision="0008_regulator")
            upgrade()
        owner.dispose()
        with app.app_context():
            from lekwijzer.db import db

            for engine in db.engines.values():
                engine.dispose()
    finally:
        database.drop()
