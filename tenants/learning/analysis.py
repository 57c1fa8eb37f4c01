"""The current institution's PDCA figures: rows read in its tenant, figures from `figures`."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from lekwijzer.db import db, utcnow
from tenants.register.models import ApNotification, Breach, Incident, Measure, SubjectCommunication

from . import figures
from .models import LearningSettings, MeasureJudgement, ReportingEvent, ReportingPolicy
from .periods import Period, today_local

BREACH_COLUMNS = (Breach.id, Breach.incident_type, Breach.severity_band, Breach.severity_score,
                  Breach.risk_outcome, Breach.aware_at, Breach.created_at)
MEASURE_COLUMNS = (Measure.id, Measure.status, Measure.created_at, Measure.due_date, Measure.done_at,
                   Measure.target_incident_type)
NOTIFICATION_COLUMNS = (ApNotification.breach_id, ApNotification.kind, ApNotification.submitted_at)


def build_dataset(breaches, notifications, informed, measures, non_breach_reports, policy_dates,
                  event_dates) -> figures.Dataset:
    """Turn plain rows (from a tenant or an oversight session) into a Dataset."""
    ds = figures.Dataset()
    ds.breaches = [figures.BreachRow(r[0], r[1], r[2], float(r[3]) if r[3] is not None else None, r[4], r[5], r[6])
                   for r in breaches]
    for breach_id, kind, submitted_at in notifications:
        if kind == "initial":
            known = ds.first_initial.get(breach_id)
            ds.first_initial[breach_id] = submitted_at if known is None else min(known, submitted_at)
        elif kind == "withdrawal":
            ds.withdrawn.add(breach_id)
    ds.informed = set(informed)
    ds.measures = [figures.MeasureRow(*r) for r in measures]
    ds.non_breach_reports = list(non_breach_reports)
    ds.policy_dates = list(policy_dates)
    ds.event_dates = list(event_dates)
    return ds


def load_dataset() -> figures.Dataset:
    s = db.session
    return build_dataset(
        s.execute(sa.select(*BREACH_COLUMNS)).all(),
        s.execute(sa.select(*NOTIFICATION_COLUMNS).where(
            ApNotification.kind.in_(("initial", "withdrawal")))).all(),
        s.scalars(sa.select(SubjectCommunication.breach_id).distinct()).all(),
        s.execute(sa.select(*MEASURE_COLUMNS)).all(),
        s.scalars(sa.select(Incident.reported_at).where(Incident.status == "not_breach")).all(),
        s.scalars(sa.select(ReportingPolicy.adopted_on)).all(),
        s.scalars(sa.select(ReportingEvent.occurred_on)).all(),
    )


def get_settings() -> LearningSettings:
    """The institution's settings; defaults (not saved) when it never changed them."""
    row = db.session.scalar(sa.select(LearningSettings))
    return row or LearningSettings(effectiveness_window_months=6, policy_review_months=12,
                                   policy_reminder_days=30, report_interval_months=6)


def analyse(period: Period, compare: int, ds: figures.Dataset | None = None, today: date | None = None) -> dict:
    return figures.analyse(period, compare, ds or load_dataset(), today or today_local())


def effectiveness(window_months: int, ds: figures.Dataset | None = None, now: datetime | None = None) -> list[dict]:
    """Effectiveness rows with the measure's title and its latest recorded judgement."""
    rows = figures.effectiveness(ds or load_dataset(), window_months, now or utcnow())
    if not rows:
        return rows
    ids = [r["measure_id"] for r in rows]
    titles = {str(i): t for i, t in db.session.execute(
        sa.select(Measure.id, Measure.title).where(Measure.id.in_([_uuid(i) for i in ids])))}
    latest: dict[str, MeasureJudgement] = {}
    for j in db.session.scalars(sa.select(MeasureJudgement).order_by(MeasureJudgement.judged_at)):
        latest[str(j.measure_id)] = j
    for r in rows:
        r["title"] = titles.get(r["measure_id"], "")
        j = latest.get(r["measure_id"])
        r["verdict"] = j.verdict if j else None
        r["judged_at"] = j.judged_at.isoformat() if j else None
        r["follow_up_measure_id"] = str(j.follow_up_measure_id) if j and j.follow_up_measure_id else None
    return rows


def _uuid(value):
    import uuid

    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def save_settings(data: dict, user_id) -> LearningSettings:
    from lekwijzer import audit

    row = db.session.scalar(sa.select(LearningSettings))
    if row is None:
        row = LearningSettings()
        db.session.add(row)
    for key, value in data.items():
        setattr(row, key, value)
    row.updated_by, row.updated_at = user_id, utcnow()
    db.session.flush()
    audit.record("learning.settings_changed", "learning_settings", row.id, meta=dict(data))
    return row
