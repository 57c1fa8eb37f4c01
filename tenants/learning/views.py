"""Pages of the PDCA cycle: analysis, effectiveness, plans, policy, board reports, sharing."""
from __future__ import annotations

import uuid
from urllib.parse import urlencode

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from flask_babel import get_locale, gettext, lazy_gettext as _l
from flask_login import current_user

from lekwijzer.db import db
from lekwijzer.edge import get_or_404, org_blueprint, requires
from lekwijzer.forms import load_form
from lekwijzer.members import list_members
from lekwijzer.models import Org
from lekwijzer.orghome import register_panel
from lekwijzer.ui import register_nav
from tenants.register.enums import INCIDENT_TYPE, MEASURE_KIND, MEASURE_STATUS
from tenants.register.models import Measure

from . import analysis, charts, judgements, plans, policy, reports, sharing
from .enums import (PLAN_SOURCE, PLAN_STATUS, POLICY_ADOPTER, POLICY_DECISION_ROLE, REPORTING_EVENT_KIND,
                    REVIEW_OUTCOME, VERDICT, template_helpers)
from .models import BoardReport, CommissionerGrant, ImprovementPlan, PlanRecommendation, ReportingPolicy
from .periods import recent_half_years, today_local
from .rules import RuleError
from .schemas import (EffectivenessQuerySchema, EvidenceInSchema, GrantInSchema, JudgementInSchema,
                      MeasureStatusSchema, PeriodQuerySchema, PlanInSchema, PlanMeasureInSchema, PlanStatusSchema,
                      PlanUpdateSchema, PolicyInSchema, PolicyReviewInSchema, RecommendationInSchema,
                      ReportingEventInSchema, ReportRequestSchema, SettingsSchema, SignOffSchema, resolve_period)

bp = org_blueprint("learning", __name__, url_prefix="/learning", template_folder="templates")


@bp.context_processor
def _helpers():
    from datetime import datetime

    return {**template_helpers(), "today": today_local(), "parse_dt": datetime.fromisoformat}


def _choices(mapping, exclude=()):
    return [(k, gettext(v if isinstance(v, str) else v[-1])) for k, v in mapping.items() if k not in exclude]


def _members():
    return [(str(m.user_id), m.user.name) for m in list_members()]


def _uid():
    return current_user.id


# --- Analysis -------------------------------------------------------------------------

def _period_from_args():
    data, errors = load_form(PeriodQuerySchema(), form=request.args)
    if errors:
        return None, 3, errors
    return resolve_period(data), data["compare"], {}


@bp.get("/")
@requires("learning.view")
def pdca():
    period, compare, errors = _period_from_args()
    ctx = {"errors": errors, "form": request.args, "half_years": recent_half_years(),
           "compare_choices": [(str(n), str(n)) for n in range(0, 4)]}
    if errors:
        return render_template("learning/pdca.html", a=None, **ctx), 422
    settings = analysis.get_settings()
    ds = analysis.load_dataset()
    a = analysis.analyse(period, compare, ds)
    eff = analysis.effectiveness(settings.effectiveness_window_months, ds)
    query = urlencode({"period": period.key} if period.is_half_year else
                      {"start": period.start.isoformat(), "end": period.last_day.isoformat()}) + f"&compare={compare}"
    return render_template(
        "learning/pdca.html", a=a, period=period, compare=compare, query=query,
        chart_names=list(charts.CHARTS), chart_alt={n: charts.alt_text(n, a) for n in charts.CHARTS},
        effectiveness=eff, unjudged=sum(1 for e in eff if not e["verdict"] and e["window_complete"]),
        open_plans=plans.plans_with_progress(("active",)), policy_status=policy.status(settings),
        report_due=reports.report_due(settings), last_signed=reports.last_signed_at(), **ctx)


@bp.get("/charts/<chart>.svg")
@requires("learning.view")
def chart(chart):
    if chart not in charts.CHARTS:
        abort(404)
    period, compare, errors = _period_from_args()
    if errors:
        abort(422)
    svg = charts.render(chart, analysis.analyse(period, compare))
    return Response(svg, mimetype="image/svg+xml")


@bp.get("/effectiveness")
@requires("learning.view")
def effectiveness():
    data, errors = load_form(EffectivenessQuerySchema(), form=request.args)
    settings = analysis.get_settings()
    window = (data or {}).get("window") or settings.effectiveness_window_months
    rows = analysis.effectiveness(window)
    return render_template("learning/effectiveness.html", rows=rows, window=window, errors=errors,
                           default_window=settings.effectiveness_window_months), 422 if errors else 200


