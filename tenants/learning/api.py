"""REST API of the PDCA cycle: the same rules and schemas as the pages."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Response, abort
from flask.views import MethodView
from werkzeug.exceptions import UnprocessableEntity

from lekwijzer.apiblueprint import api_blueprint
from lekwijzer.db import db
from lekwijzer.edge import get_or_404, requires
from lekwijzer.models import Org
from tenants.register.models import Measure

from . import analysis, judgements, plans, policy, reports, sharing
from .models import BoardReport, CommissionerGrant, ImprovementPlan, PlanRecommendation, ReportingPolicy
from .rules import RuleError
from .schemas import (EffectivenessQuerySchema, EvidenceInSchema, GrantInSchema, GrantOutSchema, JudgementInSchema,
                      JudgementOutSchema, MeasureStatusSchema, PeriodQuerySchema, PlanInSchema,
                      PlanListItemSchema, PlanMeasureInSchema, PlanOutSchema, PlanStatusSchema, PlanUpdateSchema,
                      PolicyInSchema, PolicyOutSchema, PolicyReviewInSchema, PolicyReviewOutSchema,
                      RecommendationInSchema, ReportingEventInSchema, ReportingEventOutSchema, ReportOutSchema,
                      ReportRequestSchema, SettingsOutSchema, SettingsSchema, SignOffSchema, resolve_period)

blp = api_blueprint("learning_api", __name__, url_prefix="/learning",
                    description="PDCA: period analysis, measure effectiveness, improvement plans, reporting policy, "
                                "board reports, sharing with commissioners")


def _rule(exc: RuleError):
    error = UnprocessableEntity(exc.message)
    error.data = {"messages": {"json": exc.errors}}
    raise error


def _user():
    # API calls act for the organisation (a token), not for a person.
    return None


@blp.route("/analysis")
class Analysis(MethodView):
    @requires("learning.view")
    @blp.arguments(PeriodQuerySchema, location="query")
    @blp.response(200)
    def get(self, args):
        """The period analysis: the period (last completed half-year by default) and the periods before it."""
        return analysis.analyse(resolve_period(args), args["compare"])


@blp.route("/effectiveness")
class Effectiveness(MethodView):
    @requires("learning.view")
    @blp.arguments(EffectivenessQuerySchema, location="query")
    @blp.response(200)
    def get(self, args):
        """Implemented measures aimed at a type of breach: that type's rate before and after, and the judgement."""
        window = args.get("window") or analysis.get_settings().effectiveness_window_months
        return {"window_months": window, "measures": analysis.effectiveness(window)}


@blp.route("/measures/<uuid:measure_id>/judgements")
class Judgements(MethodView):
    @requires("learning.view")
    @blp.response(200, JudgementOutSchema(many=True))
    def get(self, measure_id: uuid.UUID):
        """The judgements recorded for a measure, newest first."""
        return judgements.judgements_of(get_or_404(Measure, measure_id))

    @requires("learning.judge")
    @blp.arguments(JudgementInSchema)
    @blp.response(201, JudgementOutSchema)
    def post(self, data, measure_id: uuid.UUID):
        """Record whether the measure worked; "did_not_work" plans the follow-up measure given."""
        measure = get_or_404(Measure, measure_id)
        try:
            row = judgements.record(measure, data, _user())
        except RuleError as exc:
            db.session.rollback()
            _rule(exc)
        db.session.commit()
        return row


@blp.route("/measures/<uuid:measure_id>/status")
class MeasureStatus(MethodView):
    @requires("learning.manage")
    @blp.arguments(MeasureStatusSchema)
    @blp.response(200)
    def post(self, data, measure_id: uuid.UUID):
        """Change a measure's status ("done" needs evidence, given here or before)."""
        measure = get_or_404(Measure, measure_id)
        try:
            plans.change_measure_status(measure, data, _user())
        except RuleError as exc:
            db.session.rollback()
            _rule(exc)
        db.session.commit()
        return {"id": str(measure.id), "status": measure.status,
                "done_at": measure.done_at.isoformat() if measure.done_at else None}


