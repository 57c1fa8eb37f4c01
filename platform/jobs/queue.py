"""rq plumbing: the queue, handing a row to it, and running a row."""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app, g, has_app_context
from rq import Queue, Retry

from ..db import db, utcnow
from ..models import OutboxJob
from ..tenancy import set_tenant
from .registry import HANDLERS

log = logging.getLogger("lekwijzer.jobs")
RETRY = Retry(max=5, interval=[10, 60, 300, 900, 3600])
# A claimed run that has not finished in this time is presumed dead and may be taken over.
CLAIM_TIMEOUT = timedelta(minutes=10)
_fake_redis = None
_worker_app: Flask | None = None


def redis_connection(app: Flask | None = None):
    app = app or current_app
    if app.config["JOBS_INLINE"]:
        global _fake_redis
        if _fake_redis is None:
            import fakeredis

            _fake_redis = fakeredis.FakeRedis()
        return _fake_redis
    from redis import Redis

    return Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)


def get_queue(app: Flask | None = None) -> Queue:
    app = app or current_app
    return Queue(app.config["JOBS_QUEUE"], connection=redis_connection(app),
                 is_async=not app.config["JOBS_INLINE"], default_timeout=600)


def send(outbox_id: uuid.UUID) -> None:
    queue = get_queue()
    job_id = f"outbox-{outbox_id}"
    kwargs = dict(job_id=job_id, result_ttl=0, failure_ttl=7 * 24 * 3600,
                  description=f"outbox {outbox_id}")
    if not queue.is_async:
        queue.enqueue(run, str(outbox_id), **kwargs)
        return
    if queue.fetch_job(job_id) is not None:
        return  # still queued, running or retrying: sending it again would run it twice
    queue.enqueue(run, str(outbox_id), retry=RETRY, **kwargs)


def _app() -> Flask:
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from ..app import create_app

        _worker_app = create_app()
    return _worker_app


def run(outbox_id: str) -> str:
    """The rq job: claim the row, run its handler in its tenant, mark it done.

    Runs in a fresh app context (a fresh database session), also when called inline.
    """
    app = _app()
    with app.app_context():
        row_id = uuid.UUID(outbox_id)
        if not _claim(row_id):
            return "skipped"
        row = db.session.get(OutboxJob, row_id)
        handler = HANDLERS[row.job]
        g.outbox_id = row_id
        try:
            set_tenant(row.scope_org_id)
            handler(**row.args)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            _release(row_id, type(exc).__name__)
            log.warning("job %s (%s) failed: %s", outbox_id, row.job, type(exc).__name__)
            raise
        finally:
            set_tenant(None)
        _finish(row_id)
        return "done"


def _claim(row_id: uuid.UUID) -> bool:
    now = utcnow()
    with db.engine.begin() as conn:
        result = conn.execute(
            sa.update(OutboxJob)
            .where(OutboxJob.id == row_id, OutboxJob.done_at.is_(None))
            .where(sa.or_(OutboxJob.claimed_at.is_(None), OutboxJob.claimed_at < now - CLAIM_TIMEOUT))
            .values(claimed_at=now, attempts=OutboxJob.attempts + 1)
        )
        return result.rowcount == 1


def _release(row_id: uuid.UUID, error: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.update(OutboxJob).where(OutboxJob.id == row_id)
                     .values(claimed_at=None, last_error=error[:120]))


def _finish(row_id: uuid.UUID) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.update(OutboxJob).where(OutboxJob.id == row_id)
                     .values(done_at=utcnow(), progress=100, last_error=None))


def set_progress(percent: int, result_ref: str | None = None) -> None:
    """From inside a job: report progress (exports, reports) to the page that waits on it."""
    outbox_id = g.outbox_id
    values = {"progress": max(0, min(100, int(percent)))}
    if result_ref is not None:
        values["result_ref"] = result_ref
    with db.engine.begin() as conn:
        conn.execute(sa.update(OutboxJob).where(OutboxJob.id == outbox_id).values(**values))
