"""The register's data: incidents, breaches (register entries) and what hangs off them.

Every part of a register entry is a separate field (the AP found registers where
everything sat in one text box). Columns marked `oversight()` are codes, dates and counts
that cross-tenant readers (regulator, commissioners, statistics) may see; free text,
names and contents are never marked.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from lekwijzer.db import TenantScoped, db, oversight, tenant_fk, utcnow

TEXT = sa.Text
CODE = sa.String(48)


def _user_fk():
    return sa.ForeignKey("app_user.id")


class ProcessingActivity(TenantScoped, db.Model):
    """An activity in the processing register (Art. 30 GDPR)."""

    __tablename__ = "processing_activity"
    name: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[str] = mapped_column(TEXT)
    legal_basis: Mapped[str | None] = mapped_column(sa.String(200))
    data_categories: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    subject_categories: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    systems: Mapped[str | None] = mapped_column(TEXT)
    processors: Mapped[str | None] = mapped_column(TEXT)
    retention: Mapped[str | None] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Incident(TenantScoped, db.Model):
    """A security incident as a staff member reported it; triage decides if it is a breach."""

    __tablename__ = "incident"
    reported_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    reported_token_id: Mapped[uuid.UUID | None]  # reported through the API with this token
    reported_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())
    what_happened: Mapped[str] = mapped_column(TEXT)
    occurred_at: Mapped[datetime | None]
    noticed_at: Mapped[datetime | None] = mapped_column(info=oversight())
    information_kind: Mapped[str | None] = mapped_column(TEXT)
    people_estimate: Mapped[str | None] = mapped_column(sa.String(32))  # a range code, e.g. "11-100"
    actions_taken: Mapped[str | None] = mapped_column(TEXT)
    status: Mapped[str] = mapped_column(CODE, default="new", info=oversight())  # enums.INCIDENT_STATUS
    triaged_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    triaged_at: Mapped[datetime | None] = mapped_column(info=oversight())
    triage_reason: Mapped[str | None] = mapped_column(TEXT)

    __table_args__ = (tenant_fk("reported_token_id", "api_token"),
                      sa.Index("ix_incident_tenant_status", "tenant_id", "status"))


class Breach(TenantScoped, db.Model):
    """A register entry (Art. 33(5)): one personal-data breach."""

    __tablename__ = "breach"
    reference: Mapped[str] = mapped_column(sa.String(32))  # internal, e.g. "DL-2026-014"
    incident_id: Mapped[uuid.UUID | None]
    processing_activity_id: Mapped[uuid.UUID | None]
    title: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(CODE, default="open", info=oversight())
    created_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())

    # Facts
    incident_type: Mapped[str] = mapped_column(CODE, default="tbd", info=oversight())
    cause: Mapped[str] = mapped_column(CODE, default="tbd", info=oversight())
    cause_description: Mapped[str | None] = mapped_column(TEXT)
    what_happened: Mapped[str | None] = mapped_column(TEXT)
    discovery_source: Mapped[str | None] = mapped_column(CODE, info=oversight())
    nature: Mapped[list[str]] = mapped_column(sa.JSON, default=list, info=oversight())
    confidentiality_level: Mapped[str | None] = mapped_column(CODE, info=oversight())
    integrity_level: Mapped[str | None] = mapped_column(CODE, info=oversight())
    availability_level: Mapped[str | None] = mapped_column(CODE, info=oversight())
    unintelligible: Mapped[str | None] = mapped_column(CODE, info=oversight())
    measures_in_place: Mapped[list[str]] = mapped_column(sa.JSON, default=list, info=oversight())
    data_categories: Mapped[list[str]] = mapped_column(sa.JSON, default=list, info=oversight())
    subject_categories: Mapped[list[str]] = mapped_column(sa.JSON, default=list, info=oversight())
    persons_count_mode: Mapped[str | None] = mapped_column(CODE, info=oversight())
    persons_min: Mapped[int | None] = mapped_column(info=oversight())
    persons_max: Mapped[int | None] = mapped_column(info=oversight())
    records_count: Mapped[int | None] = mapped_column(info=oversight())

    # Timeline (UTC). The 72-hour clock runs from aware_at.
    occurrence_mode: Mapped[str | None] = mapped_column(CODE, info=oversight())
    occurred_from: Mapped[datetime | None] = mapped_column(info=oversight())
    occurred_until: Mapped[datetime | None] = mapped_column(info=oversight())
    dates_estimated: Mapped[bool] = mapped_column(default=False, info=oversight())
    discovered_at: Mapped[datetime | None] = mapped_column(info=oversight())
    processor_notified_controller_at: Mapped[datetime | None] = mapped_column(info=oversight())
    aware_at: Mapped[datetime | None] = mapped_column(info=oversight())
    awareness_justification: Mapped[str | None] = mapped_column(TEXT)
    contained_at: Mapped[datetime | None] = mapped_column(info=oversight())
    ended_at: Mapped[datetime | None] = mapped_column(info=oversight())

    # Consequences, ending, prevention
    consequences: Mapped[str | None] = mapped_column(TEXT)
    impacts: Mapped[list[str]] = mapped_column(sa.JSON, default=list, info=oversight())
    impact_severity: Mapped[str | None] = mapped_column(CODE, info=oversight())
    ended_how: Mapped[str | None] = mapped_column(TEXT)
    no_corrective_measures_reason: Mapped[str | None] = mapped_column(TEXT)
    prevention_notes: Mapped[str | None] = mapped_column(TEXT)  # lessons learned, what prevents recurrence
    reported_to_police: Mapped[bool | None] = mapped_column(info=oversight())
    other_authorities: Mapped[str | None] = mapped_column(TEXT)  # e.g. Z-CERT, IGJ, NCSC
    cross_border: Mapped[bool] = mapped_column(default=False, info=oversight())

    # Notification: reasons live here; the decisions and notifications in their own tables.
    delay_reason: Mapped[str | None] = mapped_column(TEXT)
    no_notification_reasoning: Mapped[str | None] = mapped_column(TEXT)
    subject_communication_status: Mapped[str | None] = mapped_column(CODE, info=oversight())

    # Derived state, kept by the service so that lists, filters and the regulator's
    # reconciliation need no joins (see clock.py for the rules behind them).
    ap_deadline_at: Mapped[datetime | None] = mapped_column(info=oversight())  # aware_at + 72 h
    ap_notified_at: Mapped[datetime | None] = mapped_column(info=oversight())  # first initial notification
    notified_late: Mapped[bool] = mapped_column(default=False, info=oversight())
    notify_ap: Mapped[bool | None] = mapped_column(info=oversight())  # the current decision
    inform_subjects: Mapped[bool | None] = mapped_column(info=oversight())  # the current decision
    subjects_planned_on: Mapped[date | None] = mapped_column(info=oversight())
    subjects_informed_at: Mapped[datetime | None] = mapped_column(info=oversight())
    followup_open: Mapped[bool] = mapped_column(default=False, info=oversight())  # incomplete AP notification
    updated_at: Mapped[datetime | None] = mapped_column(info=oversight())

    # Current assessment, copied from the latest BreachAssessment for lists and statistics.
    severity_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 2), info=oversight())
    severity_band: Mapped[str | None] = mapped_column(CODE, info=oversight())
    risk_outcome: Mapped[str | None] = mapped_column(CODE, info=oversight())

    closed_at: Mapped[datetime | None] = mapped_column(info=oversight())
    closed_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "reference"),
        tenant_fk("incident_id", "incident"),
        tenant_fk("processing_activity_id", "processing_activity"),
        sa.CheckConstraint("persons_min IS NULL OR persons_min >= 0", name="persons_min_nonneg"),
        sa.CheckConstraint("persons_max IS NULL OR persons_min IS NULL OR persons_max >= persons_min",
                           name="persons_range"),
        sa.Index("ix_breach_tenant_aware", "tenant_id", "aware_at"),
        sa.Index("ix_breach_tenant_status", "tenant_id", "status"),
        sa.Index("ix_breach_tenant_deadline", "tenant_id", "ap_deadline_at"),
    )

    assessments: Mapped[list["BreachAssessment"]] = relationship(
        back_populates="breach", order_by="BreachAssessment.version", viewonly=True)


class BreachAssessment(TenantScoped, db.Model):
    """One version of the severity assessment (ENISA 2013) and risk outcome. Append-only."""

    __tablename__ = "breach_assessment"
    __append_only__ = True
    breach_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    version: Mapped[int] = mapped_column(info=oversight())
    method: Mapped[str] = mapped_column(sa.String(32), default="enisa-2013-v1", info=oversight())
    created_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    created_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())
    dpc_base: Mapped[int] = mapped_column(info=oversight())
    dpc_adjustment: Mapped[int] = mapped_column(default=0, info=oversight())
    dpc_adjustment_reason: Mapped[str | None] = mapped_column(TEXT)
    dpc_final: Mapped[int] = mapped_column(info=oversight())
    ease_of_identification: Mapped[Decimal] = mapped_column(sa.Numeric(3, 2), info=oversight())
    cb_confidentiality: Mapped[Decimal] = mapped_column(sa.Numeric(3, 2), info=oversight())
    cb_integrity: Mapped[Decimal] = mapped_column(sa.Numeric(3, 2), info=oversight())
    cb_availability: Mapped[Decimal] = mapped_column(sa.Numeric(3, 2), info=oversight())
    cb_malicious: Mapped[Decimal] = mapped_column(sa.Numeric(3, 2), info=oversight())
    malicious_reason: Mapped[str | None] = mapped_column(TEXT)  # when it departs from the cause
    inputs: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # categories and levels it was based on
    score: Mapped[Decimal] = mapped_column(sa.Numeric(4, 2), info=oversight())
    band: Mapped[str] = mapped_column(CODE, info=oversight())
    formula: Mapped[str] = mapped_column(sa.String(200))
    flag_over_100: Mapped[bool] = mapped_column(default=False, info=oversight())
    flag_unintelligible: Mapped[bool] = mapped_column(default=False, info=oversight())
    override_band: Mapped[str | None] = mapped_column(CODE, info=oversight())
    override_reason: Mapped[str | None] = mapped_column(TEXT)
    risk_outcome: Mapped[str] = mapped_column(CODE, info=oversight())
    risk_reasoning: Mapped[str] = mapped_column(TEXT)

    __table_args__ = (tenant_fk("breach_id", "breach"), sa.UniqueConstraint("tenant_id", "breach_id", "version"))
    breach: Mapped[Breach] = relationship(back_populates="assessments", viewonly=True)


class FgAdvice(TenantScoped, db.Model):
    """The FG's advice, recorded on its own. The FG advises; the board decides."""

    __tablename__ = "fg_advice"
    breach_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    given_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    given_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())
    involved_from: Mapped[datetime | None] = mapped_column(info=oversight())
    advise_notify_ap: Mapped[bool | None] = mapped_column(info=oversight())
    advise_inform_subjects: Mapped[bool | None] = mapped_column(info=oversight())
    advice: Mapped[str] = mapped_column(TEXT)

    __table_args__ = (tenant_fk("breach_id", "breach"),)


