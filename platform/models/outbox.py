from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db, utcnow


class OutboxJob(db.Model):
    """A job recorded in the same transaction as the change that asks for it.

    Handed to Redis after commit; the relay re-sends what Redis missed. Arguments are
    identifiers only (checked in jobs.enqueue), never contents. Shared table: the relay
    reads every organisation's rows, so its organisation column is not called tenant_id.
    """

    __tablename__ = "outbox_job"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    job: Mapped[str] = mapped_column(sa.String(64))
    args: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    scope_org_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("org.id"))
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    run_after: Mapped[datetime | None]
    dispatched_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(120))
    progress: Mapped[int] = mapped_column(default=0)  # 0..100, for jobs a person waits on
    result_ref: Mapped[str | None] = mapped_column(sa.String(200))

    __table_args__ = (sa.Index("ix_outbox_pending", "done_at", "dispatched_at"),)
