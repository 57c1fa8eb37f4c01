"""The institution's supervision pages: findings, benchmark, transparency, register requests."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Flask, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user

from lekwijzer import orghome
from lekwijzer.db import db
from lekwijzer.edge import org_blueprint, requires
from lekwijzer.forms import load_form
from lekwijzer.roles import register_permissions
from lekwijzer.ui import register_nav
from tenants.oversight import benchmark, labels, templating
from tenants.oversight.profile import institution_profile, short_id
from tenants.register.models import Breach

from . import charts, export, service
from .schemas import DeclineSchema, FindingResponseSchema

register_permissions({
    "supervision.view": {"privacy_officer", "fg", "board", "tenant_admin", "auditor"},
    "supervision.respond": {"privacy_officer"},
    "supervision.release": {"privacy_officer", "board"},
})

bp = org_blueprint("supervision", __name__, url_prefix="/supervision", template_folder="templates")

METRIC = {
    "notifications_per_100_employees": _l("Notifications to the AP per 100 employees"),
    "notifications_per_1000_clients": _l("Notifications to the AP per 1,000 clients"),
    "completeness": _l("Completeness of register entries (%)"),
    "median_hours_to_notify": _l("Median hours from awareness to notification"),
    "measures_on_time": _l("Measures done by their due date (%)"),
    "recurrence": _l("Entries of a type that occurred before in the year (%)"),
}
POSITION = {
    "below_p10": _l("among the lowest 10%"),
    "p10_p25": _l("between the lowest 10% and 25%"),
    "p25_p75": _l("in the middle half"),
    "p75_p90": _l("between the highest 25% and 10%"),
    "above_p90": _l("among the highest 10%"),
}


def _entry_refs(findings) -> dict:
    """Own register references for the findings' entries (the institution's own data)."""
    ids = [f.breach_id for f in findings if f.breach_id]
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Breach.id, Breach.reference).where(Breach.id.in_(ids))).all())


@bp.get("/")
@requires("supervision.view")
def overview():
    profile = institution_profile(g.org.id)
    requests = [(r, service.release_for(r)) for r in service.my_requests()]
    return render_template("supervision/overview.html", profile=profile, requests=requests,
                           refs=_entry_refs(profile.findings))


@bp.get("/findings/<uuid:reconciliation_finding_id>")
@requires("supervision.view")
def finding(reconciliation_finding_id: uuid.UUID):
    row = service.finding_for_me(reconciliation_finding_id)
    response = service.response_to(row.id)
    form = {"code": response.code, "note": response.note or ""} if response else {}
    return _finding_page(row, response, {}, form)


def _finding_page(row, response, errors, form, status=200):
    choices = [(k, gettext(v)) for k, v in labels.RESPONSE_CODE.items()]
    return render_template("supervision/finding.html", finding=row, response=response, errors=errors, form=form,
                           choices=choices, entry=short_id(row.breach_id), refs=_entry_refs([row]),
                           detail=[d for d in (row.detail or "").split(",") if d]), status


@bp.post("/findings/<uuid:reconciliation_finding_id>")
@requires("supervision.respond")
def respond(reconciliation_finding_id: uuid.UUID):
    row = service.finding_for_me(reconciliation_finding_id)
    data, errors = load_form(FindingResponseSchema())
    if errors:
        return _finding_page(row, service.response_to(row.id), errors, request.form, status=422)
    service.respond(row, data, current_user.id)
    db.session.commit()
    flash(_l("Your answer has been saved. The AP sees the answer you chose; your note stays with you."), "success")
    return redirect(url_for(".overview"))


@bp.get("/benchmark")
@requires("supervision.view")
def benchmark_page():
    own = benchmark.institution_figures([g.org.id]).get(g.org.id, {})
    sector = benchmark.sector()
    rows = [(key, METRIC[key], own.get(key), sector.get(key), benchmark.position(own.get(key), sector.get(key)))
            for key in benchmark.METRICS]
    start, end = benchmark.window()
    computed = max((s.computed_at for s in sector.values()), default=None)
    return render_template("supervision/benchmark.html", rows=rows, positions=POSITION, start=start, end=end,
                           computed=computed, lower_better=benchmark.LOWER_IS_BETTER,
                           neutral=benchmark.NOT_BETTER_OR_WORSE, minimum=benchmark.MIN_INSTITUTIONS)


@bp.get("/benchmark.svg")
@requires("supervision.view")
def benchmark_chart():
    own = benchmark.institution_figures([g.org.id]).get(g.org.id, {})
    sector = benchmark.sector()
    metrics = [(gettext(METRIC[k]), own.get(k), sector[k]) for k in benchmark.METRICS if k in sector]
    svg = charts.benchmark(metrics, gettext("Your figure"), gettext("Sector: 10–90% (light), 25–75% (dark), median"))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})


@bp.get("/transparency")
@requires("supervision.view")
def transparency():
    return render_template("supervision/transparency.html", profile=institution_profile(g.org.id))


@bp.get("/requests/<uuid:register_request_id>")
@requires("supervision.view")
def register_request(register_request_id: uuid.UUID):
    return _request_page(service.request_for_me(register_request_id), {})


def _request_page(row, errors, status=200):
    release = service.release_for(row)
    return render_template("supervision/request.html", req=row, release=release, status=service.status(row, release),
                           errors=errors, headers=export.HEADERS,
                           reasons=[(k, gettext(v)) for k, v in labels.DECLINE_REASON.items()]), status


@bp.post("/requests/<uuid:register_request_id>/prepare")
@requires("supervision.release")
def prepare(register_request_id: uuid.UUID):
    row = service.request_for_me(register_request_id)
    try:
        service.prepare(row, current_user.id)
    except service.SupervisionError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".register_request", register_request_id=register_request_id))
    db.session.commit()
    flash(_l("The export is being prepared. Review it before you release it."), "success")
    return redirect(url_for(".register_request", register_request_id=register_request_id))


@bp.post("/requests/<uuid:register_request_id>/release")
@requires("supervision.release")
def release(register_request_id: uuid.UUID):
    row = service.request_for_me(register_request_id)
    try:
        service.release(row, current_user.id)
    except service.SupervisionError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".register_request", register_request_id=register_request_id))
    db.session.commit()
    flash(_l("The register has been released to the AP."), "success")
    return redirect(url_for(".register_request", register_request_id=register_request_id))


@bp.post("/requests/<uuid:register_request_id>/decline")
@requires("supervision.release")
def decline(register_request_id: uuid.UUID):
    row = service.request_for_me(register_request_id)
    data, errors = load_form(DeclineSchema())
    if errors:
        return _request_page(row, errors, status=422)
    try:
        service.decline(row, data["reason"], current_user.id)
    except service.SupervisionError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".register_request", register_request_id=register_request_id))
    db.session.commit()
    flash(_l("You have declined the request. The AP has been told."), "success")
    return redirect(url_for(".register_request", register_request_id=register_request_id))


@bp.get("/requests/<uuid:register_request_id>/download")
@requires("supervision.release")
def download(register_request_id: uuid.UUID):
    """The institution reviews its own export before it releases it."""
    row = service.request_for_me(register_request_id)
    release_row = service.release_for(row)
    if release_row is None or release_row.content is None:
        abort(404)
    return Response(release_row.content, mimetype=export.content_type(release_row.file_format), headers={
        "Content-Disposition": f'attachment; filename="datalekregister-{g.org.slug}.{release_row.file_format}"',
        "Cache-Control": "no-store"})


def _panel():
    profile = institution_profile(g.org.id)
    pending = [r for r in service.my_requests() if service.status(r, service.release_for(r)) not in
               ("released", "declined")]
    return {"open": [f for f in profile.open_findings if f.kind not in labels.INFORMATIONAL], "pending": pending}


def init_app(app: Flask) -> None:
    from . import api, demo, jobs  # noqa: F401  (jobs and the demo seeder register themselves)

    templating.init_app(app)
    app.register_blueprint(bp)
    api.init_app(app)


register_nav("supervision.overview", _l("Supervision"), permission="supervision.view", order=70)
orghome.register_panel("supervision/_panel.html", _panel, permission="supervision.view", order=70)
