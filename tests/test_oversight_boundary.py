"""The oversight role sees codes, dates and counts of every institution, never free text."""
from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from lekwijzer.db import Base
from lekwijzer.dbsecurity import oversight_columns
from lekwijzer.oversight import check_columns

pytestmark = pytest.mark.pg

TEXTUAL = (sa.Text, sa.String)


def test_no_free_text_column_is_released_for_oversight(app):
    """Marked columns are codes and identifiers: no Text column, no name or description."""
    offenders = []
    for table in Base.metadata.sorted_tables:
        for name in oversight_columns(table):
            column = table.c[name]
            if isinstance(column.type, sa.Text) or name in {"name", "title", "description", "email", "summary",
                                                             "content", "advice", "reasoning", "note"}:
                offenders.append(f"{table.name}.{name}")
    assert offenders == []


def test_oversight_role_reads_marked_columns_across_tenants_but_not_text(pg_app, pg_world, pg_database):
    from lekwijzer.tenancy import tenant_scope
    from tenants.register.models import Breach
    from lekwijzer.db import db

    with pg_app.app_context():
        for key in ("a", "b"):
            with tenant_scope(pg_world.orgs[key].id):
                db.session.add(Breach(reference=f"R-{key}", title="secret title", what_happened="SECRET-MARKER",
                                      incident_type="sent_by_mistake"))
    with psycopg.connect(pg_database.oversight_url) as conn:
        rows = conn.execute("SELECT tenant_id, incident_type FROM breach").fetchall()
        assert {r[0] for r in rows} == {pg_world.orgs["a"].id, pg_world.orgs["b"].id}
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT what_happened FROM breach")
    with psycopg.connect(pg_database.oversight_url) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE breach SET incident_type = 'other'")
    with psycopg.connect(pg_database.oversight_url) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM app_user")


def test_query_modules_cannot_select_an_unreleased_column(app):
    from tenants.register.models import Breach

    check_columns(sa.select(Breach.tenant_id, Breach.incident_type))
    with pytest.raises(PermissionError):
        check_columns(sa.select(Breach.tenant_id, Breach.what_happened))
