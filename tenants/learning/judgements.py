"""Judging whether an implemented measure worked (PDCA step 4: Check).

The figures (the rate of the targeted breach type before and after) are computed by
`figures.effectiveness` and frozen in the judgement, with the verdict and its reasoning.
"Did not work" always leads to a new measure, aimed at the same type of breach and, when
the measure belongs to an improvement plan, added to the same recommendation.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from lekwijzer import audit
from lekwijzer.db import db, utcnow
from tenants.register.models import Measure

from . import figures
from .analysis import load_dataset
from .models import MeasureJudgement, RecommendationMeasure
from .plans import link_of, new_measure
from .rules import RuleError


def judgeable(measure: Measure) -> bool:
    return (measure.status == "done" and measure.done_at is not None
            and measure.target_incident_type not in (None, *figures.NOT_A_TYPE))


def figures_for(measure: Measure, window_months: int) -> dict | None:
    ds = load_dataset()
    ds.measures = [m for m in ds.measures if m.id == measure.id]
    rows = figures.effectiveness(ds, window_months, utcnow())
    return rows[0] if rows else None


def judgements_of(measure: Measure) -> list[MeasureJudgement]:
    return db.session.scalars(sa.select(MeasureJudgement).where(MeasureJudgement.measure_id == measure.id)
                              .order_by(MeasureJudgement.judged_at.desc())).all()


def record(measure: Measure, data: dict, user_id) -> MeasureJudgement:
    if not judgeable(measure):
        raise RuleError("verdict", gettext("Only an implemented measure aimed at a type of breach can be judged."))
    window = data["window_months"]
    numbers = figures_for(measure, window)
    follow_up = None
    if data["verdict"] == "did_not_work":
        follow_up = new_measure(title=data["follow_up_title"], due_date=data["follow_up_due_date"],
                                owner_id=data.get("follow_up_owner_id"), user_id=user_id, kind="preventive",
                                target_incident_type=measure.target_incident_type, source="judgement")
        link = link_of(measure.id)
        if link is not None:
            db.session.add(RecommendationMeasure(recommendation_id=link.recommendation_id,
                                                 measure_id=follow_up.id, shared_title=data["follow_up_title"]))
    judgement = MeasureJudgement(
        measure_id=measure.id, verdict=data["verdict"], reasoning=data["reasoning"], window_months=window,
        before_count=numbers["before"], after_count=numbers["after"], after_days=numbers["after_days"],
        follow_up_measure_id=follow_up.id if follow_up else None, judged_by=user_id)
    db.session.add(judgement)
    db.session.flush()
    audit.record("measure.judged", "measure", measure.id,
                 meta={"verdict": judgement.verdict, "window": window,
                       "follow_up": follow_up.id if follow_up else None})
    return judgement