def _judge_page(measure, errors=None, form=None, status=200):
    settings = analysis.get_settings()
    window = int((form or {}).get("window_months") or request.args.get("window") or settings.effectiveness_window_months)
    window = min(max(window, 1), 24)
    return render_template("learning/judge.html", measure=measure, numbers=judgements.figures_for(measure, window),
                           window=window, history=judgements.judgements_of(measure),
                           judgeable=judgements.judgeable(measure), verdicts=_choices(VERDICT), members=_members(),
                           names=plans.user_names({j.judged_by for j in judgements.judgements_of(measure)}),
                           errors=errors or {}, form=form or {}, link=plans.link_of(measure.id)), status


@bp.get("/measures/<uuid:measure_id>/judgement")
@requires("learning.view")
def judge_form(measure_id: uuid.UUID):
    return _judge_page(get_or_404(Measure, measure_id))


@bp.post("/measures/<uuid:measure_id>/judgement")
@requires("learning.judge")
def judge(measure_id: uuid.UUID):
    measure = get_or_404(Measure, measure_id)
    data, errors = load_form(JudgementInSchema())
    if not errors:
        try:
            judgement = judgements.record(measure, data, _uid())
            db.session.commit()
            if judgement.follow_up_measure_id:
                flash(_l("Judgement recorded. A new measure was planned because this one did not work."), "success")
            else:
                flash(_l("Judgement recorded."), "success")
            return redirect(url_for(".effectiveness"))
        except RuleError as exc:
            db.session.rollback()
            errors = exc.errors
    return _judge_page(measure, errors, request.form, 422)


# --- Plans ----------------------------------------------------------------------------

def _plan_form_ctx():
    return {"sources": _choices(PLAN_SOURCE), "statuses": _choices(PLAN_STATUS, exclude=("completed",)),
            "members": _members()}


@bp.get("/plans")
@requires("learning.view")
def plan_list():
    return render_template("learning/plans.html", rows=plans.plans_with_progress(), errors={},
                           form={"started_on": today_local().isoformat()}, **_plan_form_ctx())


@bp.post("/plans")
@requires("learning.manage")
def plan_create():
    data, errors = load_form(PlanInSchema())
    if not errors:
        try:
            plan = plans.create_plan(data, _uid())
            db.session.commit()
            flash(_l("Improvement plan created. Add its recommendations and measures."), "success")
            return redirect(url_for(".plan_detail", improvement_plan_id=plan.id))
        except RuleError as exc:
            db.session.rollback()
            errors = exc.errors
    return render_template("learning/plans.html", rows=plans.plans_with_progress(), errors=errors,
                           form=request.form, **_plan_form_ctx()), 422


def _plan_page(plan, errors=None, form=None, status=200, focus=None):
    return render_template(
        "learning/plan.html", plan=plan, d=plans.plan_detail(plan), errors=errors or {}, form=form or {},
        focus=focus, plan_statuses=_choices(PLAN_STATUS), measure_statuses=_choices(MEASURE_STATUS),
        kinds=_choices(MEASURE_KIND), types=_choices(INCIDENT_TYPE, exclude=("tbd",)), members=_members(),
        open_measures=_unlinked_measures()), status


def _unlinked_measures():
    from .models import RecommendationMeasure

    linked = select(RecommendationMeasure.measure_id)
    rows = db.session.execute(select(Measure.id, Measure.title).where(Measure.id.not_in(linked),
                                                                      Measure.status != "cancelled")
                              .order_by(Measure.created_at.desc()).limit(200)).all()
    return [(str(i), t) for i, t in rows]


@bp.get("/plans/<uuid:improvement_plan_id>")
@requires("learning.view")
def plan_detail(improvement_plan_id: uuid.UUID):
    return _plan_page(get_or_404(ImprovementPlan, improvement_plan_id))


@bp.get("/plans/<uuid:improvement_plan_id>/edit")
@requires("learning.manage")
def plan_edit(improvement_plan_id: uuid.UUID):
    plan = get_or_404(ImprovementPlan, improvement_plan_id)
    form = {c: getattr(plan, c) for c in ("shared_title", "source", "source_reference", "description", "owner_id",
                                          "started_on", "target_date", "shared_with_commissioners")}
    return render_template("learning/plan_edit.html", plan=plan, errors={}, form=form, **_plan_form_ctx())


