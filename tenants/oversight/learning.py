"""What a commissioner may learn about the institutions that granted it access.

Every function takes the *commissioner's* organisation id, never a list of institutions:
it reads the active grants itself (`commissioner_grant`, marked for oversight) in the
same oversight session as the data, and reads nothing of an institution without one. So
a caller cannot forget the check, and a withdrawn grant takes effect on the next call.

Returned: codes, dates, counts and shared titles of plans, recommendations and plan
measures (fields the institution fills in knowing that commissioners see them). Never a
register's free text, a breach's contents or a person's name. Period figures are counts
with small cells suppressed (`figures.suppress_cells`: 1..4 hidden, plus what would give
them away through a total).
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from lekwijzer.oversight import check_columns, oversight_session
from tenants.learning import figures
from tenants.learning.analysis import BREACH_COLUMNS, MEASURE_COLUMNS, NOTIFICATION_COLUMNS, build_dataset
from tenants.learning.models import (BoardReport, CommissionerGrant, ImprovementPlan, LearningSettings,
                                     MeasureEvidence, MeasureJudgement, PlanRecommendation, PolicyReview,
                                     RecommendationMeasure, ReportingEvent, ReportingPolicy)
from tenants.learning.periods import Period
from tenants.learning.plans import progress, recommendation_status
from tenants.learning.policy import ReviewRow, VersionRow, compute_status
from tenants.register.models import ApNotification, Breach, Incident, Measure, SubjectCommunication

SCALARS = ("total", "notified_ap", "notified_ap_late", "informed_subjects", "measures_planned",
           "measures_implemented", "measures_late", "recurrence")
TOTAL = "__total__"


class _Reader:
    """One oversight session; every statement is checked against the released columns."""

    def __init__(self, session):
        self.session = session

    def rows(self, stmt):
        check_columns(stmt)
        return self.session.execute(stmt).all()


def _granted(r: _Reader, commissioner_id) -> dict:
    rows = r.rows(sa.select(CommissionerGrant.tenant_id, CommissionerGrant.granted_at)
                  .where(CommissionerGrant.commissioner_org_id == commissioner_id,
                         CommissionerGrant.withdrawn_at.is_(None)))
    return {tenant_id: granted_at for tenant_id, granted_at in rows}


def granted_institutions(commissioner_id) -> dict:
    """{institution id: granted at} for the commissioner's active grants."""
    with oversight_session() as session:
        return _granted(_Reader(session), commissioner_id)


def _group(rows, width=None):
    out: dict = {}
    for row in rows:
        out.setdefault(row[0], []).append(tuple(row[1:]) if width is None or width > 1 else row[1])
    return out


def _datasets(r: _Reader, ids: list) -> dict:
    breaches = _group(r.rows(sa.select(Breach.tenant_id, *BREACH_COLUMNS).where(Breach.tenant_id.in_(ids))))
    notes = _group(r.rows(sa.select(ApNotification.tenant_id, *NOTIFICATION_COLUMNS).where(
        ApNotification.tenant_id.in_(ids), ApNotification.kind.in_(("initial", "withdrawal")))))
    informed = _group(r.rows(sa.select(SubjectCommunication.tenant_id, SubjectCommunication.breach_id)
                             .where(SubjectCommunication.tenant_id.in_(ids)).distinct()), 1)
    measures = _group(r.rows(sa.select(Measure.tenant_id, *MEASURE_COLUMNS).where(Measure.tenant_id.in_(ids))))
    reports = _group(r.rows(sa.select(Incident.tenant_id, Incident.reported_at).where(
        Incident.tenant_id.in_(ids), Incident.status == "not_breach")), 1)
    adopted = _group(r.rows(sa.select(ReportingPolicy.tenant_id, ReportingPolicy.adopted_on)
                            .where(ReportingPolicy.tenant_id.in_(ids))), 1)
    events = _group(r.rows(sa.select(ReportingEvent.tenant_id, ReportingEvent.occurred_on)
                           .where(ReportingEvent.tenant_id.in_(ids))), 1)
    return {i: build_dataset(breaches.get(i, []), notes.get(i, []), informed.get(i, []), measures.get(i, []),
                             reports.get(i, []), adopted.get(i, []), events.get(i, [])) for i in ids}


def _merge(datasets) -> figures.Dataset:
    merged = figures.Dataset()
    for ds in datasets:
        merged.breaches += ds.breaches
        merged.first_initial.update(ds.first_initial)
        merged.withdrawn |= ds.withdrawn
        merged.informed |= ds.informed
        merged.measures += ds.measures
        merged.non_breach_reports += ds.non_breach_reports
        merged.policy_dates += ds.policy_dates
        merged.event_dates += ds.event_dates
    return merged