class Decision(TenantScoped, db.Model):
    """A decision to notify the AP or to inform the people affected, by the board."""

    __tablename__ = "decision"
    breach_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    kind: Mapped[str] = mapped_column(CODE, info=oversight())  # enums.DECISION_KIND
    outcome: Mapped[bool] = mapped_column(info=oversight())  # notify / inform: yes or no
    art34_ground: Mapped[str | None] = mapped_column(CODE, info=oversight())
    art34_justification: Mapped[str | None] = mapped_column(TEXT)
    art34_evidence: Mapped[str | None] = mapped_column(TEXT)
    reasoning: Mapped[str] = mapped_column(TEXT)
    override_note: Mapped[str | None] = mapped_column(TEXT)  # when ENISA >= 2 and no notification
    decided_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    decided_role: Mapped[str] = mapped_column(CODE, info=oversight())  # enums.DECISION_ROLE, never fg
    decided_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())
    fg_advice_id: Mapped[uuid.UUID | None]
    fg_advice_followed: Mapped[bool | None] = mapped_column(info=oversight())
    deviation_reason: Mapped[str | None] = mapped_column(TEXT)
    no_fg_advice_reason: Mapped[str | None] = mapped_column(TEXT)
    mandate_id: Mapped[uuid.UUID | None] = mapped_column(info=oversight())
    communication_status: Mapped[str | None] = mapped_column(CODE, info=oversight())  # inform_subjects only
    planned_on: Mapped[date | None] = mapped_column(info=oversight())
    superseded_at: Mapped[datetime | None] = mapped_column(info=oversight())

    __table_args__ = (tenant_fk("breach_id", "breach"), tenant_fk("fg_advice_id", "fg_advice"),
                      tenant_fk("mandate_id", "decision_mandate"))


