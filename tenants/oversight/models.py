"""What the supervision relationship between an institution and the regulator keeps.

These tables sit on the privacy boundary, so they live beside the query modules that
guard it (both sides import them; neither side imports the other):

* `BreachQuality` — metadata the institution's own tenant computes about each register
  entry (is there a delay reason, is the description long enough …): booleans and codes
  that cross-tenant readers may see, so the regulator never needs a text column.
* `ReconciliationFinding` — the regulator's findings (its tenant), each about one
  institution, which that institution may read (not change).
* `FindingResponse` — the institution's answer to a finding (its tenant): a response
  code the regulator sees and an internal note the regulator never sees.
* `RegisterRequest` — the regulator asks an institution for its full register (the
  regulator's tenant, readable by that institution).
* `RegisterRelease` — the institution's export for a request (its tenant); readable by
  the requesting regulator only once the institution has released (or declined) it.
* `SectorBenchmark` — anonymised sector percentiles (no tenant: shared with everyone).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lekwijzer.db import TenantScoped, db, oversight, tenant_fk, utcnow
from lekwijzer.dbsecurity import TENANT_GUC

CODE = sa.String(48)
_GUC = TENANT_GUC  # evaluated once per statement (see lekwijzer.dbsecurity)


class BreachQuality(TenantScoped, db.Model):
    """Quality flags of one register entry, computed inside the institution's tenant.

    One boolean per mandatory part (Art. 33(5) and the AP's expectations), so that
    completeness and "what is missing" can be computed set-based by cross-tenant
    readers without ever reading a text column. `*_needed` says whether a part applies.
    """

    __tablename__ = "breach_quality"
    breach_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    computed_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())
    has_facts: Mapped[bool] = mapped_column(info=oversight())
    has_cause: Mapped[bool] = mapped_column(info=oversight())
    has_data_categories: Mapped[bool] = mapped_column(info=oversight())
    has_subject_categories: Mapped[bool] = mapped_column(info=oversight())
    has_persons: Mapped[bool] = mapped_column(info=oversight())
    has_consequences: Mapped[bool] = mapped_column(info=oversight())
    has_risk: Mapped[bool] = mapped_column(info=oversight())
    has_corrective_measure: Mapped[bool] = mapped_column(info=oversight())
    has_decision: Mapped[bool] = mapped_column(info=oversight())
    has_subject_communication: Mapped[bool] = mapped_column(info=oversight())
    delay_reason_needed: Mapped[bool] = mapped_column(info=oversight())
    has_delay_reason: Mapped[bool] = mapped_column(info=oversight())
    no_notification_reasoning_needed: Mapped[bool] = mapped_column(info=oversight())
    has_no_notification_reasoning: Mapped[bool] = mapped_column(info=oversight())
    description_too_short: Mapped[bool] = mapped_column(info=oversight())
    risk_without_reasoning: Mapped[bool] = mapped_column(info=oversight())
    completeness: Mapped[int] = mapped_column(info=oversight())  # 0..100

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "breach_id"),
        tenant_fk("breach_id", "breach", ondelete="CASCADE"),
    )


class ReconciliationFinding(TenantScoped, db.Model):
    """One finding of the regulator's reconciliation, kept across runs.

    `status` is open or resolved; a finding is *new* in the run that first saw it
    (`first_seen_run_id`). Written set-based by the reconciliation on the oversight role
    (an oversight workspace table); read by the institution it is about.
    """

    __tablename__ = "reconciliation_finding"
    __oversight_workspace__ = True
    __rls_using__ = f"institution_id = {_GUC}"

    # Byte-wise collation on PostgreSQL: the key is compared for equality only, and a
    # locale-aware collation makes every index insert of a run several times slower.
    finding_key: Mapped[str] = mapped_column(sa.String(255).with_variant(sa.String(255, collation="C"), "postgresql"))
    kind: Mapped[str] = mapped_column(CODE)
    institution_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("org.id"))
    ap_reference: Mapped[str | None] = mapped_column(sa.String(64))
    breach_id: Mapped[uuid.UUID | None]  # the institution's register entry (no cross-tenant key)
    match_method: Mapped[str | None] = mapped_column(CODE)
    detail: Mapped[str | None] = mapped_column(sa.String(200))  # codes, comma separated
    hours: Mapped[float | None] = mapped_column(sa.Float)  # e.g. hours late
    # How many notifications a finding about several stands for: `matched` is one finding
    # per institution and matching method (the expected case is counted, not listed).
    notifications: Mapped[int | None]
    anchor_at: Mapped[datetime | None]  # the moment that put it in a run's period
    status: Mapped[str] = mapped_column(CODE, default="open")  # open | resolved
    first_seen_run_id: Mapped[uuid.UUID]
    first_seen_at: Mapped[datetime]
    resolved_run_id: Mapped[uuid.UUID | None]
    resolved_at: Mapped[datetime | None]
    reopened: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "finding_key"),
        # Serves the regulator (one tenant) and the institution (its rows, via RLS) alike.
        sa.Index("ix_reconciliation_finding_about", "institution_id"),
    )

    @classmethod
    def tenant_criteria(cls, tenant_id, user_id):
        return sa.or_(cls.tenant_id == tenant_id, cls.institution_id == tenant_id)


class InstitutionReview(TenantScoped, db.Model):
    """What one reconciliation run concluded about one institution's register as a whole.

    Written by the register-quality review with its findings (oversight workspace), after the
    reconciliation; the institution reads its own rows, so it sees exactly what the regulator sees.
    """

    __tablename__ = "institution_review"
    __oversight_workspace__ = True
    __rls_using__ = f"institution_id = {_GUC}"

    run_id: Mapped[uuid.UUID]
    institution_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("org.id"))
    computed_at: Mapped[datetime]
    period_from: Mapped[date]
    period_until: Mapped[date]
    breaches: Mapped[int] = mapped_column(default=0)
    complete_entries: Mapped[int] = mapped_column(default=0)
    completeness_avg: Mapped[float | None] = mapped_column(sa.Float)
    description_too_short: Mapped[int] = mapped_column(default=0)
    risk_without_reasoning: Mapped[int] = mapped_column(default=0)
    not_ended: Mapped[int] = mapped_column(default=0)
    missing_corrective: Mapped[int] = mapped_column(default=0)
    received: Mapped[int] = mapped_column(default=0)  # notifications (dossiers) the AP received
    register_notifications: Mapped[int] = mapped_column(default=0)
    per_100_employees: Mapped[float | None] = mapped_column(sa.Float)
    per_1000_clients: Mapped[float | None] = mapped_column(sa.Float)
    sector_p10_employees: Mapped[float | None] = mapped_column(sa.Float)
    sector_p10_clients: Mapped[float | None] = mapped_column(sa.Float)
    lowest_decile_employees: Mapped[bool | None]
    lowest_decile_clients: Mapped[bool | None]
    policy_stale: Mapped[bool | None]
    policy_fg_decides: Mapped[bool | None]
    reports_known: Mapped[bool] = mapped_column(default=False)
    last_report_signed_at: Mapped[datetime | None]
    open_findings: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "run_id", "institution_id"),
        sa.Index("ix_institution_review_about", "institution_id", "computed_at"),
    )

    @classmethod
    def tenant_criteria(cls, tenant_id, user_id):
        return sa.or_(cls.tenant_id == tenant_id, cls.institution_id == tenant_id)


class FindingResponse(TenantScoped, db.Model):
    """The institution's answer to a finding: a code for the regulator, a note for itself."""

    __tablename__ = "finding_response"
    finding_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    code: Mapped[str] = mapped_column(CODE, info=oversight())
    responded_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())
    note: Mapped[str | None] = mapped_column(sa.Text)  # internal, never shown to the regulator
    responded_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("app_user.id"))

    __table_args__ = (sa.UniqueConstraint("tenant_id", "finding_id"),)


