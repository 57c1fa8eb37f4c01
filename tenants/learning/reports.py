"""The half-yearly PDCA report to the board: generated as a job, stored in the database.

1. A privacy officer or board member asks for a report on a period (`request_report`);
   the row and the job are written in one transaction.
2. The job (`learning.board_report`, mode "full") freezes the figures in `snapshot`,
   draws the charts with the same functions as the PDCA page, renders the PDF with
   WeasyPrint and stores its bytes in the row, reporting its progress as it goes.
3. A board member signs it off in the application (`sign_off`, audited). The fingerprint
   of the PDF they read is kept, and the job (mode "final") renders the same snapshot
   again with the sign-off in it.

The PDF lives in the database, not on a local disk, so every web and worker process
can serve it. Jobs re-check state first and can run twice without harm.
"""
from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, g
from flask_babel import force_locale, gettext

from lekwijzer import audit
from lekwijzer.db import db, utcnow
from lekwijzer.jobs import enqueue, job, set_progress
from lekwijzer.models import Org
from lekwijzer.tenancy import current_tenant_id
from tenants.register.models import Measure

from . import analysis, charts, plans, policy
from .enums import OPEN_PLAN_STATUSES, template_helpers
from .models import BoardReport, ImprovementPlan, PlanRecommendation, RecommendationMeasure
from .periods import Period, add_months, today_local
from .rules import RuleError

SNAPSHOT_VERSION = 1


def _progress(percent: int) -> None:
    # Inline jobs (the embedded mode) finish before anyone could look; and on SQLite a
    # second connection would wait for this job's own transaction.
    if getattr(g, "outbox_id", None) is not None and not current_app.config["JOBS_INLINE"]:
        set_progress(percent)


# --- Asking, reading ------------------------------------------------------------------

def request_report(period: Period, compare: int, language: str, include_names: bool, user_id) -> BoardReport:
    report = BoardReport(id=uuid.uuid4(), period_start=period.start, period_end=period.last_day,
                         compare_periods=compare, language=language, status="queued", requested_by=user_id,
                         snapshot={"include_names": include_names})
    db.session.add(report)
    row = enqueue("learning.board_report", tenant_id=current_tenant_id(), board_report_id=report.id, mode="full")
    report.job_id = row.id
    audit.record("board_report.requested", "board_report", report.id,
                 meta={"period": period.key, "compare": compare, "names": include_names})
    return report


def reports() -> list[BoardReport]:
    return db.session.scalars(sa.select(BoardReport).order_by(BoardReport.requested_at.desc())).all()


def last_signed_at() -> datetime | None:
    return db.session.scalar(sa.select(sa.func.max(BoardReport.signed_at)))


def report_due(settings, today: date | None = None, last_signed: datetime | None = None) -> bool:
    """True when no report was signed off within the reporting interval (six months)."""
    today = today or today_local()
    last = last_signed if last_signed is not None else last_signed_at()
    return last is None or add_months(last.date(), settings.report_interval_months) <= today


def period_of(report: BoardReport) -> Period:
    from datetime import timedelta

    return Period(report.period_start, report.period_end + timedelta(days=1))


# --- The snapshot ---------------------------------------------------------------------

def _open_plans(include_names: bool) -> list[dict]:
    out = []
    rows = plans.plans_with_progress(OPEN_PLAN_STATUSES)
    names = plans.user_names({p.owner_id for p, _ in rows}) if include_names else {}
    for plan, prog in rows:
        recs = db.session.execute(
            sa.select(PlanRecommendation.id, PlanRecommendation.position, PlanRecommendation.shared_title)
            .where(PlanRecommendation.plan_id == plan.id).order_by(PlanRecommendation.position)).all()
        statuses = {}
        for rec_id, status, due in db.session.execute(
                sa.select(RecommendationMeasure.recommendation_id, Measure.status, Measure.due_date)
                .join(Measure, Measure.id == RecommendationMeasure.measure_id)
                .where(RecommendationMeasure.recommendation_id.in_([r[0] for r in recs]))):
            statuses.setdefault(rec_id, []).append((status, due))
        out.append({
            "title": plan.shared_title, "source": plan.source, "status": plan.status,
            "started_on": plan.started_on.isoformat(),
            "target_date": plan.target_date.isoformat() if plan.target_date else None,
            "owner": names.get(plan.owner_id) if include_names else None,
            "progress": prog,
            "recommendations": [{
                "position": pos, "title": title,
                "status": plans.recommendation_status([s for s, _ in statuses.get(rid, [])]),
                "progress": plans.progress(statuses.get(rid, [])),
            } for rid, pos, title in recs],
        })
    return out


def _overdue_measures(include_names: bool, today: date) -> list[dict]:
    rows = db.session.execute(
        sa.select(Measure.id, Measure.title, Measure.due_date, Measure.owner_id, Measure.status)
        .where(Measure.status.in_(plans.OPEN_MEASURE), Measure.due_date < today)
        .order_by(Measure.due_date)).all()
    names = plans.user_names({r.owner_id for r in rows}) if include_names else {}
    return [{"title": r.title, "due_date": r.due_date.isoformat(), "status": r.status,
             "owner": names.get(r.owner_id) if include_names else None} for r in rows]


