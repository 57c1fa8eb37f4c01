"""The outbox: record in the transaction, dispatch after commit, relay what was missed."""
from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..db import db, utcnow
from ..models import OutboxJob
from .registry import HANDLERS

log = logging.getLogger("lekwijzer.jobs")
_CODE = re.compile(r"^[A-Za-z0-9_.:@/-]{0,80}$")
# A dispatched job that has not finished after this long is sent again (Redis lost it).
REDISPATCH_AFTER = timedelta(minutes=15)


class JobArgumentError(ValueError):
    """A job argument that could carry contents; pass an id and look it up instead."""


def _check_args(args: dict) -> dict:
    clean = {}
    for key, value in args.items():
        if isinstance(value, uuid.UUID):
            value = str(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, (bool, int)) or value is None:
            pass
        elif not isinstance(value, str) or not _CODE.match(value):
            raise JobArgumentError(f"job argument {key!r} must be an id or a short code")
        clean[key] = value
    return clean


def enqueue(name: str, *, tenant_id: uuid.UUID | None, dedupe_key: str | None = None,
            run_after: datetime | None = None, session=None, **args) -> OutboxJob:
    """Record a job in the current transaction; it is sent when the transaction commits."""
    if name not in HANDLERS:
        raise KeyError(f"unknown job {name!r}")
    session = session or db.session
    row = OutboxJob(id=uuid.uuid4(), job=name, args=_check_args(args), scope_org_id=tenant_id,
                    dedupe_key=dedupe_key, run_after=run_after)
    session.add(row)
    if run_after is None or run_after <= utcnow():
        session.info.setdefault("outbox_new", []).append(row.id)  # later ones wait for the relay
    return row


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    ids = session.info.pop("outbox_new", None)
    if ids:
        dispatch(ids)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    session.info.pop("outbox_new", None)


def dispatch(ids) -> int:
    """Hand outbox rows to rq. Rows Redis does not take stay for the relay."""
    from .queue import send  # late: needs the app

    sent = []
    for job_id in ids:
        try:
            send(job_id)
        except Exception as exc:  # Redis down or refusing: the relay will retry
            log.warning("job %s not handed to Redis (%s); the relay will send it", job_id, type(exc).__name__)
            break
        sent.append(job_id)
    if sent:
        _mark_dispatched(sent)
    return len(sent)


def _mark_dispatched(ids) -> None:
    # Called after commit, when the session may not emit SQL: use a connection of its own.
    # A job that already finished inline keeps done_at; dispatched_at only records the hand-off.
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(OutboxJob).where(OutboxJob.id.in_(list(ids)), OutboxJob.dispatched_at.is_(None))
            .values(dispatched_at=utcnow())
        )


def relay(limit: int = 500) -> int:
    """Send what Redis missed: rows never dispatched, or dispatched long ago and not done."""
    now = utcnow()
    stmt = (
        sa.select(OutboxJob.id)
        .where(OutboxJob.done_at.is_(None))
        .where(sa.or_(OutboxJob.run_after.is_(None), OutboxJob.run_after <= now))
        .where(sa.or_(OutboxJob.dispatched_at.is_(None), OutboxJob.dispatched_at < now - REDISPATCH_AFTER))
        .where(OutboxJob.attempts < current_app.config.get("JOBS_MAX_ATTEMPTS", 8))
        .order_by(OutboxJob.created_at)
        .limit(limit)
    )
    with db.engine.connect() as conn:
        ids = list(conn.execute(stmt).scalars())
    if not ids:
        return 0
    # Rows re-sent after REDISPATCH_AFTER get a fresh dispatched_at too.
    with db.engine.begin() as conn:
        conn.execute(sa.update(OutboxJob).where(OutboxJob.id.in_(ids)).values(dispatched_at=None))
    return dispatch(ids)


def job_of_current_org(job_id) -> OutboxJob:
    """A job's status for the page or API call that waits on it; other tenants' jobs 404."""
    from flask import abort

    from ..tenancy import current_tenant_id

    row = db.session.get(OutboxJob, job_id)
    if row is None or row.scope_org_id is None or row.scope_org_id != current_tenant_id():
        abort(404)
    return row
