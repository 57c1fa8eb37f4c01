"""One row of every table of the learning feature (and a measure to hang them on), per institution."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from lekwijzer.db import db, utcnow
from tests.support.isolation_seed import seeder


@seeder
def _learning(world, key):
    from tenants.learning.models import (BoardReport, CommissionerGrant, ImprovementPlan, LearningSettings,
                                         MeasureEvidence, MeasureJudgement, PlanRecommendation, PolicyReview,
                                         RecommendationMeasure, ReportingEvent, ReportingPolicy, StatusChange)
    from tenants.register.models import Measure

    if world.orgs[key].kind.value != "institution":
        return
    today = date.today()
    measure = Measure(id=uuid.uuid4(), kind="preventive", title=f"seed measure {key}", status="done",
                      done_at=utcnow(), due_date=today, target_incident_type="sent_by_mistake")
    plan = ImprovementPlan(id=uuid.uuid4(), shared_title=f"seed plan {key}", source="pdca", started_on=today)
    rec = PlanRecommendation(id=uuid.uuid4(), plan_id=plan.id, position=1, shared_title=f"seed rec {key}")
    policy = ReportingPolicy(id=uuid.uuid4(), version_label="1.0", adopted_on=today - timedelta(days=30),
                             adopted_by_body="board", fg_involved=True, decision_role="board",
                             next_review_on=today + timedelta(days=300))
    db.session.add_all([measure, plan, policy])
    db.session.flush()
    db.session.add_all([
        rec, LearningSettings(),
        ReportingEvent(occurred_on=today, kind="training"),
        StatusChange(subject="plan", subject_id=plan.id, to_status="active"),
        BoardReport(period_start=today - timedelta(days=181), period_end=today - timedelta(days=1), status="ready",
                    pdf=b"%PDF-1.7 seed", pdf_sha256="0" * 64, pdf_size=13, generated_at=utcnow()),
        CommissionerGrant(commissioner_org_id=world.orgs["c"].id),
        PolicyReview(policy_id=policy.id, reviewed_on=today, outcome="unchanged",
                     next_review_on=today + timedelta(days=365)),
        MeasureEvidence(measure_id=measure.id, description="seed evidence"),
        MeasureJudgement(measure_id=measure.id, verdict="too_early", reasoning="seed reasoning", window_months=6,
                         before_count=0, after_count=0, after_days=0),
    ])
    db.session.flush()
    db.session.add(RecommendationMeasure(recommendation_id=rec.id, measure_id=measure.id, shared_title="seed"))
