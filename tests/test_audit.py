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


def _lines(response) -> list[str]:
    return response.get_data(as_text=True).splitlines(keepends=True)


def _verify_file(app, tmp_path, lines, name="trail.jsonl"):
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    return app.test_cli_runner().invoke(args=["audit", "verify-file", str(path)])


@pytest.mark.pg
def test_the_downloaded_trail_can_be_checked_without_lekwijzer(pg_app, pg_world, login, tmp_path):
    import json

    a = pg_world.orgs["a"].id
    _write(pg_app, a, 4)
    _write(pg_app, pg_world.orgs["b"].id, 3)
    auditor = login(pg_app, pg_world.user("a", "auditor"))
    assert 'href="/o/org-a/admin/audit/export"' in auditor.get("/o/org-a/admin/audit").get_data(as_text=True)
    response = auditor.get("/o/org-a/admin/audit/export")
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    assert 'filename="audittrail-org-a-' in response.headers["Content-Disposition"]
    lines = _lines(response)
    header, entries = json.loads(lines[0]), [json.loads(line) for line in lines[1:]]
    assert header["format"] == "lekwijzer-audit/1" and header["head_seq"] == len(entries)
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert {e["tenant_id"] for e in entries} == {str(a)}  # none of institution B's entries
    assert entries[-1]["action"] == "audit.exported"  # the download is recorded, and in the file

    ok = _verify_file(pg_app, tmp_path, lines)
    assert ok.exit_code == 0 and "intact" in ok.output, ok.output

    # Somebody edits an entry in the file, or drops one, or cuts off the end: each is found.
    changed = list(lines)
    changed[3] = changed[3].replace('"action":"test.event"', '"action":"nothing.happened"')
    assert changed[3] != lines[3]
    result = _verify_file(pg_app, tmp_path, changed, "changed.jsonl")
    assert result.exit_code == 1 and "entry 3: changed" in result.output
    dropped = lines[:2] + lines[3:]
    assert "entry 2: missing" in _verify_file(pg_app, tmp_path, dropped, "dropped.jsonl").output
    cut = _verify_file(pg_app, tmp_path, lines[:-1], "cut.jsonl")
    assert cut.exit_code == 1 and "tail_missing" in cut.output
    junk = _verify_file(pg_app, tmp_path, ["not json\n"], "junk.jsonl")
    assert junk.exit_code == 1 and "unreadable" in junk.output


def test_the_api_exports_the_trail_and_only_readers_of_it_may(app, world, api, tmp_path):
    _write(app, world.orgs["a"].id, 2)
    response = api(app, world, "a", "tenant_admin").get("/api/v1/audit/export")
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    assert _verify_file(app, tmp_path, _lines(response)).exit_code == 0
    refused = api(app, world, "a", "reporter").get("/api/v1/audit/export")
    assert refused.status_code == 403
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("audit.exported") == 1  # the refused request exported nothing