@bp.post("/plans/<uuid:improvement_plan_id>/edit")
@requires("learning.manage")
def plan_update(improvement_plan_id: uuid.UUID):
    plan = get_or_404(ImprovementPlan, improvement_plan_id)
    data, errors = load_form(PlanUpdateSchema())
    if not errors:
        try:
            plans.update_plan(plan, data)
            db.session.commit()
            flash(_l("Plan saved."), "success")
            return redirect(url_for(".plan_detail", improvement_plan_id=plan.id))
        except RuleError as exc:
            db.session.rollback()
            errors = exc.errors
    return render_template("learning/plan_edit.html", plan=plan, errors=errors, form=request.form,
                           **_plan_form_ctx()), 422


@bp.post("/plans/<uuid:improvement_plan_id>/status")
@requires("learning.manage")
def plan_status(improvement_plan_id: uuid.UUID):
    plan = get_or_404(ImprovementPlan, improvement_plan_id)
    data, errors = load_form(PlanStatusSchema())
    if not errors:
        try:
            plans.change_plan_status(plan, data["status"], data.get("note"), _uid())
            db.session.commit()
            flash(_l("Status of the plan changed."), "success")
            return redirect(url_for(".plan_detail", improvement_plan_id=plan.id))
        except RuleError as exc:
            db.session.rollback()
            errors = exc.errors
    return _plan_page(plan, errors, request.form, 422, focus="status")


@bp.post("/plans/<uuid:improvement_plan_id>/recommendations")
@requires("learning.manage")
def recommendation_add(improvement_plan_id: uuid.UUID):
    plan = get_or_404(ImprovementPlan, improvement_plan_id)
    data, errors = load_form(RecommendationInSchema())
    if not errors:
        plans.add_recommendation(plan, data)
        db.session.commit()
        flash(_l("Recommendation added."), "success")
        return redirect(url_for(".plan_detail", improvement_plan_id=plan.id))
    return _plan_page(plan, errors, request.form, 422, focus="recommendation")


@bp.post("/recommendations/<uuid:plan_recommendation_id>/measures")
@requires("learning.manage")
def recommendation_measure(plan_recommendation_id: uuid.UUID):
    rec = get_or_404(PlanRecommendation, plan_recommendation_id)
    plan = get_or_404(ImprovementPlan, rec.plan_id)
    data, errors = load_form(PlanMeasureInSchema())
    if not errors:
        try:
            plans.add_plan_measure(rec, data, _uid())
            db.session.commit()
            flash(_l("Measure added to the recommendation."), "success")
            return redirect(url_for(".plan_detail", improvement_plan_id=plan.id) + f"#rec-{rec.id}")
        except RuleError as exc:
            db.session.rollback()
            errors = exc.errors
    return _plan_page(plan, errors, request.form, 422, focus=f"measure-{rec.id}")


def _back_to(measure):
    link = plans.link_of(measure.id)
    if link is not None:
        rec = get_or_404(PlanRecommendation, link.recommendation_id)
        return url_for(".plan_detail", improvement_plan_id=rec.plan_id) + f"#measure-{measure.id}", rec
    return url_for(".effectiveness"), None


@bp.post("/measures/<uuid:measure_id>/status")
@requires("learning.manage")
def measure_status(measure_id: uuid.UUID):
    measure = get_or_404(Measure, measure_id)
    data, errors = load_form(MeasureStatusSchema())
    target, rec = _back_to(measure)
    if not errors:
        try:
            plans.change_measure_status(measure, data, _uid())
            db.session.commit()
            flash(_l("Measure updated."), "success")
            return redirect(target)
        except RuleError as exc:
            db.session.rollback()
            errors = exc.errors
    if rec is not None:
        return _plan_page(get_or_404(ImprovementPlan, rec.plan_id), errors, request.form, 422,
                          focus=f"status-{measure.id}")
    return _judge_page(measure, errors, request.form, 422)


