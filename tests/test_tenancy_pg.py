"""Tenant isolation enforced by PostgreSQL itself (row-level security), not only by Python."""
from __future__ import annotations

import uuid

import psycopg
import pytest
import sqlalchemy as sa

from lekwijzer.db import db
from lekwijzer.dbsecurity import tenant_policy_tables

pytestmark = pytest.mark.pg


def _app_conn(pg_database):
    return psycopg.connect(pg_database.app_url, autocommit=False)


def test_every_tenant_table_has_forced_rls_and_a_policy(pg_app, pg_database):
    with pg_app.app_context():
        expected = {t.name for t in tenant_policy_tables()}
    assert {"membership", "api_token", "audit_event", "audit_head"} <= expected
    with psycopg.connect(pg_database.owner_url) as conn:
        rows = conn.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "(SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ).fetchall()
    state = {name: (rls, force, policies) for name, rls, force, policies in rows}
    for table in expected:
        assert state[table] == (True, True, 1), f"{table} is not protected: {state[table]}"


def test_app_role_owns_nothing_and_cannot_bypass(pg_database):
    with _app_conn(pg_database) as conn:
        owned = conn.execute("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                             "WHERE r.rolname = current_user").fetchone()[0]
        bypass = conn.execute("SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]
        assert owned == 0 and bypass is False
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("ALTER TABLE membership DISABLE ROW LEVEL SECURITY")


def test_raw_sql_without_tenant_sees_nothing_and_with_tenant_only_its_rows(pg_app, pg_world, pg_database):
    a, b = pg_world.orgs["a"].id, pg_world.orgs["b"].id
    with _app_conn(pg_database) as conn:
        assert conn.execute("SELECT count(*) FROM membership").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM audit_event").fetchone()[0] == 0
    with _app_conn(pg_database) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(a),))
        tenants = {row[0] for row in conn.execute("SELECT tenant_id FROM membership")}
        assert tenants == {a}
        assert conn.execute("SELECT count(*) FROM membership WHERE tenant_id = %s", (b,)).fetchone()[0] == 0
        updated = conn.execute("UPDATE membership SET roles = '[]' WHERE tenant_id = %s", (b,)).rowcount
        assert updated == 0
    # The setting is transaction-local: the same connection forgets it afterwards.
    with _app_conn(pg_database) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(a),))
        conn.commit()
        assert conn.execute("SELECT count(*) FROM membership").fetchone()[0] == 0


def test_writing_a_row_for_another_tenant_is_refused_by_the_database(pg_app, pg_world, pg_database):
    a, b = pg_world.orgs["a"].id, pg_world.orgs["b"].id
    user_b = pg_world.user("b", "reporter").id
    with _app_conn(pg_database) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(a),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO api_token (tenant_id, id, name, role, token_hash, hint, created_at, expires_at) "
                         "VALUES (%s, %s, 'x', 'reporter', 'h', 'h', now(), now())", (b, uuid.uuid4()))
    del user_b


def test_composite_foreign_key_refuses_a_reference_across_tenants(pg_app, pg_world, pg_database):
    """A row of tenant A may not point at a row of tenant B, even if both ids exist."""
    a, b = pg_world.orgs["a"].id, pg_world.orgs["b"].id
    engine = sa.create_engine(pg_database.owner_url, poolclass=sa.pool.NullPool)
    # A throwaway child table with a composite FK, as every tenant table has.
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE fk_probe (tenant_id uuid NOT NULL, id uuid NOT NULL, token_id uuid NOT NULL, "
            "PRIMARY KEY (tenant_id, id), FOREIGN KEY (tenant_id, token_id) REFERENCES api_token (tenant_id, id))")
    try:
        with pg_app.app_context():
            token_b = pg_world.token("b", "reporter")
            db.session.commit()
            from lekwijzer.models import ApiToken
            from lekwijzer.tenancy import tenant_scope

            with tenant_scope(b):
                token_b_id = db.session.scalar(sa.select(ApiToken.id))
        assert token_b
        with engine.begin() as conn, pytest.raises(sa.exc.IntegrityError):
            conn.exec_driver_sql("SELECT set_config('app.tenant_id', %s, true)", (str(a),))
            conn.exec_driver_sql("INSERT INTO fk_probe VALUES (%s, %s, %s)", (a, uuid.uuid4(), token_b_id))
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE fk_probe")
        engine.dispose()


def test_audit_trail_is_append_only_for_the_app_role(pg_app, pg_world, pg_database):
    a = pg_world.orgs["a"].id
    with _app_conn(pg_database) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(a),))
        assert conn.execute("SELECT count(*) FROM audit_event").fetchone()[0] == 0 or True
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE audit_event SET action = 'x'")
    with _app_conn(pg_database) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM audit_event")


def test_orm_queries_are_scoped_even_without_a_filter(pg_app, pg_world):
    from lekwijzer.models import Membership
    from lekwijzer.tenancy import set_tenant

    a = pg_world.orgs["a"].id
    with pg_app.app_context():
        assert db.session.scalars(sa.select(Membership)).all() == []  # no tenant: nothing
        db.session.rollback()
        set_tenant(a)
        rows = db.session.scalars(sa.select(Membership)).all()
        assert rows and {m.tenant_id for m in rows} == {a}
