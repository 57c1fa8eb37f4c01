"""Register quality, computed inside each institution's own tenant.

Some quality questions need the text: was a delay reason written, is the description
long enough to be useful, does the risk level carry its reasoning? The oversight role
may not read text, and it must stay that way. So each institution's tenant answers
those questions itself, with the ordinary app role and row-level security, and writes
only the answers — booleans and a percentage per register entry — to `breach_quality`,
whose columns are released for oversight. One set-based statement per institution.
"""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from lekwijzer.db import db, utcnow
from lekwijzer.tenancy import current_tenant_id, tenant_scope
from tenants.register.clock import NOTIFY_WITHIN
from tenants.register.models import ApNotification, Breach, BreachAssessment, Decision, Measure

from .models import BreachQuality
from .sqlfuncs import hours_between

DESCRIPTION_MIN_CHARS = 50  # "what happened" shorter than a sentence tells a reader nothing
REASONING_MIN_CHARS = 20  # risk reasoning: more than "low risk"
REASON_MIN_CHARS = 10  # a delay reason or a reason not to notify: more than "n/a"
# Art. 33(1): the register's own 72-hour clock, in hours for the SQL that compares with it
# (also the regulator's, which may read the register only through this package)
LATE_AFTER_HOURS = int(NOTIFY_WITHIN.total_seconds() // 3600)

# The mandatory parts of a register entry, in the order a reader checks them. `*_needed`
# parts count only where they apply. Codes are stable (labels in tenants.oversight.labels).
PARTS = ("facts", "cause", "data_categories", "subject_categories", "persons", "consequences", "risk",
         "corrective_measure", "decision", "subject_communication", "delay_reason", "no_notification_reasoning")
ALWAYS = PARTS[:10]


def _text_at_least(column, chars: int):
    return sa.func.coalesce(sa.func.length(sa.func.trim(column)), 0) >= chars


def _non_empty_list(column):
    as_text = sa.cast(column, sa.Text)
    return sa.and_(column.is_not(None), as_text.not_in(["[]", "null", ""]))


def _flag(condition):
    return sa.case((condition, sa.true()), else_=sa.false())


def _select_for(tenant_id: uuid.UUID, breach_ids=None):
    """One row of flags per register entry. Joins against per-entry aggregates (not
    correlated subqueries): each table is read once, whatever the number of entries."""
    b = Breach
    mine = lambda model: model.tenant_id == tenant_id  # noqa: E731  (Core: no ORM tenant criteria here)
    first_initial = (sa.select(ApNotification.breach_id, sa.func.min(ApNotification.submitted_at).label("at"))
                     .where(mine(ApNotification), ApNotification.kind == "initial")
                     .group_by(ApNotification.breach_id).subquery("fi"))
    corrective = (sa.select(Measure.breach_id).where(mine(Measure), Measure.kind == "corrective",
                                                    Measure.status != "cancelled", Measure.breach_id.is_not(None))
                  .group_by(Measure.breach_id).subquery("cm"))
    decided = (sa.select(Decision.breach_id,
                         sa.func.max(sa.case((Decision.outcome.is_(False), 1), else_=0)).label("said_no"))
               .where(mine(Decision), Decision.kind == "notify_ap", Decision.superseded_at.is_(None))
               .group_by(Decision.breach_id).subquery("dn"))
    ranked = (sa.select(BreachAssessment.breach_id, BreachAssessment.risk_reasoning,
                        sa.func.row_number().over(partition_by=BreachAssessment.breach_id,
                                                  order_by=BreachAssessment.version.desc()).label("pos"))
              .where(mine(BreachAssessment)).subquery("ra"))
    latest = sa.select(ranked.c.breach_id, ranked.c.risk_reasoning).where(ranked.c.pos == 1).subquery("la")

    flags = {
        "has_facts": _text_at_least(b.what_happened, 1),
        "has_cause": sa.and_(b.cause.is_not(None), b.cause != "tbd"),
        "has_data_categories": _non_empty_list(b.data_categories),
        "has_subject_categories": _non_empty_list(b.subject_categories),
        "has_persons": sa.and_(b.persons_count_mode.is_not(None), b.persons_count_mode != "tbd"),
        "has_consequences": _text_at_least(b.consequences, 1),
        "has_risk": sa.and_(b.risk_outcome.is_not(None), b.risk_outcome != "needs_more_info"),
        "has_corrective_measure": sa.or_(corrective.c.breach_id.is_not(None),
                                         _text_at_least(b.no_corrective_measures_reason, REASON_MIN_CHARS)),
        "has_decision": decided.c.breach_id.is_not(None),
        "has_subject_communication": b.subject_communication_status.is_not(None),
        "delay_reason_needed": sa.and_(b.aware_at.is_not(None), first_initial.c.at.is_not(None),
                                       hours_between(b.aware_at, first_initial.c.at) > LATE_AFTER_HOURS),
        "has_delay_reason": _text_at_least(b.delay_reason, REASON_MIN_CHARS),
        "no_notification_reasoning_needed": sa.func.coalesce(decided.c.said_no, 0) == 1,
        "has_no_notification_reasoning": _text_at_least(b.no_notification_reasoning, REASON_MIN_CHARS),
        "description_too_short": sa.and_(_text_at_least(b.what_happened, 1),
                                          sa.not_(_text_at_least(b.what_happened, DESCRIPTION_MIN_CHARS))),
        "risk_without_reasoning": sa.and_(b.risk_outcome.is_not(None),
                                           sa.not_(_text_at_least(latest.c.risk_reasoning, REASONING_MIN_CHARS))),
    }

    def one(condition):
        return sa.case((condition, 1), else_=0)

    present = sum(one(flags[f"has_{part}"]) for part in ALWAYS)
    present = (present + one(sa.and_(flags["delay_reason_needed"], flags["has_delay_reason"]))
               + one(sa.and_(flags["no_notification_reasoning_needed"], flags["has_no_notification_reasoning"])))
    applicable = len(ALWAYS) + one(flags["delay_reason_needed"]) + one(flags["no_notification_reasoning_needed"])
    joined = (sa.outerjoin(b, first_initial, first_initial.c.breach_id == b.id)
              .outerjoin(corrective, corrective.c.breach_id == b.id)
              .outerjoin(decided, decided.c.breach_id == b.id)
              .outerjoin(latest, latest.c.breach_id == b.id))
    select = sa.select(
        b.tenant_id.label("tenant_id"), b.id.label("breach_id"), b.id.label("id"),
        *[_flag(condition).label(name) for name, condition in flags.items()],
        sa.cast((present * 100) / applicable, sa.Integer).label("completeness"),
    ).select_from(joined).where(mine(b))
    if breach_ids is not None:
        select = select.where(b.id.in_(list(breach_ids)))
    return select, ["tenant_id", "breach_id", "id", *flags, "completeness"]


def refresh(breach_ids=None, now: datetime | None = None) -> int:
    """Recompute the current tenant's quality rows (all entries, or only `breach_ids`)."""
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise RuntimeError("quality.refresh runs inside one institution's tenant")
    now = now or utcnow()
    select, columns = _select_for(tenant_id, breach_ids)
    delete = sa.delete(BreachQuality).where(BreachQuality.tenant_id == tenant_id)
    if breach_ids is not None:
        delete = delete.where(BreachQuality.breach_id.in_(list(breach_ids)))
    db.session.execute(delete)
    # A set-based insert cannot use the Python uuid default (it would be one value for all
    # rows): a quality row takes its entry's id, unique in the tenant and stable.
    select = select.add_columns(sa.literal(now, type_=BreachQuality.computed_at.type).label("computed_at"))
    insert = sa.insert(BreachQuality).from_select([*columns, "computed_at"], select)
    result = db.session.execute(insert.execution_options(preserve_rowcount=True))
    return result.rowcount or 0


def refresh_institutions(institution_ids, now: datetime | None = None) -> None:
    """Refresh quality inside each institution's tenant, one after the other."""
    for institution_id in institution_ids:
        with tenant_scope(institution_id):
            refresh(now=now)


def missing_parts(row) -> list[str]:
    """The codes of a quality row's missing parts, in reading order."""
    missing = [part for part in ALWAYS if not getattr(row, f"has_{part}")]
    if row.delay_reason_needed and not row.has_delay_reason:
        missing.append("delay_reason")
    if row.no_notification_reasoning_needed and not row.has_no_notification_reasoning:
        missing.append("no_notification_reasoning")
    return missing
