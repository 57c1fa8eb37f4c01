"""Register exports, and the indexes the register list and the exports need.

An export is stored in the database as a tenant-scoped row with its bytes: every web and
worker process sees the same file, row-level security guards it like any register data,
and it disappears with the organisation's data. No local files are used as storage.
"""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lekwijzer.db import TenantScoped, db, utcnow
from tenants.register.models import ApNotification, Breach, Decision, FgAdvice, Incident, Measure, \
    Party, SubjectCommunication

EXPORT_FORMATS = ("xlsx", "csv", "json")
EXPORT_STATUS = ("queued", "done", "expired")


class RegisterExport(TenantScoped, db.Model):
    """One export of the breach register: what was asked, and the finished file."""

    __tablename__ = "register_export"
    format: Mapped[str] = mapped_column(sa.String(8))  # EXPORT_FORMATS
    include_names: Mapped[bool] = mapped_column(default=False)
    # The validated filters and sort the export was made with (the register list's schema).
    filters: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    requested_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("app_user.id"))
    requested_via: Mapped[str] = mapped_column(sa.String(8), default="web")  # web | api | system
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    outbox_job_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("outbox_job.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(16), default="queued")  # EXPORT_STATUS
    row_count: Mapped[int | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    filename: Mapped[str | None] = mapped_column(sa.String(160))
    content_type: Mapped[str | None] = mapped_column(sa.String(100))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    download_count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.Index("ix_register_export_tenant_requested", "tenant_id", "requested_at"),
        sa.Index("ix_register_export_tenant_expires", "tenant_id", "status", "expires_at"),
    )


# Indexes on the register's tables for the list, its filters and the exports. They are
# declared here (the register list is what needs them) and created by this feature's
# migration; each starts with tenant_id, like every lookup under row-level security.
LIST_INDEXES = (
    # A breach's AP notifications and decisions, for a batch of breaches (exports, the
    # register's `refresh_many`) and for one breach (its page). The list's 72-hour clock
    # filters read the breach's own derived columns, not these tables.
    sa.Index("ix_ap_notification_breach_kind", ApNotification.tenant_id, ApNotification.breach_id,
             ApNotification.kind, ApNotification.submitted_at),
    sa.Index("ix_decision_breach_kind", Decision.tenant_id, Decision.breach_id, Decision.kind, Decision.decided_at),
    # sorting the register by severity
    sa.Index("ix_breach_tenant_severity", Breach.tenant_id, Breach.severity_score),
    # the incident log (triage queue first) and its link to the register entry
    sa.Index("ix_incident_tenant_status_reported", Incident.tenant_id, Incident.status, Incident.reported_at),
    sa.Index("ix_breach_tenant_incident", Breach.tenant_id, Breach.incident_id),
    # exports load a batch of breaches' measures, parties, advice and communications at once
    sa.Index("ix_measure_tenant_breach", Measure.tenant_id, Measure.breach_id),
    sa.Index("ix_party_tenant_breach", Party.tenant_id, Party.breach_id),
    sa.Index("ix_fg_advice_tenant_breach", FgAdvice.tenant_id, FgAdvice.breach_id),
    sa.Index("ix_subject_communication_tenant_breach", SubjectCommunication.tenant_id, SubjectCommunication.breach_id),
)
