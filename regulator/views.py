"""The regulator's pages: reconciliation, intake, findings, institutions, statistics, requests."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Flask, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user

from lekwijzer import orghome
from lekwijzer.db import db
from lekwijzer.edge import get_or_404, org_blueprint, requires
from lekwijzer.forms import load_form
from lekwijzer.jobs import enqueue
from lekwijzer.models import Org, OrgKind
from lekwijzer.roles import register_permissions
from lekwijzer.ui import register_nav
from tenants.oversight import labels, templating
from tenants.oversight.models import InstitutionReview, ReconciliationFinding, RegisterRequest
from tenants.oversight.profile import institution_profile
from tenants.oversight.register import responses_for

from . import charts, intake, service, statistics
from .models import IntakeBatch, ReceivedNotification, ReconciliationRun
from .schemas import IntakeUploadSchema, RegisterRequestInSchema, RunInSchema

REGULATOR = (OrgKind.regulator,)
register_permissions({
    "ap.view": {"analyst"},
    "ap.intake": {"analyst"},
    "ap.reconcile": {"analyst"},
    "ap.request": {"analyst"},
})

bp = org_blueprint("regulator", __name__, kinds=REGULATOR, url_prefix="/ap", template_folder="templates")
PAGE = 50


def _review_rows(run: ReconciliationRun | None):
    if run is None:
        return []
    rows = db.session.execute(
        sa.select(InstitutionReview, Org).join(Org, Org.id == InstitutionReview.institution_id)
        .where(InstitutionReview.run_id == run.id).order_by(InstitutionReview.open_findings.desc(), Org.name)).all()
    return rows


def _new_by_institution(run: ReconciliationRun | None) -> dict:
    if run is None:
        return {}
    F = ReconciliationFinding
    return dict(db.session.execute(
        sa.select(F.institution_id, sa.func.count()).where(F.first_seen_run_id == run.id, F.status == "open",
                                                           F.kind.not_in(["matched", "withdrawn"]))
        .group_by(F.institution_id)).all())


def _run_form(errors=None, form=None):
    start, end = service.default_period()
    return {"errors": errors or {}, "form": form or {"period_from": start.isoformat(), "period_until": end.isoformat()}}


@bp.get("/")
@requires("ap.view")
def overview():
    run = service.latest_run()
    pending = db.session.scalar(sa.select(ReconciliationRun).where(ReconciliationRun.status.in_(["queued", "running"]))
                                .order_by(ReconciliationRun.requested_at.desc()).limit(1))
    received = db.session.scalar(sa.select(sa.func.count()).select_from(ReceivedNotification)) or 0
    return render_template("regulator/overview.html", run=run, pending=pending, reviews=_review_rows(run),
                           new_by=_new_by_institution(run), received=received, kinds=labels.FINDING_KIND,
                           informational=labels.INFORMATIONAL, **_run_form())


@bp.post("/runs")
@requires("ap.reconcile")
def start_run():
    data, errors = load_form(RunInSchema())
    if errors:
        run = service.latest_run()
        received = db.session.scalar(sa.select(sa.func.count()).select_from(ReceivedNotification)) or 0
        return render_template("regulator/overview.html", run=run, pending=None, reviews=_review_rows(run),
                               new_by=_new_by_institution(run), received=received, kinds=labels.FINDING_KIND,
                               informational=labels.INFORMATIONAL, **_run_form(errors, request.form)), 422
    run, _job = service.start_run(data.get("period_from"), data.get("period_until"), current_user.id)
    run_id = run.id
    db.session.commit()
    flash(_l("Reconciliation started. Findings appear when it has finished."), "success")
    return redirect(url_for(".run", reconciliation_run_id=run_id))


@bp.get("/runs/<uuid:reconciliation_run_id>")
@requires("ap.view")
def run(reconciliation_run_id: uuid.UUID):
    row = get_or_404(ReconciliationRun, reconciliation_run_id)
    runs = db.session.scalars(sa.select(ReconciliationRun).order_by(ReconciliationRun.requested_at.desc())
                              .limit(20)).all()
    return render_template("regulator/run.html", run=row, runs=runs, kinds=labels.FINDING_KIND)


@bp.get("/intake")
@requires("ap.intake")
def intake_page():
    return _intake_page()


def _intake_page(result=None, problems=None, status=200):
    batches = db.session.scalars(sa.select(IntakeBatch).order_by(IntakeBatch.uploaded_at.desc()).limit(20)).all()
    return render_template("regulator/intake.html", batches=batches, result=result, problems=problems or [],
                           columns=intake.COLUMNS), status


@bp.post("/intake")
@requires("ap.intake")
def upload():
    data, errors = load_form(IntakeUploadSchema())
    upload = request.files.get("file")
    if errors or upload is None or not upload.filename:
        problems = [{"line": None, "field": "file", "message": gettext("Choose a CSV or JSON file.")}]
        return _intake_page(problems=problems, status=422)
    raw = upload.read()
    try:
        result = intake.import_file(raw, upload.filename, data["file_format"], current_user.id)
    except intake.IntakeRefused as refused:
        db.session.rollback()
        return _intake_page(problems=refused.errors, status=422)
    db.session.commit()
    return _intake_page(result=result)


@bp.get("/findings")
@requires("ap.view")
def findings():
    F = ReconciliationFinding
    kind = request.args.get("kind") or None
    status = request.args.get("status") or None
    kvk = (request.args.get("institution") or "").strip() or None
    page = max(1, request.args.get("page", 1, type=int))
    run = service.latest_run()
    stmt = sa.select(F, Org).join(Org, Org.id == F.institution_id)
    if kind in labels.FINDING_KIND:
        stmt = stmt.where(F.kind == kind)
    else:
        kind = None
        stmt = stmt.where(F.kind != "matched")
    if status == "resolved":
        stmt = stmt.where(F.status == "resolved")
    elif status == "new" and run is not None:
        stmt = stmt.where(F.status == "open", F.first_seen_run_id == run.id)
    elif status == "open":
        stmt = stmt.where(F.status == "open")
    else:
        status = None
    if kvk:
        stmt = stmt.where(Org.kvk == kvk)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(stmt.order_by(F.status, Org.name, F.kind, F.finding_key)
                              .limit(PAGE).offset((page - 1) * PAGE)).all()
    responses = responses_for({org.id for _f, org in rows})
    return render_template("regulator/findings.html", rows=rows, responses=responses, total=total, page=page,
                           has_more=page * PAGE < total, kind=kind, status=status, kvk=kvk or "",
                           kind_choices=[(k, gettext(v)) for k, v in labels.FINDING_KIND.items()],
                           latest_run=run.id if run else None)


@bp.get("/institutions")
@requires("ap.view")
def institutions():
    run = service.latest_run()
    return render_template("regulator/institutions.html", run=run, reviews=_review_rows(run))


@bp.get("/institutions/<institution_slug>")
@requires("ap.view")
def institution(institution_slug: str):
    org = service.institution_by_slug(institution_slug)
    if org is None:
        abort(404)
    requests = db.session.scalars(sa.select(RegisterRequest).where(RegisterRequest.institution_id == org.id)
                                  .order_by(RegisterRequest.requested_at.desc())).all()
    return render_template("regulator/institution.html", profile=institution_profile(org.id), org=org,
                           requests=[(r, service.release_of(r)) for r in requests])


def _statistics_args():
    granularity = request.args.get("granularity", "year")
    dimension = request.args.get("dimension", "type")
    measure = request.args.get("measure", "breaches")
    if granularity not in ("year", "quarter") or dimension not in statistics.DIMENSIONS \
            or measure not in ("breaches", "notifications"):
        abort(404)
    return granularity, dimension, measure


def _column_label(dimension: str, code: str, snapshot: dict) -> str:
    from .labels import DIMENSION_VALUE

    if dimension == "region":
        return snapshot.get("region_names", {}).get(code, code) if code != "unknown" else gettext("Unknown")
    return gettext(DIMENSION_VALUE[code]) if code in DIMENSION_VALUE else code


@bp.get("/statistics")
@requires("ap.view")
def statistics_page():
    granularity, dimension, measure = _statistics_args()
    snapshot = statistics.latest(granularity)
    data = snapshot.tables if snapshot else None
    column_labels = {}
    if data:
        table = data["tables"][f"{measure}_by_{dimension}"]
        column_labels = {code: _column_label(dimension, code, data) for code in table["cols"]}
        for name in ("time_to_notify", "notified_late"):
            column_labels.update({code: _column_label(name, code, data) for code in data["tables"][name]["cols"]})
    return render_template("regulator/statistics.html", snapshot=snapshot, data=data, granularity=granularity,
                           dimension=dimension, measure=measure, column_labels=column_labels,
                           late=statistics.late_share(data["tables"]["notified_late"]) if data else [])


@bp.post("/statistics")
@requires("ap.view")
def refresh_statistics():
    for granularity in ("year", "quarter"):
        enqueue("regulator.statistics", tenant_id=g.org.id, granularity=granularity)
    db.session.commit()
    flash(_l("The statistics are being recalculated."), "success")
    return redirect(url_for(".statistics_page"))


@bp.get("/statistics/chart.svg")
@requires("ap.view")
def chart():
    granularity, dimension, measure = _statistics_args()
    name = request.args.get("chart", "volume")
    snapshot = statistics.latest(granularity)
    if snapshot is None:
        abort(404)
    data = snapshot.tables
    tables = data["tables"]
    note = gettext("Figures behind fewer than 5 institutions are withheld and not drawn.")
    empty = gettext("Every figure here rests on fewer than 5 institutions: nothing to draw.")
    if name == "volume":
        periods = tables["breaches_by_type"]["rows"]
        svg = charts.grouped_bars(periods, [(gettext("Register entries"), tables["breaches_by_type"]["row_totals"]),
                                            (gettext("Notifications to the AP"),
                                             tables["notifications_by_type"]["row_totals"])],
                                  gettext("Number"), note, empty)
    elif name == "dimension":
        table = tables[f"{measure}_by_{dimension}"]
        svg = charts.horizontal_bars([_column_label(dimension, c, data) for c in table["cols"]],
                                     table["col_totals"], gettext("Number"), note, empty)
    elif name == "ttn":
        table = tables["time_to_notify"]
        svg = charts.horizontal_bars([_column_label("time_to_notify", c, data) for c in table["cols"]],
                                     table["col_totals"], gettext("Number of notifications"), note, empty)
    elif name == "late":
        shares = statistics.late_share(tables["notified_late"])
        svg = charts.line([p for p, _ in shares], [s for _, s in shares], gettext("% notified late"), note,
                          empty=empty)
    else:
        abort(404)
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})


@bp.get("/requests")
@requires("ap.request")
def requests_page():
    return _requests_page({}, {})


def _requests_page(errors, form, status=200):
    choices = [(org.kvk, f"{org.name} ({org.kvk})") for org in service.institutions() if org.kvk]
    return render_template("regulator/requests.html", rows=service.requests_overview(), errors=errors, form=form,
                           institution_choices=choices, formats=labels.FILE_FORMAT,
                           legal_basis_choices=[(k, gettext(v)) for k, v in labels.LEGAL_BASIS.items()]), status


@bp.post("/requests")
@requires("ap.request")
def create_request():
    data, errors = load_form(RegisterRequestInSchema())
    if not errors:
        try:
            service.request_register(data, current_user.id)
            db.session.commit()
            flash(_l("The request has been sent to the institution."), "success")
            return redirect(url_for(".requests_page"))
        except service.RequestError as exc:
            db.session.rollback()
            errors = {"institution": [str(exc)]}
    return _requests_page(errors, request.form, status=422)


@bp.get("/requests/<uuid:register_request_id>/download")
@requires("ap.request")
def download(register_request_id: uuid.UUID):
    row = get_or_404(RegisterRequest, register_request_id)
    if row.tenant_id != g.org.id:
        abort(404)
    try:
        release = service.download(row)
    except service.RequestError:
        abort(404)
    db.session.commit()
    return Response(release.content, mimetype=service.CONTENT_TYPES[release.file_format], headers={
        "Content-Disposition": f'attachment; filename="datalekregister-{row.case_reference.replace(" ", "_")}'
                               f'.{release.file_format}"',
        "Cache-Control": "no-store"})


def _panel():
    run = service.latest_run()
    return {"run": run, "kinds": labels.FINDING_KIND, "informational": labels.INFORMATIONAL}


def init_app(app: Flask) -> None:
    from . import api, demo, jobs  # noqa: F401  (jobs and the demo seeder register themselves)

    templating.init_app(app)
    app.register_blueprint(bp)
    api.init_app(app)


register_nav("regulator.overview", _l("Reconciliation"), permission="ap.view", kinds=REGULATOR, order=10)
register_nav("regulator.intake_page", _l("Intake"), permission="ap.intake", kinds=REGULATOR, order=11)
register_nav("regulator.findings", _l("Findings"), permission="ap.view", kinds=REGULATOR, order=12)
register_nav("regulator.institutions", _l("Register quality"), permission="ap.view", kinds=REGULATOR, order=13)
register_nav("regulator.statistics_page", _l("Sector statistics"), permission="ap.view", kinds=REGULATOR, order=14)
register_nav("regulator.requests_page", _l("Register requests"), permission="ap.request", kinds=REGULATOR, order=15)
orghome.register_panel("regulator/_panel.html", _panel, permission="ap.view", kinds=REGULATOR, order=10)
