"""Improvement plans, their recommendations and the measures that carry them out.

Measures are the register's `Measure` rows; a plan reaches them through
`RecommendationMeasure`. Every change is audited (codes only) and status changes of plans
and measures are kept in `StatusChange` with an optional note.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext

from lekwijzer import audit
from lekwijzer.db import db, utcnow
from lekwijzer.edge import get_or_404
from lekwijzer.models import User
from tenants.register.models import Measure

from .models import (ImprovementPlan, MeasureEvidence, MeasureJudgement, PlanRecommendation,
                     RecommendationMeasure, StatusChange)
from .periods import today_local
from .rules import RuleError, check_owner

OPEN_MEASURE = ("planned", "in_progress")


# --- Reading --------------------------------------------------------------------------

def progress(statuses_due: list[tuple[str, object]], today=None) -> dict:
    """Progress over measures given as (status, due_date): cancelled ones do not count."""
    today = today or today_local()
    live = [(s, d) for s, d in statuses_due if s != "cancelled"]
    done = sum(1 for s, _ in live if s == "done")
    late = sum(1 for s, d in live if s in OPEN_MEASURE and d is not None and d < today)
    return {"total": len(live), "done": done, "late": late,
            "percent": round(100 * done / len(live)) if live else 0}


def recommendation_status(statuses: list[str]) -> str:
    live = [s for s in statuses if s != "cancelled"]
    if not live:
        return "no_measures"
    if all(s == "done" for s in live):
        return "completed"
    if all(s == "planned" for s in live):
        return "not_started"
    return "in_progress"


@dataclass
class RecommendationView:
    rec: PlanRecommendation
    items: list = field(default_factory=list)  # (link, measure)
    status: str = "no_measures"
    progress: dict = field(default_factory=dict)


def plans_with_progress(statuses=None) -> list[tuple[ImprovementPlan, dict]]:
    stmt = sa.select(ImprovementPlan).order_by(ImprovementPlan.started_on.desc(), ImprovementPlan.created_at.desc())
    if statuses:
        stmt = stmt.where(ImprovementPlan.status.in_(statuses))
    plans = db.session.scalars(stmt).all()
    rows = db.session.execute(
        sa.select(PlanRecommendation.plan_id, Measure.status, Measure.due_date)
        .join(RecommendationMeasure, RecommendationMeasure.recommendation_id == PlanRecommendation.id)
        .join(Measure, Measure.id == RecommendationMeasure.measure_id)).all()
    by_plan: dict = {}
    for plan_id, status, due in rows:
        by_plan.setdefault(plan_id, []).append((status, due))
    return [(p, progress(by_plan.get(p.id, []))) for p in plans]


def plan_detail(plan: ImprovementPlan) -> dict:
    recs = db.session.scalars(sa.select(PlanRecommendation).where(PlanRecommendation.plan_id == plan.id)
                              .order_by(PlanRecommendation.position)).all()
    rec_ids = [r.id for r in recs]
    pairs = db.session.execute(
        sa.select(RecommendationMeasure, Measure)
        .join(Measure, Measure.id == RecommendationMeasure.measure_id)
        .where(RecommendationMeasure.recommendation_id.in_(rec_ids))
        .order_by(Measure.due_date, Measure.created_at)).all() if rec_ids else []
    views = {r.id: RecommendationView(r) for r in recs}
    for link, measure in pairs:
        views[link.recommendation_id].items.append((link, measure))
    all_measures = [m for _, m in pairs]
    for view in views.values():
        view.status = recommendation_status([m.status for _, m in view.items])
        view.progress = progress([(m.status, m.due_date) for _, m in view.items])
    measure_ids = [m.id for m in all_measures]
    evidence = {}
    verdicts = {}
    if measure_ids:
        for row in db.session.scalars(sa.select(MeasureEvidence).where(MeasureEvidence.measure_id.in_(measure_ids))
                                      .order_by(MeasureEvidence.added_at)):
            evidence.setdefault(row.measure_id, []).append(row)
        for j in db.session.scalars(sa.select(MeasureJudgement).where(MeasureJudgement.measure_id.in_(measure_ids))
                                    .order_by(MeasureJudgement.judged_at)):
            verdicts[j.measure_id] = j
    history = db.session.scalars(
        sa.select(StatusChange).where(StatusChange.subject_id.in_([plan.id, *measure_ids]))
        .order_by(StatusChange.changed_at.desc())).all()
    user_ids = {m.owner_id for m in all_measures} | {h.changed_by for h in history} | {plan.owner_id} | {
        e.added_by for rows in evidence.values() for e in rows}
    return {
        "recommendations": [views[r.id] for r in recs],
        "progress": progress([(m.status, m.due_date) for m in all_measures]),
        "evidence": evidence,
        "verdicts": verdicts,
        "history": history,
        "names": user_names(user_ids),
        "measure_titles": {m.id: m.title for m in all_measures},
        "today": today_local(),
    }


def user_names(ids) -> dict:
    ids = [i for i in ids if i]
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


def link_of(measure_id) -> RecommendationMeasure | None:
    return db.session.scalar(sa.select(RecommendationMeasure).where(RecommendationMeasure.measure_id == measure_id))


# --- Changing -------------------------------------------------------------------------

def _history(subject: str, subject_id, old, new, user_id, note=None) -> None:
    db.session.add(StatusChange(subject=subject, subject_id=subject_id, from_status=old, to_status=new,
                                changed_by=user_id, note=note or None))


def create_plan(data: dict, user_id) -> ImprovementPlan:
    check_owner(data.get("owner_id"))
    plan = ImprovementPlan(id=uuid.uuid4(), created_by=user_id, **data)
    if plan.status == "completed":
        raise RuleError("status", gettext("A new plan cannot be completed yet: it has no measures."))
    db.session.add(plan)
    _history("plan", plan.id, None, plan.status, user_id)
    audit.record("improvement_plan.created", "improvement_plan", plan.id,
                 meta={"source": plan.source, "status": plan.status})
    return plan


def update_plan(plan: ImprovementPlan, data: dict) -> None:
    check_owner(data.get("owner_id"))
    for key, value in data.items():
        setattr(plan, key, value)
    audit.record("improvement_plan.updated", "improvement_plan", plan.id,
                 meta={"shared": plan.shared_with_commissioners})


def change_plan_status(plan: ImprovementPlan, status: str, note: str | None, user_id) -> None:
    if status == plan.status:
        return
    if status == "completed":
        statuses = db.session.scalars(
            sa.select(Measure.status).join(RecommendationMeasure, RecommendationMeasure.measure_id == Measure.id)
            .join(PlanRecommendation, PlanRecommendation.id == RecommendationMeasure.recommendation_id)
            .where(PlanRecommendation.plan_id == plan.id)).all()
        if not any(s == "done" for s in statuses):
            raise RuleError("status", gettext("A plan can only be completed when at least one of its measures "
                                              "has been implemented."))
        if any(s in OPEN_MEASURE for s in statuses):
            raise RuleError("status", gettext("A plan can only be completed when all its measures are "
                                              "implemented or cancelled."))
    old = plan.status
    plan.status = status
    plan.completed_at = utcnow() if status == "completed" else None
    _history("plan", plan.id, old, status, user_id, note)
    audit.record("improvement_plan.status_changed", "improvement_plan", plan.id, meta={"from": old, "to": status})


def add_recommendation(plan: ImprovementPlan, data: dict) -> PlanRecommendation:
    position = (db.session.scalar(sa.select(sa.func.max(PlanRecommendation.position))
                                  .where(PlanRecommendation.plan_id == plan.id)) or 0) + 1
    rec = PlanRecommendation(id=uuid.uuid4(), plan_id=plan.id, position=position, **data)
    db.session.add(rec)
    audit.record("improvement_plan.recommendation_added", "plan_recommendation", rec.id,
                 meta={"plan": plan.id, "position": position})
    return rec


def new_measure(*, title, due_date, user_id, kind="preventive", description=None, owner_id=None,
                target_incident_type=None, source="plan") -> Measure:
    check_owner(owner_id)
    measure = Measure(id=uuid.uuid4(), kind=kind, title=title, description=description, owner_id=owner_id,
                      due_date=due_date, status="planned", target_incident_type=target_incident_type)
    db.session.add(measure)
    _history("measure", measure.id, None, "planned", user_id)
    audit.record("measure.created", "measure", measure.id, meta={"kind": kind, "source": source})
    return measure


def add_plan_measure(rec: PlanRecommendation, data: dict, user_id) -> Measure:
    """Link an existing measure to a recommendation, or create a new one for it."""
    data = dict(data)
    shared_title = data.pop("title")
    measure_id = data.pop("measure_id", None)
    if measure_id is not None:
        measure = get_or_404(Measure, measure_id)
        if link_of(measure.id) is not None:
            raise RuleError("measure_id", gettext("This measure already belongs to a recommendation."))
    else:
        if data.get("due_date") is None:
            raise RuleError("due_date", gettext("Give the date by which the measure must be implemented."))
        measure = new_measure(title=shared_title, user_id=user_id, **data)
    db.session.add(RecommendationMeasure(recommendation_id=rec.id, measure_id=measure.id, shared_title=shared_title))
    audit.record("improvement_plan.measure_linked", "measure", measure.id, meta={"recommendation": rec.id})
    return measure


def add_evidence(measure: Measure, data: dict, user_id) -> MeasureEvidence:
    row = MeasureEvidence(measure_id=measure.id, added_by=user_id, **data)
    db.session.add(row)
    db.session.flush()
    audit.record("measure.evidence_added", "measure", measure.id, meta={"evidence": row.id})
    return row


def change_measure_status(measure: Measure, data: dict, user_id) -> None:
    status = data["status"]
    evidence = data.get("evidence")
    if status == measure.status and not evidence:
        return
    if status == "done" and measure.status != "done" and not evidence:
        has = db.session.scalar(sa.select(sa.func.count()).select_from(MeasureEvidence)
                                .where(MeasureEvidence.measure_id == measure.id))
        if not has:
            raise RuleError("evidence", gettext("Describe the evidence that the measure was implemented "
                                                "(what shows it and where it is kept)."))
    if evidence:
        add_evidence(measure, {"description": evidence, "location": data.get("evidence_location")}, user_id)
    if status != measure.status:
        old = measure.status
        measure.status = status
        measure.done_at = utcnow() if status == "done" else None
        _history("measure", measure.id, old, status, user_id, data.get("note"))
        audit.record("measure.status_changed", "measure", measure.id, meta={"from": old, "to": status})
