"""The regulator's own data: what its intake received, reconciliation runs, statistics.

All of it is the regulator organisation's tenant data. The received notifications are
an *oversight workspace* table: the reconciliation reads them on the oversight role in
the same set-based statements as the institutions' released register metadata.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lekwijzer.db import TenantScoped, db, tenant_fk, utcnow

CODE = sa.String(48)


class IntakeBatch(TenantScoped, db.Model):
    """One uploaded file (or API call) of received notifications."""

    __tablename__ = "intake_batch"
    file_name: Mapped[str] = mapped_column(sa.String(200))
    file_format: Mapped[str] = mapped_column(sa.String(8))  # csv | json | api
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("app_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_new: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.UniqueConstraint("tenant_id", "file_sha256"),)


class ReceivedNotification(TenantScoped, db.Model):
    """A notification as the AP's own intake system received it (no contents, no names)."""

    __tablename__ = "received_notification"
    __oversight_workspace__ = True

    batch_id: Mapped[uuid.UUID]
    row_sha256: Mapped[str] = mapped_column(sa.String(64))  # the row's content: re-imports change nothing
    ap_reference: Mapped[str] = mapped_column(sa.String(64))
    kvk: Mapped[str] = mapped_column(sa.String(8))
    received_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(CODE)  # initial | supplement | amendment | withdrawal
    occurred_at: Mapped[datetime | None]
    aware_at: Mapped[datetime | None]
    incident_type: Mapped[str | None] = mapped_column(CODE)
    persons_min: Mapped[int | None]
    persons_max: Mapped[int | None]
    records_count: Mapped[int | None]

    __table_args__ = (
        tenant_fk("batch_id", "intake_batch"),
        sa.UniqueConstraint("tenant_id", "row_sha256"),
        sa.Index("ix_received_notification_ref", "tenant_id", "kvk", "ap_reference"),
        sa.Index("ix_received_notification_at", "tenant_id", "received_at"),
    )


class ReconciliationRun(TenantScoped, db.Model):
    """One reconciliation of received notifications against the registers."""

    __tablename__ = "reconciliation_run"
    __oversight_workspace__ = True  # the run's outcome is written with the findings of its last step
    status: Mapped[str] = mapped_column(CODE, default="queued")  # queued | running | done | failed
    period_from: Mapped[date]
    period_until: Mapped[date]
    requested_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("app_user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    seconds: Mapped[float | None] = mapped_column(sa.Float)
    institutions: Mapped[int | None]
    received: Mapped[int | None]  # AP dossiers in the period (one per reference)
    outside_platform: Mapped[int | None]  # dossiers of organisations that do not use Lekwijzer
    counts: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # kind -> findings in this run
    new_findings: Mapped[int | None]
    resolved_findings: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.String(80))  # an exception type name, never a message


class StatisticsSnapshot(TenantScoped, db.Model):
    """Anonymised sector tables as published at one moment (small cells already suppressed).

    Only the suppressed, publishable tables are stored: the raw small counts never leave
    the job that computes them. Publishing snapshots, not live numbers, also keeps
    anyone from learning one breach by comparing two page loads.
    """

    __tablename__ = "statistics_snapshot"
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    granularity: Mapped[str] = mapped_column(sa.String(8))  # year | quarter
    tables: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    institutions: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.Index("ix_statistics_snapshot_at", "tenant_id", "computed_at"),)
