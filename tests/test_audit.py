"""The audit trail is hash-chained per organisation; verification finds any change or deletion."""
from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from lekwijzer import audit
from lekwijzer.db import db
from lekwijzer.models import AuditEvent
from lekwijzer.tenancy import tenant_scope


def _write(app, org_id, n):
    with app.app_context(), tenant_scope(org_id):
        for i in range(n):
            audit.record("test.event", "thing", f"obj-{i}", meta={"i": i})


def test_entries_chain_per_organisation(app, world):
    a, b = world.orgs["a"].id, world.orgs["b"].id
    _write(app, a, 3)
    _write(app, b, 2)
    with app.app_context(), tenant_scope(a):
        rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
        assert all(r.prev_hash == p.hash for p, r in zip(rows, rows[1:]))
        assert audit.verify(a) == []


def test_meta_refuses_free_text(app, world):
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        with pytest.raises(audit.AuditError):
            audit.record("x", meta={"note": "the client's name is Jan"})


def test_an_entry_for_another_organisation_is_refused(app, world):
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        with pytest.raises(audit.AuditError):
            audit.record("x", tenant_id=world.orgs["b"].id)


@pytest.mark.pg
def test_verify_command_reports_a_changed_and_a_deleted_entry(pg_app, pg_world, pg_database):
    a = pg_world.orgs["a"].id
    _write(pg_app, a, 6)
    runner = pg_app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify", "--org", "org-a"])
    assert ok.exit_code == 0 and "intact" in ok.output

    # Someone with owner rights edits entry 3 and deletes entry 5 behind the app's back.
    with psycopg.connect(pg_database.owner_url) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(a),))
        conn.execute("UPDATE audit_event SET action = 'nothing.happened' WHERE tenant_id = %s AND seq = 3", (a,))
        conn.execute("DELETE FROM audit_event WHERE tenant_id = %s AND seq = 5", (a,))
    result = runner.invoke(args=["audit", "verify", "--org", "org-a"])
    assert result.exit_code == 1
    assert "entry 3: changed" in result.output
    assert "entry 5: missing" in result.output


@pytest.mark.pg
def test_verify_notices_entries_cut_off_the_end(pg_app, pg_world, pg_database):
    a = pg_world.orgs["a"].id
    _write(pg_app, a, 4)
    with psycopg.connect(pg_database.owner_url) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(a),))
        top = conn.execute("SELECT max(seq) FROM audit_event WHERE tenant_id = %s", (a,)).fetchone()[0]
        conn.execute("DELETE FROM audit_event WHERE tenant_id = %s AND seq = %s", (a, top))
    with pg_app.app_context(), tenant_scope(a):
        problems = audit.verify(a)
    assert [p.kind for p in problems] == ["tail_missing"]


def test_audit_page_shows_the_verification_to_auditors(app, world, login):
    _write(app, world.orgs["a"].id, 2)
    client = login(app, world.user("a", "auditor"))
    page = client.get("/o/org-a/admin/audit?verify=1").get_data(as_text=True)
    assert "de audittrail is intact" in page
    assert login(app, world.user("a", "reporter")).get("/o/org-a/admin/audit").status_code == 403