def build_snapshot(report: BoardReport) -> dict:
    settings = analysis.get_settings()
    today = today_local()
    include_names = bool((report.snapshot or {}).get("include_names"))
    ds = analysis.load_dataset()
    period = period_of(report)
    pol = policy.status(settings, today)
    current = next((v for v in policy.versions() if v.id == pol["policy_id"]), None)
    previous_signed = db.session.scalar(sa.select(sa.func.max(BoardReport.signed_at))
                                        .where(BoardReport.id != report.id))
    plan_count = db.session.scalar(sa.select(sa.func.count()).select_from(ImprovementPlan)
                                   .where(ImprovementPlan.status == "completed"))
    return {
        "version": SNAPSHOT_VERSION,
        "include_names": include_names,
        "org_name": db.session.get(Org, current_tenant_id()).name,
        "generated_at": utcnow().isoformat(),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "analysis": analysis.analyse(period, report.compare_periods, ds, today),
        "window_months": settings.effectiveness_window_months,
        "effectiveness": analysis.effectiveness(settings.effectiveness_window_months, ds),
        "plans": _open_plans(include_names),
        "completed_plans": plan_count,
        "overdue_measures": _overdue_measures(include_names, today),
        "policy": {k: (v.isoformat() if isinstance(v, date) else (str(v) if isinstance(v, uuid.UUID) else v))
                   for k, v in pol.items()} | {"version_label": current.version_label if current else None},
        "previous_signed_at": previous_signed.isoformat() if previous_signed else None,
    }


# --- Rendering ------------------------------------------------------------------------

def chart_images(snapshot: dict) -> dict:
    """The page's chart functions, drawn from the frozen figures, as data URIs."""
    out = {}
    for name in charts.CHARTS:
        svg = charts.render(name, snapshot["analysis"])
        out[name] = {"svg": svg, "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
                     "alt": charts.alt_text(name, snapshot["analysis"])}
    return out


def render_html(report: BoardReport, snapshot: dict, images: dict | None = None, signer_name=None) -> str:
    from datetime import timedelta

    images = images or chart_images(snapshot)
    period = Period(date.fromisoformat(snapshot["period"]["start"]), date.fromisoformat(snapshot["period"]["end"]))
    # Rendered straight from the environment: jobs have no request for the page shell.
    template = current_app.jinja_env.get_template("learning/report_pdf.html")
    return template.render(
        report=report, s=snapshot, a=snapshot["analysis"], images=images, period=period,
        signer_name=signer_name, timedelta=timedelta, parse_dt=datetime.fromisoformat,
        parse_date=date.fromisoformat, **template_helpers())


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=current_app.root_path).write_pdf()


def build_pdf(report: BoardReport, snapshot: dict, signer_name=None) -> bytes:
    with force_locale(report.language):
        images = chart_images(snapshot)
        _progress(55)
        html = render_html(report, snapshot, images, signer_name)
    _progress(70)
    return render_pdf(html)


def _store(report: BoardReport, pdf: bytes) -> None:
    report.pdf = pdf
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    report.pdf_size = len(pdf)
    report.generated_at = utcnow()
    report.status = "ready"


@job("learning.board_report")
def generate(board_report_id: str, mode: str = "full") -> None:
    report = db.session.scalar(sa.select(BoardReport).where(BoardReport.id == uuid.UUID(board_report_id)))
    if report is None:
        return
    if mode == "full":
        if report.status == "ready":
            return  # already done (a second delivery of the same job)
        _progress(5)
        snapshot = build_snapshot(report)  # nothing is written until the end: progress stays visible
        _progress(35)
        # A report recorded as signed before it was generated (imported history, demo data)
        # is rendered with its sign-off at once.
        signer = plans.user_names([report.signed_by]).get(report.signed_by) if report.signed_at else None
        pdf = build_pdf(report, snapshot, signer_name=signer)
        report.snapshot = snapshot
        _store(report, pdf)
        report.pdf_includes_signoff = report.signed_at is not None
    elif mode == "final":
        if report.signed_at is None or report.pdf_includes_signoff:
            return
        _progress(20)
        signer = plans.user_names([report.signed_by]).get(report.signed_by)
        pdf = build_pdf(report, report.snapshot, signer_name=signer)
        _store(report, pdf)
        report.pdf_includes_signoff = True
    else:
        return
    _progress(95)
    audit.record("board_report.generated", "board_report", report.id,
                 meta={"mode": mode, "bytes": report.pdf_size}, actor=("system", None))


def sign_off(report: BoardReport, data: dict, user_id) -> None:
    if report.status != "ready" or report.pdf_sha256 is None:
        raise RuleError("confirm", gettext("The report is not ready yet: sign it off once it has been generated."))
    if report.signed_at is not None:
        raise RuleError("confirm", gettext("This report has already been signed off."))
    report.signed_by = user_id
    report.signed_at = utcnow()
    report.signed_sha256 = report.pdf_sha256
    report.sign_note = data.get("note") or None
    row = enqueue("learning.board_report", tenant_id=current_tenant_id(), board_report_id=report.id, mode="final")
    report.job_id = row.id
    audit.record("board_report.signed", "board_report", report.id, meta={"sha256": report.signed_sha256[:16]})