def _sum(rows: list[dict], merged: dict) -> dict:
    """Counts add up over institutions (one institution's measures say nothing about another's
    breaches); the median is taken over all their notifications together."""
    from collections import Counter

    by_type, by_band = Counter(), Counter()
    for f in rows:
        by_type.update(dict(map(tuple, f["by_type"])))
        by_band.update(f["by_band"])
    out = {m: sum(f[m] for f in rows) for m in (*SCALARS, "non_breach_reports")}
    out["by_type"] = [[t, n] for t, n in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))]
    out["by_band"] = dict(by_band)
    out["median_hours_to_ap"] = merged["median_hours_to_ap"]
    return out


def _suppressed(per_inst: dict, total: dict) -> dict:
    """Suppress one period's figures across institutions and their total, consistently."""
    rows = {**per_inst, TOTAL: total}
    types = sorted({t for f in rows.values() for t, _ in f["by_type"]})
    bands = list(figures.BANDS)
    cells, constraints = {}, []
    for key, f in rows.items():
        by_type = dict(map(tuple, f["by_type"]))
        for m in SCALARS:
            cells[(key, m)] = f[m]
        for t in types:
            cells[(key, "type", t)] = by_type.get(t, 0)
        for b in bands:
            cells[(key, "band", b)] = f["by_band"].get(b, 0)
        constraints.append(([(key, "type", t) for t in types], (key, "total")))
        constraints.append(([(key, "band", b) for b in bands], (key, "total")))
    inst = list(per_inst)
    for m in SCALARS:
        constraints.append(([(k, m) for k in inst], (TOTAL, m)))
    for t in types:
        constraints.append(([(k, "type", t) for k in inst], (TOTAL, "type", t)))
    for b in bands:
        constraints.append(([(k, "band", b) for k in inst], (TOTAL, "band", b)))
    shown = figures.suppress_cells(cells, constraints)
    out = {}
    for key, f in rows.items():
        notified = shown[(key, "notified_ap")]
        out[key] = {
            **{m: shown[(key, m)] for m in SCALARS},
            "by_type": [[t, shown[(key, "type", t)]] for t in types if cells[(key, "type", t)] or shown[(key, "type", t)] is None],
            "by_band": {b: shown[(key, "band", b)] for b in bands},
            # A median says something about individual breaches: only with five or more behind it.
            "median_hours_to_ap": f["median_hours_to_ap"] if notified is not None and notified >= figures.SMALL_CELL else None,
        }
    return out