class ApNotification(TenantScoped, db.Model):
    """A notification sent to the AP, with a frozen copy of what was sent. Append-only."""

    __tablename__ = "ap_notification"
    __append_only__ = True
    breach_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    kind: Mapped[str] = mapped_column(CODE, info=oversight())  # enums.AP_NOTIFICATION_KIND
    sub_type: Mapped[str | None] = mapped_column(CODE, info=oversight())  # complete | incomplete
    ap_reference: Mapped[str] = mapped_column(sa.String(64), info=oversight())  # verbatim, never parsed
    initial_id: Mapped[uuid.UUID | None] = mapped_column(info=oversight())
    submitted_at: Mapped[datetime] = mapped_column(info=oversight())
    withdrawal_reason: Mapped[str | None] = mapped_column(CODE, info=oversight())
    withdrawal_text: Mapped[str | None] = mapped_column(TEXT)
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # frozen copy of what was sent
    notifier_name: Mapped[str | None] = mapped_column(sa.String(200))
    notifier_function: Mapped[str | None] = mapped_column(sa.String(200))
    notifier_phone: Mapped[str | None] = mapped_column(sa.String(40))
    notifier_email: Mapped[str | None] = mapped_column(sa.String(254))
    late: Mapped[bool] = mapped_column(default=False, info=oversight())  # initial sent after 72 h
    created_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (tenant_fk("breach_id", "breach"), tenant_fk("initial_id", "ap_notification"),
                      sa.Index("ix_ap_notification_reference", "tenant_id", "ap_reference"))


