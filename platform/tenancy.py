"""The one tenant-scoping mechanism.

The tenant is resolved once, at the edge (an /o/<org>/ URL, an API token, a job's
outbox row), and put on the SQLAlchemy session with `set_tenant`. From then on:

* every ORM SELECT gets ``tenant_criteria`` for each TenantScoped entity (do_orm_execute
  + with_loader_criteria), so a forgotten filter returns nothing rather than everything;
* every new TenantScoped row is stamped with the tenant, and a row for another tenant is
  refused before it reaches the database;
* on PostgreSQL every transaction starts with ``set_config('app.tenant_id', …, true)``
  (transaction-local, so nothing leaks through pooled connections) and row-level
  security enforces the same rule in the database.

With no tenant set, tenant tables read as empty. Cross-tenant readers do not switch
this off: they use `lekwijzer.oversight`, a separate session on the oversight role.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, with_loader_criteria

from .db import TenantScoped, db

_SET_GUCS = sa.text(
    "SELECT set_config('app.tenant_id', :tid, true), set_config('app.user_id', :uid, true)"
)


class CrossTenantWrite(PermissionError):
    """A row for another organisation was about to be written."""


def _push_gucs(session: Session, connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    tid = session.info.get("tenant_id")
    uid = session.info.get("user_id")
    connection.execute(_SET_GUCS, {"tid": str(tid) if tid else "", "uid": str(uid) if uid else ""})


@event.listens_for(Session, "after_begin")
def _on_begin(session, transaction, connection):
    _push_gucs(session, connection)


@event.listens_for(Session, "do_orm_execute")
def _add_tenant_criteria(state):
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    if state.session.info.get("oversight"):
        return  # oversight sessions select explicit metadata columns; RLS/grants guard them
    # Bound literals (not raw values) so the criteria's cache key stays stable per shape.
    tid = sa.literal(state.session.info.get("tenant_id"), sa.Uuid())
    uid = sa.literal(state.session.info.get("user_id"), sa.Uuid())
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.tenant_criteria(tid, uid), include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session, flush_context, instances):
    tid = session.info.get("tenant_id")
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tid is None:
                raise CrossTenantWrite(f"{type(obj).__name__} written with no tenant set")
            obj.tenant_id = tid
        elif obj.tenant_id != tid:
            raise CrossTenantWrite(f"{type(obj).__name__} belongs to another organisation")
    for obj in session.deleted:
        if isinstance(obj, TenantScoped) and obj.tenant_id != tid:
            raise CrossTenantWrite(f"{type(obj).__name__} belongs to another organisation")


def set_tenant(tenant_id: uuid.UUID | None, user_id: uuid.UUID | None = None, session=None) -> None:
    """Make `tenant_id` the current tenant of the session (and of its open transaction)."""
    session = session or db.session()
    session.info["tenant_id"] = tenant_id
    session.info["user_id"] = user_id
    if session.in_transaction():
        _push_gucs(session, session.connection())


def current_tenant_id(session=None) -> uuid.UUID | None:
    return (session or db.session).info.get("tenant_id")


@contextmanager
def tenant_scope(tenant_id: uuid.UUID, user_id: uuid.UUID | None = None):
    """For jobs and commands: run a block as one tenant, then forget it."""
    session = db.session()
    previous = (session.info.get("tenant_id"), session.info.get("user_id"))
    set_tenant(tenant_id, user_id)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info["tenant_id"], session.info["user_id"] = previous