@blp.route("/measures/<uuid:measure_id>/evidence")
class Evidence(MethodView):
    @requires("learning.manage")
    @blp.arguments(EvidenceInSchema)
    @blp.response(201)
    def post(self, data, measure_id: uuid.UUID):
        """Add evidence that a measure was implemented."""
        row = plans.add_evidence(get_or_404(Measure, measure_id), data, _user())
        db.session.commit()
        return {"id": str(row.id), "measure_id": str(row.measure_id)}


def _plan_detail(plan) -> dict:
    d = plans.plan_detail(plan)
    out = PlanOutSchema().dump(plan)
    out["progress"] = d["progress"]
    out["recommendations"] = [{
        "id": v.rec.id, "position": v.rec.position, "shared_title": v.rec.shared_title,
        "description": v.rec.description, "status": v.status, "progress": v.progress,
        "measures": [{
            "id": m.id, "title": m.title, "shared_title": link.shared_title, "kind": m.kind, "status": m.status,
            "owner_id": m.owner_id, "due_date": m.due_date, "done_at": m.done_at,
            "target_incident_type": m.target_incident_type,
            "late": m.status in plans.OPEN_MEASURE and m.due_date is not None and m.due_date < d["today"],
            "evidence": [{"description": e.description, "location": e.location, "added_at": e.added_at.isoformat()}
                         for e in d["evidence"].get(m.id, [])],
            "verdict": d["verdicts"][m.id].verdict if m.id in d["verdicts"] else None,
        } for link, m in v.items],
    } for v in d["recommendations"]]
    out["history"] = [{"subject": h.subject, "subject_id": str(h.subject_id), "from": h.from_status,
                       "to": h.to_status, "at": h.changed_at.isoformat(), "note": h.note} for h in d["history"]]
    return out


@blp.route("/plans")
class Plans(MethodView):
    @requires("learning.view")
    @blp.response(200, PlanListItemSchema(many=True))
    def get(self):
        """Improvement plans with their progress."""
        out = []
        for plan, prog in plans.plans_with_progress():
            row = {name: getattr(plan, name) for name in PlanOutSchema().fields}
            row["progress"] = prog
            out.append(row)
        return out

    @requires("learning.manage")
    @blp.arguments(PlanInSchema)
    @blp.response(201, PlanOutSchema)
    def post(self, data):
        """Create an improvement plan (source: PDCA cycle, external investigation, AP request, audit)."""
        try:
            plan = plans.create_plan(data, _user())
        except RuleError as exc:
            db.session.rollback()
            _rule(exc)
        db.session.commit()
        return plan


@blp.route("/plans/<uuid:improvement_plan_id>")
class Plan(MethodView):
    @requires("learning.view")
    @blp.response(200)
    def get(self, improvement_plan_id: uuid.UUID):
        """A plan with its recommendations, measures, progress, evidence and status history."""
        return _plan_detail(get_or_404(ImprovementPlan, improvement_plan_id))

    @requires("learning.manage")
    @blp.arguments(PlanUpdateSchema)
    @blp.response(200, PlanOutSchema)
    def put(self, data, improvement_plan_id: uuid.UUID):
        """Replace a plan's details (not its status)."""
        plan = get_or_404(ImprovementPlan, improvement_plan_id)
        try:
            plans.update_plan(plan, data)
        except RuleError as exc:
            db.session.rollback()
            _rule(exc)
        db.session.commit()
        return plan


@blp.route("/plans/<uuid:improvement_plan_id>/status")
class PlanStatus(MethodView):
    @requires("learning.manage")
    @blp.arguments(PlanStatusSchema)
    @blp.response(200, PlanOutSchema)
    def post(self, data, improvement_plan_id: uuid.UUID):
        """Change a plan's status; "completed" needs all its measures implemented or cancelled."""
        plan = get_or_404(ImprovementPlan, improvement_plan_id)
        try:
            plans.change_plan_status(plan, data["status"], data.get("note"), _user())
        except RuleError as exc:
            db.session.rollback()
            _rule(exc)
        db.session.commit()
        return plan


