"""The clock: every tick relays missed jobs and enqueues the periodic sweeps that are due.

Each sweep is enqueued with a dedupe key for its time slot, so several clocks (one per
host, or a restarted one) enqueue it once.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..db import db, utcnow
from ..models import OutboxJob
from .outbox import enqueue, relay
from .registry import PERIODIC


def _slot(now: datetime, seconds: int) -> int:
    return int(now.replace(tzinfo=timezone.utc).timestamp()) // seconds


def tick(now: datetime | None = None) -> int:
    now = now or utcnow()
    enqueued = 0
    for name, spec in PERIODIC.items():
        key = f"periodic:{name}:{_slot(now, int(spec.every.total_seconds()))}"
        if db.session.scalar(sa.select(OutboxJob.id).where(OutboxJob.dedupe_key == key)):
            continue
        try:
            enqueue(name, tenant_id=None, dedupe_key=key)
            db.session.commit()
            enqueued += 1
        except IntegrityError:
            db.session.rollback()  # another clock was first
    relay()
    return enqueued