class RegisterRequest(TenantScoped, db.Model):
    """The regulator asks one institution for its full register (Art. 58(1)(a) GDPR)."""

    __tablename__ = "register_request"
    __rls_using__ = f"institution_id = {_GUC}"

    institution_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("org.id"))
    case_reference: Mapped[str] = mapped_column(sa.String(64))
    legal_basis: Mapped[str] = mapped_column(CODE)
    period_from: Mapped[date]
    period_until: Mapped[date]
    file_format: Mapped[str] = mapped_column(sa.String(8))  # csv | xlsx
    due_date: Mapped[date]
    requested_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("app_user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.Index("ix_register_request_about", "institution_id"),)

    @classmethod
    def tenant_criteria(cls, tenant_id, user_id):
        return sa.or_(cls.tenant_id == tenant_id, cls.institution_id == tenant_id)


class RegisterRelease(TenantScoped, db.Model):
    """An institution's export for a register request, reviewed before it is released."""

    __tablename__ = "register_release"
    __rls_using__ = f"regulator_id = {_GUC} AND decided_at IS NOT NULL"

    request_id: Mapped[uuid.UUID]
    regulator_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("org.id"))
    status: Mapped[str] = mapped_column(CODE, default="preparing")  # preparing|ready|released|declined
    file_format: Mapped[str] = mapped_column(sa.String(8))
    row_count: Mapped[int | None]
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    content_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    prepared_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("app_user.id"))
    decline_reason: Mapped[str | None] = mapped_column(CODE)
    downloads: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.UniqueConstraint("tenant_id", "request_id"),
                      sa.Index("ix_register_release_regulator", "regulator_id"))

    @classmethod
    def tenant_criteria(cls, tenant_id, user_id):
        return sa.or_(cls.tenant_id == tenant_id,
                      sa.and_(cls.regulator_id == tenant_id, cls.decided_at.is_not(None)))


class SectorBenchmark(db.Model):
    """The sector's anonymised distribution of one benchmark figure (shared, no tenant).

    Only percentiles over at least `MIN_INSTITUTIONS` institutions are stored; nothing
    here names or counts an institution's own breaches.
    """

    __tablename__ = "sector_benchmark"
    metric: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    period_from: Mapped[date]
    period_until: Mapped[date]
    institutions: Mapped[int]
    p10: Mapped[float | None] = mapped_column(sa.Float)
    p25: Mapped[float | None] = mapped_column(sa.Float)
    p50: Mapped[float | None] = mapped_column(sa.Float)
    p75: Mapped[float | None] = mapped_column(sa.Float)
    p90: Mapped[float | None] = mapped_column(sa.Float)
