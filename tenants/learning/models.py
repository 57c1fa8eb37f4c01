"""Learning from breaches: improvement plans, effectiveness judgements, the reporting
policy, board reports and what an institution shares with its commissioners.

Measures themselves live in the register (`tenants.register.models.Measure`); this
feature links them to plans through its own table and never changes the register's model.

What commissioners may see is marked `oversight()`: codes, dates, counts, and the
*shared titles* of plans, recommendations and plan measures. A shared title is a separate
field that the form labels "visible to commissioners" (no names, no case details); the
register's own titles and every description, reasoning, note and evidence text stay
private. Tests seed marker strings in every unmarked text column and search every
commissioner response for them.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from lekwijzer.db import TenantScoped, db, oversight, tenant_fk, utcnow

CODE = sa.String(48)


def _user_fk():
    return sa.ForeignKey("app_user.id")


class LearningSettings(TenantScoped, db.Model):
    """An institution's settings for the PDCA cycle (one row per organisation)."""

    __tablename__ = "learning_settings"
    effectiveness_window_months: Mapped[int] = mapped_column(default=6)
    policy_review_months: Mapped[int] = mapped_column(default=12, info=oversight())
    policy_reminder_days: Mapped[int] = mapped_column(default=30, info=oversight())
    report_interval_months: Mapped[int] = mapped_column(default=6, info=oversight())
    updated_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("tenant_id"),)


class ImprovementPlan(TenantScoped, db.Model):
    """An improvement plan: from a PDCA cycle, an external investigation, the AP, an audit."""

    __tablename__ = "improvement_plan"
    shared_title: Mapped[str] = mapped_column(sa.String(200), info=oversight())
    source: Mapped[str] = mapped_column(CODE, info=oversight())  # enums.PLAN_SOURCE
    source_reference: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(CODE, default="active", info=oversight())  # enums.PLAN_STATUS
    shared_with_commissioners: Mapped[bool] = mapped_column(default=True, info=oversight())
    owner_id: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    started_on: Mapped[date] = mapped_column(info=oversight())
    target_date: Mapped[date | None] = mapped_column(info=oversight())
    completed_at: Mapped[datetime | None] = mapped_column(info=oversight())
    created_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    created_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())

    __table_args__ = (sa.Index("ix_improvement_plan_tenant_status", "tenant_id", "status"),)


class PlanRecommendation(TenantScoped, db.Model):
    """One recommendation of a plan (e.g. one of COT's six), carried out through measures."""

    __tablename__ = "plan_recommendation"
    plan_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    position: Mapped[int] = mapped_column(info=oversight())
    shared_title: Mapped[str] = mapped_column(sa.String(300), info=oversight())
    description: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())

    __table_args__ = (tenant_fk("plan_id", "improvement_plan"),
                      sa.UniqueConstraint("tenant_id", "plan_id", "position"))


class RecommendationMeasure(TenantScoped, db.Model):
    """A register measure that carries out a recommendation (at most one per measure)."""

    __tablename__ = "recommendation_measure"
    recommendation_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    measure_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    shared_title: Mapped[str] = mapped_column(sa.String(200), info=oversight())
    created_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())

    __table_args__ = (tenant_fk("recommendation_id", "plan_recommendation"),
                      tenant_fk("measure_id", "measure"),
                      sa.UniqueConstraint("tenant_id", "measure_id"))


class MeasureEvidence(TenantScoped, db.Model):
    """Evidence that a measure was carried out: what it is and where it is kept."""

    __tablename__ = "measure_evidence"
    measure_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    description: Mapped[str] = mapped_column(sa.Text)
    location: Mapped[str | None] = mapped_column(sa.String(300))
    added_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    added_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())

    __table_args__ = (tenant_fk("measure_id", "measure"),)


class StatusChange(TenantScoped, db.Model):
    """Status history of plans and measures changed through the learning pages."""

    __tablename__ = "learning_status_change"
    subject: Mapped[str] = mapped_column(CODE, info=oversight())  # plan | measure
    subject_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    from_status: Mapped[str | None] = mapped_column(CODE, info=oversight())
    to_status: Mapped[str] = mapped_column(CODE, info=oversight())
    changed_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())
    note: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.Index("ix_learning_status_change_subject", "tenant_id", "subject_id"),)


class MeasureJudgement(TenantScoped, db.Model):
    """A recorded judgement of whether an implemented measure worked, with its figures."""

    __tablename__ = "measure_judgement"
    measure_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    verdict: Mapped[str] = mapped_column(CODE, info=oversight())  # enums.VERDICT
    reasoning: Mapped[str] = mapped_column(sa.Text)
    window_months: Mapped[int] = mapped_column(info=oversight())
    before_count: Mapped[int] = mapped_column(info=oversight())
    after_count: Mapped[int] = mapped_column(info=oversight())
    after_days: Mapped[int] = mapped_column(info=oversight())
    follow_up_measure_id: Mapped[uuid.UUID | None] = mapped_column(info=oversight())
    judged_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    judged_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())

    __table_args__ = (tenant_fk("measure_id", "measure"),
                      tenant_fk("follow_up_measure_id", "measure"),
                      sa.Index("ix_measure_judgement_measure", "tenant_id", "measure_id"))