@bp.post("/measures/<uuid:measure_id>/evidence")
@requires("learning.manage")
def measure_evidence(measure_id: uuid.UUID):
    measure = get_or_404(Measure, measure_id)
    data, errors = load_form(EvidenceInSchema())
    target, rec = _back_to(measure)
    if not errors:
        plans.add_evidence(measure, data, _uid())
        db.session.commit()
        flash(_l("Evidence added."), "success")
        return redirect(target)
    if rec is not None:
        return _plan_page(get_or_404(ImprovementPlan, rec.plan_id), errors, request.form, 422,
                          focus=f"evidence-{measure.id}")
    return _judge_page(measure, errors, request.form, 422)


# --- Reporting policy -----------------------------------------------------------------

def _policy_page(errors=None, form=None, status=200, focus=None):
    settings = analysis.get_settings()
    versions = policy.versions()
    reviews = policy.reviews()
    events = policy.events()
    return render_template(
        "learning/policy.html", st=policy.status(settings), settings=settings, versions=versions,
        reviews=reviews, events=events, errors=errors or {}, form=form or {}, focus=focus,
        names=plans.user_names({r.reviewed_by for r in reviews}),
        adopters=_choices(POLICY_ADOPTER), decision_roles=_choices(POLICY_DECISION_ROLE),
        outcomes=_choices(REVIEW_OUTCOME), event_kinds=_choices(REPORTING_EVENT_KIND)), status


@bp.get("/policy")
@requires("learning.view")
def policy_page():
    return _policy_page()


@bp.post("/policy/versions")
@requires("learning.policy")
def policy_version_add():
    data, errors = load_form(PolicyInSchema())
    if not errors:
        try:
            policy.add_version(data, analysis.get_settings(), _uid())
            db.session.commit()
            flash(_l("Policy version registered."), "success")
            return redirect(url_for(".policy_page"))
        except RuleError as exc:
            db.session.rollback()
            errors = exc.errors
    return _policy_page(errors, request.form, 422, focus="version")


@bp.post("/policy/versions/<uuid:reporting_policy_id>/reviews")
@requires("learning.policy")
def policy_review_add(reporting_policy_id: uuid.UUID):
    row = get_or_404(ReportingPolicy, reporting_policy_id)
    data, errors = load_form(PolicyReviewInSchema())
    if not errors:
        try:
            policy.add_review(row, data, analysis.get_settings(), _uid())
            db.session.commit()
            flash(_l("Review registered."), "success")
            return redirect(url_for(".policy_page"))
        except RuleError as exc:
            db.session.rollback()
            errors = exc.errors
    return _policy_page(errors, request.form, 422, focus="review")


@bp.post("/policy/events")
@requires("learning.policy")
def reporting_event_add():
    data, errors = load_form(ReportingEventInSchema())
    if not errors:
        policy.add_event(data, _uid())
        db.session.commit()
        flash(_l("Change in reporting registered."), "success")
        return redirect(url_for(".policy_page"))
    return _policy_page(errors, request.form, 422, focus="event")


# --- Board reports --------------------------------------------------------------------

def _reports_page(errors=None, form=None, status=200):
    rows = reports.reports()
    settings = analysis.get_settings()
    return render_template("learning/reports.html", rows=rows, errors=errors or {}, form=form or {},
                           half_years=recent_half_years(), due=reports.report_due(settings),
                           interval=settings.report_interval_months,
                           names=plans.user_names({r.signed_by for r in rows})), status


@bp.get("/reports")
@requires("learning.view")
def report_list():
    return _reports_page()


@bp.post("/reports")
@requires("learning.report.request")
def report_request():
    data, errors = load_form(ReportRequestSchema())
    if errors:
        return _reports_page(errors, request.form, 422)
    report = reports.request_report(resolve_period(data), data["compare"], str(get_locale() or "nl"),
                                    data["include_names"], _uid())
    db.session.commit()
    return redirect(url_for(".report_detail", board_report_id=report.id))


def _job(report):
    """The job that prepares the report, for its progress (none when it was cleaned up)."""
    from flask import g

    from lekwijzer.models import OutboxJob

    row = db.session.get(OutboxJob, report.job_id) if report.job_id else None
    return row if row is not None and row.scope_org_id == g.org.id else None


def _report_page(report, errors=None, status=200):
    job = _job(report)
    busy = report.status != "ready" or (report.signed_at is not None and not report.pdf_includes_signoff)
    return render_template("learning/report.html", report=report, job=job, busy=busy, errors=errors or {},
                           period=reports.period_of(report),
                           names=plans.user_names({report.signed_by, report.requested_by})), status