def _plans(r: _Reader, ids: list, today: date) -> dict:
    plans = r.rows(sa.select(ImprovementPlan.tenant_id, ImprovementPlan.id, ImprovementPlan.shared_title,
                             ImprovementPlan.source, ImprovementPlan.status, ImprovementPlan.started_on,
                             ImprovementPlan.target_date, ImprovementPlan.completed_at)
                   .where(ImprovementPlan.tenant_id.in_(ids), ImprovementPlan.shared_with_commissioners.is_(True),
                          ImprovementPlan.status != "draft")
                   .order_by(ImprovementPlan.started_on.desc()))
    plan_ids = [p.id for p in plans]
    recs = r.rows(sa.select(PlanRecommendation.tenant_id, PlanRecommendation.id, PlanRecommendation.plan_id,
                            PlanRecommendation.position, PlanRecommendation.shared_title)
                  .where(PlanRecommendation.tenant_id.in_(ids), PlanRecommendation.plan_id.in_(plan_ids))
                  .order_by(PlanRecommendation.position)) if plan_ids else []
    rec_ids = [x.id for x in recs]
    links = r.rows(sa.select(RecommendationMeasure.tenant_id, RecommendationMeasure.recommendation_id,
                             RecommendationMeasure.measure_id, RecommendationMeasure.shared_title,
                             Measure.kind, Measure.status, Measure.due_date, Measure.done_at)
                   .join(Measure, sa.and_(Measure.tenant_id == RecommendationMeasure.tenant_id,
                                          Measure.id == RecommendationMeasure.measure_id))
                   .where(RecommendationMeasure.tenant_id.in_(ids), RecommendationMeasure.recommendation_id.in_(rec_ids))
                   .order_by(Measure.due_date)) if rec_ids else []
    measure_ids = [x.measure_id for x in links]
    verdicts, evidence = {}, {}
    if measure_ids:
        for tid, mid, verdict, at in r.rows(
                sa.select(MeasureJudgement.tenant_id, MeasureJudgement.measure_id, MeasureJudgement.verdict,
                          MeasureJudgement.judged_at)
                .where(MeasureJudgement.tenant_id.in_(ids), MeasureJudgement.measure_id.in_(measure_ids))
                .order_by(MeasureJudgement.judged_at)):
            verdicts[(tid, mid)] = (verdict, at)
        for tid, mid, n in r.rows(
                sa.select(MeasureEvidence.tenant_id, MeasureEvidence.measure_id, sa.func.count())
                .where(MeasureEvidence.tenant_id.in_(ids), MeasureEvidence.measure_id.in_(measure_ids))
                .group_by(MeasureEvidence.tenant_id, MeasureEvidence.measure_id)):
            evidence[(tid, mid)] = n
    measures_of: dict = {}
    for x in links:
        verdict = verdicts.get((x.tenant_id, x.measure_id))
        measures_of.setdefault((x.tenant_id, x.recommendation_id), []).append({
            "title": x.shared_title, "kind": x.kind, "status": x.status,
            "due_date": x.due_date.isoformat() if x.due_date else None,
            "done_on": x.done_at.date().isoformat() if x.done_at else None,
            "late": x.status in ("planned", "in_progress") and x.due_date is not None and x.due_date < today,
            "evidence_count": evidence.get((x.tenant_id, x.measure_id), 0),
            "verdict": verdict[0] if verdict else None,
            "judged_on": verdict[1].date().isoformat() if verdict else None,
        })
    recs_of: dict = {}
    for x in recs:
        ms = measures_of.get((x.tenant_id, x.id), [])
        recs_of.setdefault((x.tenant_id, x.plan_id), []).append({
            "position": x.position, "title": x.shared_title, "measures": ms,
            "status": recommendation_status([m["status"] for m in ms]),
            "progress": progress([(m["status"], date.fromisoformat(m["due_date"]) if m["due_date"] else None)
                                  for m in ms], today),
        })
    out: dict = {}
    for p in plans:
        rs = recs_of.get((p.tenant_id, p.id), [])
        all_ms = [m for rec in rs for m in rec["measures"]]
        out.setdefault(p.tenant_id, []).append({
            "title": p.shared_title, "source": p.source, "status": p.status,
            "started_on": p.started_on.isoformat(), "target_date": p.target_date.isoformat() if p.target_date else None,
            "completed_on": p.completed_at.date().isoformat() if p.completed_at else None,
            "recommendations": rs,
            "progress": progress([(m["status"], date.fromisoformat(m["due_date"]) if m["due_date"] else None)
                                  for m in all_ms], today),
        })
    return out


def _policies(r: _Reader, ids: list, today: date) -> tuple[dict, dict]:
    settings = {row[0]: row[1:] for row in r.rows(
        sa.select(LearningSettings.tenant_id, LearningSettings.policy_review_months,
                  LearningSettings.policy_reminder_days, LearningSettings.report_interval_months)
        .where(LearningSettings.tenant_id.in_(ids)))}
    versions = _group(r.rows(sa.select(ReportingPolicy.tenant_id, ReportingPolicy.id, ReportingPolicy.adopted_on,
                                       ReportingPolicy.next_review_on, ReportingPolicy.decision_role,
                                       ReportingPolicy.fg_involved).where(ReportingPolicy.tenant_id.in_(ids))))
    reviews = _group(r.rows(sa.select(PolicyReview.tenant_id, PolicyReview.policy_id, PolicyReview.reviewed_on,
                                      PolicyReview.outcome, PolicyReview.next_review_on)
                            .where(PolicyReview.tenant_id.in_(ids))))
    out = {}
    for i in ids:
        review_months, reminder_days, _ = settings.get(i, (12, 30, 6))
        st = compute_status([VersionRow(*v) for v in versions.get(i, [])], [ReviewRow(*v) for v in reviews.get(i, [])],
                            review_months, reminder_days, today)
        out[i] = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in st.items() if k != "policy_id"}
    return out, {i: settings.get(i, (12, 30, 6))[2] for i in ids}


def _reports(r: _Reader, ids: list, intervals: dict, today: date) -> dict:
    from tenants.learning.periods import add_months

    signed = _group(r.rows(sa.select(BoardReport.tenant_id, BoardReport.signed_at, BoardReport.period_start,
                                     BoardReport.period_end)
                           .where(BoardReport.tenant_id.in_(ids), BoardReport.signed_at.is_not(None))
                           .order_by(BoardReport.signed_at.desc())))
    out = {}
    for i in ids:
        rows = signed.get(i, [])
        last = rows[0][0] if rows else None
        out[i] = {
            "last_signed_on": last.date().isoformat() if last else None,
            "due": last is None or add_months(last.date(), intervals[i]) <= today,
            "signed": [{"signed_on": s.date().isoformat(), "period_start": ps.isoformat(), "period_end": pe.isoformat()}
                       for s, ps, pe in rows[:6]],
        }
    return out