class ReportingPolicy(TenantScoped, db.Model):
    """One adopted version of the internal reporting policy for breaches."""

    __tablename__ = "reporting_policy"
    version_label: Mapped[str] = mapped_column(sa.String(32))
    adopted_on: Mapped[date] = mapped_column(info=oversight())
    adopted_by_body: Mapped[str] = mapped_column(CODE, info=oversight())  # enums.POLICY_ADOPTER
    adopted_by_name: Mapped[str | None] = mapped_column(sa.String(200))
    fg_involved: Mapped[bool] = mapped_column(info=oversight())
    decision_role: Mapped[str] = mapped_column(CODE, info=oversight())  # enums.POLICY_DECISION_ROLE
    next_review_on: Mapped[date] = mapped_column(info=oversight())
    document_reference: Mapped[str | None] = mapped_column(sa.String(300))
    summary: Mapped[str | None] = mapped_column(sa.Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    created_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())

    __table_args__ = (sa.UniqueConstraint("tenant_id", "version_label"),)


class PolicyReview(TenantScoped, db.Model):
    """A review of a policy version that did not (yet) lead to a new version."""

    __tablename__ = "policy_review"
    policy_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    reviewed_on: Mapped[date] = mapped_column(info=oversight())
    outcome: Mapped[str] = mapped_column(CODE, info=oversight())  # enums.REVIEW_OUTCOME
    next_review_on: Mapped[date] = mapped_column(info=oversight())
    note: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (tenant_fk("policy_id", "reporting_policy"),)


class ReportingEvent(TenantScoped, db.Model):
    """A change in how people report (campaign, training, new channel): explains trends."""

    __tablename__ = "reporting_event"
    occurred_on: Mapped[date] = mapped_column(info=oversight())
    kind: Mapped[str] = mapped_column(CODE, info=oversight())  # enums.REPORTING_EVENT_KIND
    description: Mapped[str | None] = mapped_column(sa.Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BoardReport(TenantScoped, db.Model):
    """The half-yearly PDCA report to the board: a frozen snapshot, its PDF and the sign-off.

    The PDF is stored here (not on local disk) so that any web or worker process can
    serve it. The figures are frozen in `snapshot` when the report is generated; the
    signed version is rendered from the same snapshot with the sign-off added.
    """

    __tablename__ = "board_report"
    period_start: Mapped[date] = mapped_column(info=oversight())
    period_end: Mapped[date] = mapped_column(info=oversight())  # the last day, inclusive
    compare_periods: Mapped[int] = mapped_column(default=1)
    language: Mapped[str] = mapped_column(sa.String(8), default="nl")
    status: Mapped[str] = mapped_column(CODE, default="queued", info=oversight())  # enums.REPORT_STATUS
    requested_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    requested_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())
    job_id: Mapped[uuid.UUID | None]
    snapshot: Mapped[dict | None] = deferred(mapped_column(sa.JSON))
    generated_at: Mapped[datetime | None] = mapped_column(info=oversight())
    pdf: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    pdf_size: Mapped[int | None]
    pdf_includes_signoff: Mapped[bool] = mapped_column(default=False)
    signed_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    signed_at: Mapped[datetime | None] = mapped_column(info=oversight())
    signed_sha256: Mapped[str | None] = mapped_column(sa.String(64))  # the PDF the signer read
    sign_note: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.Index("ix_board_report_tenant_signed", "tenant_id", "signed_at"),)


class CommissionerGrant(TenantScoped, db.Model):
    """An institution lets a commissioning organisation follow its plans and figures.

    Readable by the oversight role (marked columns): the commissioner portal reads its
    grants through `tenants.oversight.learning`, which checks them on every call.
    """

    __tablename__ = "commissioner_grant"
    commissioner_org_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("org.id"), info=oversight())
    granted_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())
    granted_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    withdrawn_at: Mapped[datetime | None] = mapped_column(info=oversight())
    withdrawn_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())

    __table_args__ = (
        sa.Index("ix_commissioner_grant_commissioner", "commissioner_org_id", "withdrawn_at"),
        sa.Index("uq_commissioner_grant_active", "tenant_id", "commissioner_org_id", unique=True,
                 sqlite_where=sa.text("withdrawn_at IS NULL"), postgresql_where=sa.text("withdrawn_at IS NULL")),
    )