class SubjectCommunication(TenantScoped, db.Model):
    """Informing the people affected (Art. 34): channel, date, content, reach, proof."""

    __tablename__ = "subject_communication"
    breach_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    channel: Mapped[str] = mapped_column(CODE, info=oversight())
    sent_at: Mapped[datetime] = mapped_column(info=oversight())
    to_legal_representatives: Mapped[bool] = mapped_column(default=False, info=oversight())
    reach_count: Mapped[int | None] = mapped_column(info=oversight())
    all_subjects_reached: Mapped[bool | None] = mapped_column(info=oversight())
    content: Mapped[str] = mapped_column(TEXT)
    proof: Mapped[str | None] = mapped_column(TEXT)  # where the proof is kept / a file reference
    # Art. 34(2): the message names a contact point, the likely consequences and the measures.
    covers_contact_point: Mapped[bool] = mapped_column(default=False, info=oversight())
    covers_consequences: Mapped[bool] = mapped_column(default=False, info=oversight())
    covers_measures: Mapped[bool] = mapped_column(default=False, info=oversight())
    institution_is_guardian: Mapped[bool] = mapped_column(default=False, info=oversight())
    created_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (tenant_fk("breach_id", "breach"),)


class CrisisMessage(TenantScoped, db.Model):
    """One entry of the crisis-communication timeline with a stakeholder group."""

    __tablename__ = "crisis_message"
    breach_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    stakeholder: Mapped[str] = mapped_column(CODE, info=oversight())  # enums.STAKEHOLDER_GROUP
    at: Mapped[datetime] = mapped_column(info=oversight())
    channel: Mapped[str | None] = mapped_column(sa.String(100))
    summary: Mapped[str] = mapped_column(TEXT)
    by_user: Mapped[uuid.UUID | None] = mapped_column(_user_fk())

    __table_args__ = (tenant_fk("breach_id", "breach"),)