@bp.get("/reports/<uuid:board_report_id>")
@requires("learning.view")
def report_detail(board_report_id: uuid.UUID):
    return _report_page(get_or_404(BoardReport, board_report_id))


@bp.get("/reports/<uuid:board_report_id>/pdf")
@requires("learning.view")
def report_pdf(board_report_id: uuid.UUID):
    from sqlalchemy.orm import undefer

    report = get_or_404(BoardReport, board_report_id, options=(undefer(BoardReport.pdf),))
    if report.pdf is None:
        abort(404)
    name = f"bestuursrapportage-datalekken-{reports.period_of(report).key}.pdf"
    return Response(report.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.post("/reports/<uuid:board_report_id>/sign-off")
@requires("learning.report.sign")
def report_sign(board_report_id: uuid.UUID):
    report = get_or_404(BoardReport, board_report_id)
    data, errors = load_form(SignOffSchema())
    if not errors:
        try:
            reports.sign_off(report, data, _uid())
            db.session.commit()
            flash(_l("You signed the report off for the board. The signed version is being prepared."), "success")
            return redirect(url_for(".report_detail", board_report_id=report.id))
        except RuleError as exc:
            db.session.rollback()
            errors = exc.errors
    return _report_page(report, errors, 422)


# --- Sharing with commissioners --------------------------------------------------------

def _sharing_page(errors=None, status=200):
    rows = sharing.grants()
    orgs = {o.id: o for o in sharing.commissioner_orgs()}
    names = dict(db.session.execute(select(Org.id, Org.name).where(
        Org.id.in_([r.commissioner_org_id for r in rows]))).all()) if rows else {}
    active = {r.commissioner_org_id for r in rows if r.withdrawn_at is None}
    choices = [(str(o.id), o.name) for o in orgs.values() if o.id not in active]
    return render_template("learning/sharing.html", rows=rows, org_names=names, choices=choices,
                           errors=errors or {}, people=plans.user_names(
                               {r.granted_by for r in rows} | {r.withdrawn_by for r in rows})), status


@bp.get("/sharing")
@requires("learning.share")
def sharing_page():
    return _sharing_page()


@bp.post("/sharing")
@requires("learning.share")
def grant_add():
    data, errors = load_form(GrantInSchema())
    if not errors:
        try:
            sharing.grant(data["commissioner_org_id"], _uid())
            db.session.commit()
            flash(_l("Access granted. The organisation can now follow your improvement plans and figures."), "success")
            return redirect(url_for(".sharing_page"))
        except RuleError as exc:
            db.session.rollback()
            errors = exc.errors
    return _sharing_page(errors, 422)


@bp.post("/sharing/<uuid:commissioner_grant_id>/withdraw")
@requires("learning.share")
def grant_withdraw(commissioner_grant_id: uuid.UUID):
    row = get_or_404(CommissionerGrant, commissioner_grant_id)
    try:
        sharing.withdraw(row, _uid())
        db.session.commit()
        flash(_l("Access withdrawn."), "success")
    except RuleError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for(".sharing_page"))


# --- Settings -------------------------------------------------------------------------

@bp.get("/settings")
@requires("learning.settings")
def settings_page():
    s = analysis.get_settings()
    form = {k: getattr(s, k) for k in SettingsSchema().fields}
    return render_template("learning/settings.html", errors={}, form=form)


@bp.post("/settings")
@requires("learning.settings")
def settings_save():
    data, errors = load_form(SettingsSchema())
    if errors:
        return render_template("learning/settings.html", errors=errors, form=request.form), 422
    analysis.save_settings(data, _uid())
    db.session.commit()
    flash(_l("Settings saved."), "success")
    return redirect(url_for(".settings_page"))


# --- Navigation and the dashboard panel -------------------------------------------------

def _panel():
    from .enums import POLICY_STATUS, label

    settings = analysis.get_settings()
    st = policy.status(settings)
    return {"policy": st, "policy_label": label(POLICY_STATUS, st["status"]),
            "policy_kind": {"current": "ok", "review_due": "warn"}.get(st["status"], "error"),
            "report_due": reports.report_due(settings), "last_signed": reports.last_signed_at(),
            "plans": plans.plans_with_progress(("active",))}


register_nav("learning.pdca", _l("Learning (PDCA)"), permission="learning.view", order=40)
register_panel("learning/panel.html", _panel, permission="learning.view", order=40)