def portal(commissioner_id, period: Period, compare: int, today: date, only=None) -> dict:
    """Everything the commissioner sees, per granted institution and summed over them.

    `only` narrows the answer to one institution id (which must be granted; otherwise the
    result holds no institution). Suppression is always computed over all granted
    institutions, so one institution's page and the overview can never be combined to
    recover a hidden count.
    """
    with oversight_session() as session:
        r = _Reader(session)
        granted = _granted(r, commissioner_id)
        ids = sorted(granted, key=str)
        if not ids or (only is not None and only not in granted):
            return {"institutions": {}, "total": None, "periods": [p.key for p in period.history(compare)]}
        datasets = _datasets(r, ids)
        plans = _plans(r, ids, today)
        policies, intervals = _policies(r, ids, today)
        report_dates = _reports(r, ids, intervals, today)
    periods = period.history(compare)
    merged = _merge(datasets.values())
    per_period = []
    for p in periods:
        per_inst = {i: figures.period_figures(p, datasets[i], today) for i in ids}
        per_period.append((per_inst, _sum(list(per_inst.values()), figures.period_figures(p, merged, today))))
    shown = [_suppressed(per_inst, total) for per_inst, total in per_period]

    def note(ds_figs, ds):
        if len(periods) < 2:
            return {"shown": False, "reasons": []}
        n = figures.reporting_note(periods[0], periods[1], ds_figs[0], ds_figs[1], ds)
        return {"shown": n["shown"], "reasons": n["reasons"]}

    institutions = {}
    for i in ids if only is None else [only]:
        institutions[i] = {
            "granted_at": granted[i].isoformat(),
            "figures": [s[i] for s in shown],
            "note": note([pp[0][i] for pp in per_period], datasets[i]),
            "plans": plans.get(i, []),
            "policy": policies[i],
            "reports": report_dates[i],
        }
    all_plans = [pl for i in ids for pl in plans.get(i, [])]
    total = {
        "institutions": len(ids),
        "figures": [s[TOTAL] for s in shown],
        "note": note([pp[1] for pp in per_period], merged),
        "plans_open": sum(1 for pl in all_plans if pl["status"] == "active"),
        "plans_completed": sum(1 for pl in all_plans if pl["status"] == "completed"),
        "measures": {k: sum(pl["progress"][k] for pl in all_plans if pl["status"] != "cancelled")
                     for k in ("total", "done", "late")},
        "policies_stale": sum(1 for i in ids if policies[i]["status"] in ("stale", "none")),
        "reports_due": sum(1 for i in ids if report_dates[i]["due"]),
    }
    return {"institutions": institutions, "total": total if only is None else None,
            "periods": [{"key": p.key, "short": p.short_label(), "start": p.start.isoformat(),
                         "end": p.end.isoformat()} for p in periods]}


# What the portal needs besides data: the period rules and the labels of the codes it shows.
# Re-exported here so that `commissioners` imports nothing of `tenants` but this module.
from tenants.learning.enums import template_helpers as label_helpers  # noqa: E402,F401
from tenants.learning.periods import default_period, recent_half_years, today_local  # noqa: E402,F401
from tenants.learning.schemas import PeriodQuerySchema, resolve_period  # noqa: E402,F401


def governance(institution_ids, now) -> dict:
    """The governance facts the regulator's quality checks need (tenants.oversight.governance).

    Uses the same policy rule as the institution's own policy page (`compute_status`)
    and the board reports' sign-off dates; codes and dates only.
    """
    from zoneinfo import ZoneInfo

    from tenants.oversight.governance import Governance

    ids = list(institution_ids)
    if not ids:
        return {}
    today = now.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    with oversight_session() as session:
        r = _Reader(session)
        policies, _intervals = _policies(r, ids, today)
        last_signed = dict(r.rows(sa.select(BoardReport.tenant_id, sa.func.max(BoardReport.signed_at))
                                  .where(BoardReport.tenant_id.in_(ids), BoardReport.signed_at.is_not(None))
                                  .group_by(BoardReport.tenant_id)))
    out = {}
    for i in ids:
        status = policies[i]["status"]
        out[i] = Governance(policy_stale=None if status == "none" else status == "stale",
                            policy_fg_decides=None if status == "none" else bool(policies[i]["fg_decides"]),
                            last_report_signed_at=last_signed.get(i), reports_known=True)
    return out