class HandlingStep(TenantScoped, db.Model):
    """One of the six handling steps, done by whom and when."""

    __tablename__ = "handling_step"
    breach_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    step: Mapped[str] = mapped_column(CODE, info=oversight())  # enums.HANDLING_STEP
    done_at: Mapped[datetime] = mapped_column(info=oversight())
    done_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    note: Mapped[str | None] = mapped_column(TEXT)

    __table_args__ = (tenant_fk("breach_id", "breach"), sa.UniqueConstraint("tenant_id", "breach_id", "step"))


class Party(TenantScoped, db.Model):
    """A processor, sub-processor or other party involved in a breach."""

    __tablename__ = "party"
    breach_id: Mapped[uuid.UUID] = mapped_column(info=oversight())
    role: Mapped[str] = mapped_column(CODE, info=oversight())  # enums.PARTY_ROLE
    name: Mapped[str] = mapped_column(sa.String(200))
    notified_controller_at: Mapped[datetime | None] = mapped_column(info=oversight())
    note: Mapped[str | None] = mapped_column(TEXT)

    __table_args__ = (tenant_fk("breach_id", "breach"),)


class Measure(TenantScoped, db.Model):
    """A corrective or preventive measure, with an owner and a due date.

    Linked to a breach, to a recommendation of an improvement plan (learning), or both.
    `target_incident_type` says which kind of breach it should prevent (effectiveness).
    """

    __tablename__ = "measure"
    breach_id: Mapped[uuid.UUID | None] = mapped_column(info=oversight())
    kind: Mapped[str] = mapped_column(CODE, info=oversight())  # corrective | preventive
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(TEXT)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    due_date: Mapped[date | None] = mapped_column(info=oversight())
    status: Mapped[str] = mapped_column(CODE, default="planned", info=oversight())
    done_at: Mapped[datetime | None] = mapped_column(info=oversight())
    target_incident_type: Mapped[str | None] = mapped_column(CODE, info=oversight())
    created_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())

    __table_args__ = (tenant_fk("breach_id", "breach"),
                      sa.Index("ix_measure_tenant_status_due", "tenant_id", "status", "due_date"))


class DecisionMandate(TenantScoped, db.Model):
    """A board member mandates a manager to take notification decisions, for a period.

    The FG can never hold a mandate (the FG advises and supervises; it does not decide).
    """

    __tablename__ = "decision_mandate"
    grantee_id: Mapped[uuid.UUID] = mapped_column(_user_fk())
    granted_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    scope: Mapped[list[str]] = mapped_column(sa.JSON, default=list, info=oversight())  # enums.DECISION_KIND
    valid_from: Mapped[date] = mapped_column(info=oversight())
    valid_until: Mapped[date] = mapped_column(info=oversight())
    note: Mapped[str | None] = mapped_column(TEXT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())
    revoked_at: Mapped[datetime | None] = mapped_column(info=oversight())
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(_user_fk())

    __table_args__ = (sa.CheckConstraint("valid_until >= valid_from", name="mandate_period"),)


class RegisterReminder(TenantScoped, db.Model):
    """A reminder that was sent (72-hour clock thresholds, measure due dates): sent once."""

    __tablename__ = "register_reminder"
    object_type: Mapped[str] = mapped_column(CODE)  # breach | measure
    object_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(CODE)  # clock_24h | clock_48h | clock_66h | measure_due | measure_overdue
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("tenant_id", "object_type", "object_id", "kind"),)


class AppendOnlyError(PermissionError):
    """A notification as sent, or an assessment version, was about to be changed or removed."""


@event.listens_for(Session, "before_flush")
def _append_only(session, flush_context, instances):
    # Rule 15 (immutability). On PostgreSQL the app role also lacks UPDATE and DELETE on
    # these tables (lekwijzer.dbsecurity); this guard says the same on SQLite, earlier.
    for obj in list(session.dirty) + list(session.deleted):
        if getattr(type(obj), "__append_only__", False) and (
                obj in session.deleted or session.is_modified(obj, include_collections=False)):
            raise AppendOnlyError(f"{type(obj).__name__} is append-only: add a new version instead")