@blp.route("/plans/<uuid:improvement_plan_id>/recommendations")
class Recommendations(MethodView):
    @requires("learning.manage")
    @blp.arguments(RecommendationInSchema)
    @blp.response(201)
    def post(self, data, improvement_plan_id: uuid.UUID):
        """Add a recommendation to a plan."""
        rec = plans.add_recommendation(get_or_404(ImprovementPlan, improvement_plan_id), data)
        db.session.commit()
        return {"id": str(rec.id), "position": rec.position, "shared_title": rec.shared_title}


@blp.route("/recommendations/<uuid:plan_recommendation_id>/measures")
class RecommendationMeasures(MethodView):
    @requires("learning.manage")
    @blp.arguments(PlanMeasureInSchema)
    @blp.response(201)
    def post(self, data, plan_recommendation_id: uuid.UUID):
        """Add a new measure to a recommendation, or link an existing one (measure_id)."""
        rec = get_or_404(PlanRecommendation, plan_recommendation_id)
        try:
            measure = plans.add_plan_measure(rec, data, _user())
        except RuleError as exc:
            db.session.rollback()
            _rule(exc)
        db.session.commit()
        return {"id": str(measure.id), "status": measure.status}


@blp.route("/policy")
class Policy(MethodView):
    @requires("learning.view")
    @blp.response(200)
    def get(self):
        """The reporting policy's status, versions, reviews and recorded changes in reporting."""
        st = policy.status(analysis.get_settings())
        return {
            "status": {k: (v.isoformat() if hasattr(v, "isoformat") else (str(v) if isinstance(v, uuid.UUID) else v))
                       for k, v in st.items()},
            "versions": PolicyOutSchema(many=True).dump(policy.versions()),
            "reviews": PolicyReviewOutSchema(many=True).dump(policy.reviews()),
            "events": ReportingEventOutSchema(many=True).dump(policy.events()),
        }


@blp.route("/policy/versions")
class PolicyVersions(MethodView):
    @requires("learning.policy")
    @blp.arguments(PolicyInSchema)
    @blp.response(201, PolicyOutSchema)
    def post(self, data):
        """Register a version of the reporting policy."""
        try:
            row = policy.add_version(data, analysis.get_settings(), _user())
        except RuleError as exc:
            db.session.rollback()
            _rule(exc)
        db.session.commit()
        return row


@blp.route("/policy/versions/<uuid:reporting_policy_id>/reviews")
class PolicyReviews(MethodView):
    @requires("learning.policy")
    @blp.arguments(PolicyReviewInSchema)
    @blp.response(201, PolicyReviewOutSchema)
    def post(self, data, reporting_policy_id: uuid.UUID):
        """Register a review of a policy version."""
        try:
            row = policy.add_review(get_or_404(ReportingPolicy, reporting_policy_id), data,
                                    analysis.get_settings(), _user())
        except RuleError as exc:
            db.session.rollback()
            _rule(exc)
        db.session.commit()
        return row


@blp.route("/policy/events")
class ReportingEvents(MethodView):
    @requires("learning.policy")
    @blp.arguments(ReportingEventInSchema)
    @blp.response(201, ReportingEventOutSchema)
    def post(self, data):
        """Register a change in reporting (campaign, training, new channel): it explains trends."""
        row = policy.add_event(data, _user())
        db.session.commit()
        return row


