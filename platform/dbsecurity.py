"""Row-level security and grants on PostgreSQL, derived from the models.

Run as the owner role after every migration (migrations/env.py), and idempotent, so a new
tenant table cannot be forgotten: every table with a ``tenant_id`` column gets ENABLE +
FORCE row-level security and a policy that reads the transaction-local setting.

* the app role (web and workers) gets DML on every table, except the audit chain and the
  tables whose model declares ``__append_only__ = True`` (e.g. notifications as sent),
  which it may only read and append to;
* the oversight role (regulator, commissioner and statistics readers) gets SELECT on the
  columns the models mark with ``oversight()`` and a read-only policy, nothing else;
* except on *oversight workspace* tables (models with ``__oversight_workspace__ = True``):
  a cross-tenant reader's own tables that its set-based jobs read and write in the same
  statement as the marked columns (e.g. the regulator's received notifications and
  reconciliation findings). The oversight role gets DML on those, and the ordinary
  tenant policy still confines it to the tenant set in the transaction (the reader's own
  organisation), so it can write its own results and nobody else's.
"""
from __future__ import annotations

import sqlalchemy as sa

from .db import Base

# A scalar sub-select, so that PostgreSQL evaluates it once per statement (an InitPlan), not
# once per row: a policy expression is a qual on every row a statement reads, and a full
# pass over a million rows spent most of its time in current_setting(). Same value, same
# index use (tenant_id = $0).
TENANT_GUC = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
APPEND_ONLY = {"audit_event"}
NO_DELETE = {"audit_head"}
SHARED_READABLE = {"org", "region"}  # what oversight readers may read outside tenant tables


def _ddl(conn, statement: str) -> None:
    # DDL takes no bind parameters; names are quoted by _quote, never formatted raw.
    conn.exec_driver_sql(statement)


def _quote(conn, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _exists(conn, table: str) -> bool:
    return bool(conn.execute(sa.text("SELECT to_regclass(:t) IS NOT NULL"), {"t": f"public.{table}"}).scalar())


def role_exists(conn, role: str) -> bool:
    return bool(conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar())


def tenant_policy_tables(metadata: sa.MetaData = Base.metadata) -> list[sa.Table]:
    return [t for t in metadata.sorted_tables if "tenant_id" in t.c]


def oversight_columns(table: sa.Table) -> list[str]:
    marked = [c.name for c in table.c if c.info.get("oversight")]
    if not marked:
        return []
    keys = [c for c in ("tenant_id", "id") if c in table.c and c not in marked]
    return keys + marked


def is_workspace(table: sa.Table) -> bool:
    """An oversight workspace table: tenant-confined DML for the oversight role."""
    model = _model_for(table)
    return bool(getattr(model, "__oversight_workspace__", False)) and "tenant_id" in table.c


def _model_for(table: sa.Table):
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    return None


def apply(conn, app_role: str, oversight_role: str) -> None:
    """(Re)create policies and grants. `conn` must belong to the owner role."""
    if conn.dialect.name != "postgresql":
        return
    for role in (app_role, oversight_role):
        if not role_exists(conn, role):
            raise RuntimeError(
                f"database role {role!r} does not exist; create it first "
                "(`lekwijzer db bootstrap` as a superuser, or see README: PostgreSQL)"
            )
    app, ovs = _quote(conn, app_role), _quote(conn, oversight_role)
    _ddl(conn, f"GRANT USAGE ON SCHEMA public TO {app}, {ovs}")
    for table in Base.metadata.sorted_tables:
        if not _exists(conn, table.name):
            continue
        t = _quote(conn, table.name)
        _ddl(conn, f"REVOKE ALL ON {t} FROM {app}, {ovs}")
        if table.name in APPEND_ONLY or getattr(_model_for(table), "__append_only__", False):
            _ddl(conn, f"GRANT SELECT, INSERT ON {t} TO {app}")
        elif table.name in NO_DELETE:
            _ddl(conn, f"GRANT SELECT, INSERT, UPDATE ON {t} TO {app}")
        else:
            _ddl(conn, f"GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO {app}")
        if table.name in SHARED_READABLE:
            _ddl(conn, f"GRANT SELECT ON {t} TO {ovs}")
        if is_workspace(table):
            _ddl(conn, f"GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO {ovs}")
        if "tenant_id" in table.c:
            _protect(conn, table, t, app, ovs)
    _ddl(conn, f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}")


def _protect(conn, table: sa.Table, t: str, app: str, ovs: str) -> None:
    _ddl(conn, f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
    _ddl(conn, f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY")
    model = _model_for(table)
    extra = getattr(model, "__rls_using__", None)
    using = f"tenant_id = {TENANT_GUC}" + (f" OR ({extra})" if extra else "")
    _ddl(conn, f"DROP POLICY IF EXISTS tenant_isolation ON {t}")
    _ddl(conn, f"CREATE POLICY tenant_isolation ON {t} USING ({using}) WITH CHECK (tenant_id = {TENANT_GUC})")
    _ddl(conn, f"DROP POLICY IF EXISTS oversight_read ON {t}")
    cols = oversight_columns(table)
    if cols:
        col_list = ", ".join(_quote(conn, c) for c in cols)
        _ddl(conn, f"GRANT SELECT ({col_list}) ON {t} TO {ovs}")
        _ddl(conn, f"CREATE POLICY oversight_read ON {t} FOR SELECT TO {ovs} USING (true)")


def bootstrap(conn, database: str, owner: tuple[str, str], app: tuple[str, str], oversight: tuple[str, str]) -> None:
    """Create the three roles and the database (run once, as a superuser, autocommit)."""
    for name, password in (owner, app, oversight):
        q = _quote(conn, name)
        if not role_exists(conn, name):
            _ddl(conn, f"CREATE ROLE {q} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
        # ALTER ROLE takes no bind parameters; the literal is quoted by doubling quotes.
        literal = "'" + password.replace("'", "''") + "'"
        _ddl(conn, f"ALTER ROLE {q} PASSWORD {literal}")
    exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}).scalar()
    if not exists:
        _ddl(conn, f"CREATE DATABASE {_quote(conn, database)} OWNER {_quote(conn, owner[0])}")
