"""Cross-tenant reading for oversight: the regulator, commissioners, sector statistics.

An oversight session connects as the oversight database role. On PostgreSQL that role
may SELECT only the columns models mark with ``info=oversight()`` (codes, dates, counts;
never free text or names) and cannot write anything; on SQLite the same code runs
against the same file (the application-level rule still holds: query modules select
marked columns only, which tests check).

Use it only from a query module of the area that owns the data (`tenants/oversight.py`),
and record each use in the reading organisation's audit trail.
"""
from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .db import Base, db


@contextmanager
def oversight_session(tenant_id=None):
    """A session on the oversight role.

    With `tenant_id` (the reading organisation itself, e.g. the regulator), the tenant is
    set in every transaction, so the session may also read and write that organisation's
    own *workspace* tables (see dbsecurity) in the same set-based statements; it never
    becomes able to write another organisation's rows. Commit explicitly to keep writes.
    """
    engine = db.engines["oversight"]
    session = Session(bind=engine, info={"oversight": True, "tenant_id": tenant_id},
                      autoflush=False, expire_on_commit=False)
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def oversight_columns(table_name: str) -> list[str]:
    """The columns of a tenant table that oversight readers may select."""
    from .dbsecurity import oversight_columns as cols

    return cols(Base.metadata.tables[table_name])


def _workspace(table) -> bool:
    from .dbsecurity import is_workspace

    return isinstance(table, sa.Table) and is_workspace(table)


def check_columns(stmt: sa.Select) -> None:
    """Refuse a statement that selects a column not marked for oversight (also on SQLite)."""
    for column in stmt.selected_columns:
        for base in column.base_columns:
            table = getattr(base, "table", None)
            if table is None or "tenant_id" not in getattr(table, "c", {}):
                continue
            if _workspace(table):
                continue  # the reader's own tables; the tenant policy confines them
            if base.name not in oversight_columns(table.name):
                raise PermissionError(f"{table.name}.{base.name} is not released for oversight")