@blp.route("/reports")
class Reports(MethodView):
    @requires("learning.view")
    @blp.response(200, ReportOutSchema(many=True))
    def get(self):
        """Board reports, newest first."""
        return reports.reports()

    @requires("learning.report.request")
    @blp.arguments(ReportRequestSchema)
    @blp.response(202, ReportOutSchema)
    def post(self, data):
        """Ask for a board report; it is generated as a job (follow it with GET /jobs/{job_id})."""
        from flask_babel import get_locale

        report = reports.request_report(resolve_period(data), data["compare"], str(get_locale() or "nl"),
                                        data["include_names"], _user())
        db.session.commit()
        return report


@blp.route("/reports/<uuid:board_report_id>")
class Report(MethodView):
    @requires("learning.view")
    @blp.response(200, ReportOutSchema)
    def get(self, board_report_id: uuid.UUID):
        """One board report: status, fingerprint, sign-off."""
        return get_or_404(BoardReport, board_report_id)


@blp.route("/reports/<uuid:board_report_id>/pdf")
class ReportPdf(MethodView):
    @requires("learning.view")
    @blp.response(200, content_type="application/pdf")
    def get(self, board_report_id: uuid.UUID):
        """The report as PDF."""
        from sqlalchemy.orm import undefer

        report = get_or_404(BoardReport, board_report_id, options=(undefer(BoardReport.pdf),))
        if report.pdf is None:
            abort(404)
        return Response(report.pdf, mimetype="application/pdf")


@blp.route("/reports/<uuid:board_report_id>/sign-off")
class ReportSignOff(MethodView):
    @requires("learning.report.sign")
    @blp.arguments(SignOffSchema)
    @blp.response(200, ReportOutSchema)
    def post(self, data, board_report_id: uuid.UUID):
        """Sign the report off for the board (board role)."""
        report = get_or_404(BoardReport, board_report_id)
        try:
            reports.sign_off(report, data, _user())
        except RuleError as exc:
            db.session.rollback()
            _rule(exc)
        db.session.commit()
        return report


def _grant_out(rows):
    names = dict(db.session.execute(sa.select(Org.id, Org.name).where(
        Org.id.in_([r.commissioner_org_id for r in rows]))).all()) if rows else {}
    return [{"id": r.id, "commissioner_org_id": r.commissioner_org_id, "commissioner_name": names.get(r.commissioner_org_id),
             "granted_at": r.granted_at, "withdrawn_at": r.withdrawn_at, "active": r.withdrawn_at is None} for r in rows]


@blp.route("/grants")
class Grants(MethodView):
    @requires("learning.share")
    @blp.response(200, GrantOutSchema(many=True))
    def get(self):
        """Commissioning organisations that have (or had) access to plans and figures."""
        return _grant_out(sharing.grants())

    @requires("learning.share")
    @blp.arguments(GrantInSchema)
    @blp.response(201, GrantOutSchema)
    def post(self, data):
        """Give a commissioning organisation access."""
        try:
            row = sharing.grant(data["commissioner_org_id"], _user())
        except RuleError as exc:
            db.session.rollback()
            _rule(exc)
        db.session.commit()
        return _grant_out([row])[0]


@blp.route("/grants/<uuid:commissioner_grant_id>")
class Grant(MethodView):
    @requires("learning.share")
    @blp.response(204)
    def delete(self, commissioner_grant_id: uuid.UUID):
        """Withdraw access (the grant's history is kept)."""
        row = get_or_404(CommissionerGrant, commissioner_grant_id)
        try:
            sharing.withdraw(row, _user())
        except RuleError as exc:
            db.session.rollback()
            _rule(exc)
        db.session.commit()


@blp.route("/settings")
class Settings(MethodView):
    @requires("learning.view")
    @blp.response(200, SettingsOutSchema)
    def get(self):
        """The effectiveness window, policy review interval and reminders, report interval."""
        return analysis.get_settings()

    @requires("learning.settings")
    @blp.arguments(SettingsSchema)
    @blp.response(200, SettingsOutSchema)
    def put(self, data):
        """Change the settings."""
        row = analysis.save_settings(data, _user())
        db.session.commit()
        return row
