"""Breach-register metadata for the regulator (reconciliation, quality, statistics).

Every function here returns a statement of columns marked `oversight()` (codes, dates,
counts) — never a text column. The regulator composes them into its own set-based
statements (joins, INSERT … SELECT) and runs them on the oversight role through
`tenants.oversight.workspace`, `fetch` or `stream`, which check the columns again; on
PostgreSQL the oversight role's column grants refuse anything else in any case.
"""
from __future__ import annotations

import sqlalchemy as sa

from lekwijzer.models import Org, OrgKind
from lekwijzer.oversight import check_columns
from tenants.register.models import ApNotification, Breach, Decision, Measure, SubjectCommunication

from . import fetch
from .models import BreachQuality, FindingResponse


def _checked(stmt: sa.Select) -> sa.Select:
    check_columns(stmt)
    return stmt


def institutions() -> sa.Select:
    """Active institutions: id, KvK number, size, clients, region (shared organisation data)."""
    return sa.select(Org.id, Org.kvk, Org.employees, Org.clients_per_year, Org.region_code).where(
        Org.kind == OrgKind.institution, Org.active.is_(True))


def notifications() -> sa.Select:
    """Every AP notification institutions recorded: breach, kind, reference, time."""
    return _checked(sa.select(ApNotification.tenant_id, ApNotification.breach_id, ApNotification.kind,
                              ApNotification.ap_reference, ApNotification.submitted_at))


def breaches() -> sa.Select:
    """Register entries: the metadata reconciliation, quality and statistics use."""
    return _checked(sa.select(
        Breach.tenant_id, Breach.id, Breach.status, Breach.created_at, Breach.aware_at, Breach.incident_type,
        Breach.persons_min, Breach.persons_max, Breach.risk_outcome, Breach.subject_communication_status,
        Breach.ended_at, Breach.severity_band, Breach.closed_at))


def notify_decisions(outcome: bool = True) -> sa.Select:
    """Current (not superseded) board decisions to notify the AP, or not to."""
    return _checked(sa.select(Decision.tenant_id, Decision.breach_id, Decision.decided_at).where(
        Decision.kind == "notify_ap", Decision.outcome.is_(outcome), Decision.superseded_at.is_(None)))


def communications() -> sa.Select:
    """Communications to the people affected: which breach, when."""
    return _checked(sa.select(SubjectCommunication.tenant_id, SubjectCommunication.breach_id,
                              SubjectCommunication.sent_at))


def quality() -> sa.Select:
    """Quality flags each institution computed about its own entries (tenants.oversight.quality)."""
    q = BreachQuality
    return _checked(sa.select(
        q.tenant_id, q.breach_id, q.computed_at, q.completeness, q.has_facts, q.has_cause,
        q.has_data_categories, q.has_subject_categories, q.has_persons, q.has_consequences, q.has_risk,
        q.has_corrective_measure, q.has_decision, q.has_subject_communication, q.delay_reason_needed,
        q.has_delay_reason, q.no_notification_reasoning_needed, q.has_no_notification_reasoning,
        q.description_too_short, q.risk_without_reasoning))


def measures() -> sa.Select:
    """Measures: breach, kind, due date, status, when done."""
    return _checked(sa.select(Measure.tenant_id, Measure.breach_id, Measure.kind, Measure.due_date,
                              Measure.status, Measure.done_at, Measure.created_at))


def responses() -> sa.Select:
    """Institutions' response codes to findings (never their internal notes)."""
    return _checked(sa.select(FindingResponse.tenant_id, FindingResponse.finding_id, FindingResponse.code,
                              FindingResponse.responded_at))


def responses_for(institution_ids) -> dict:
    """{finding id: (code, responded_at)} for the given institutions."""
    ids = list(institution_ids)
    if not ids:
        return {}
    stmt = responses().where(FindingResponse.tenant_id.in_(ids))
    return {row.finding_id: (row.code, row.responded_at) for row in fetch(stmt)}


def notifications_for(institution_ids) -> list[sa.Row]:
    """AP notifications institutions recorded: reference, kind, time; no contents."""
    stmt = sa.select(ApNotification.tenant_id, ApNotification.breach_id, ApNotification.kind,
                     ApNotification.ap_reference, ApNotification.submitted_at).where(
        ApNotification.tenant_id.in_(list(institution_ids)))
    return fetch(stmt)


def breach_counts(institution_ids) -> list[sa.Row]:
    """Breaches per institution and status."""
    stmt = (sa.select(Breach.tenant_id, Breach.status, sa.func.count().label("n"))
            .where(Breach.tenant_id.in_(list(institution_ids)))
            .group_by(Breach.tenant_id, Breach.status))
    return fetch(stmt)
