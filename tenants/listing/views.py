"""Pages: the breach register, the incident log, and exports with their progress."""
from __future__ import annotations

import math
import uuid

from flask import Response, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user

from lekwijzer.db import db
from lekwijzer.edge import can, get_or_404, org_blueprint, requires
from lekwijzer.forms import load_form
from tenants.register import enums

from . import exports, queries, service
from .links import optional_url
from .models import RegisterExport
from .schemas import SORTS, ExportRequestSchema, IncidentFilterSchema, PageSchema, RegisterFilterSchema

bp = org_blueprint("listing", __name__, template_folder="templates")

# Which way a column sorts when first chosen.
FIRST_ORDER = {"aware": "desc", "reference": "desc", "title": "asc", "severity": "desc", "status": "asc",
               "notified": "desc"}
EXPORT_STATE_LABELS = {
    "queued": _l("Waiting for its turn"),
    "running": _l("Being prepared"),
    "retrying": _l("Something went wrong; it will be tried again"),
    "failed": _l("Failed. Ask for a new export."),
    "done": _l("Ready"),
    "expired": _l("Expired: the file has been removed"),
}
EXPORT_FORMAT_LABELS = {"xlsx": _l("Excel (XLSX)"), "csv": _l("CSV (semicolon-separated)"),
                        "json": _l("JSON (EDPB template)")}


@bp.context_processor
def _helpers():
    return {"optional_url": optional_url, "enums": enums,
            "export_state_labels": EXPORT_STATE_LABELS, "export_format_labels": EXPORT_FORMAT_LABELS,
            "describe_filters": exports.describe_filters, "loaded_filters": exports.loaded_filters, "can": can}


def _query_params(filters: dict) -> dict:
    """The filters as URL parameters, leaving out what is not set or default."""
    out = {}
    for key, value in exports.stored_filters(filters).items():
        if value in (None, "", False) or (key == "sort" and value == "aware") or (key == "order" and value == "desc"):
            continue
        out[key] = "1" if value is True else value
    return out


def _choices():
    return {
        "incident_type": enums.choices(enums.INCIDENT_TYPE),
        "band": enums.choices(enums.ENISA_BAND) + [("none", gettext(exports.NOT_ASSESSED))],
        "risk_outcome": enums.choices(enums.RISK_OUTCOME) + [("none", gettext(exports.NOT_ASSESSED))],
        "status": enums.choices(enums.BREACH_STATUS),
        "notified": [("yes", gettext("yes")), ("no", gettext("no"))],
        "incident_status": enums.choices(enums.INCIDENT_STATUS),
    }


@bp.get("/register")
@requires("register.list")
def register():
    filters, errors = load_form(RegisterFilterSchema(), form=request.args)
    paging, page_errors = load_form(PageSchema(), form=request.args)
    errors.update(page_errors)
    context = {"form": request.args, "errors": errors, "choices": _choices(), "figures": queries.figures()}
    if errors:
        return render_template("listing/register.html", rows=None, **context), 422
    rows, total = queries.register_page(filters, paging["page"], paging["page_size"])
    params = _query_params(filters)
    if paging["page_size"] != 25:
        params["page_size"] = paging["page_size"]

    def page_url(number):
        return url_for(".register", **params, page=number) if number > 1 else url_for(".register", **params)

    def sort_url(key):
        order = ("asc" if filters["order"] == "desc" else "desc") if filters["sort"] == key else FIRST_ORDER[key]
        return url_for(".register", **{**params, "sort": key, "order": order})

    return render_template(
        "listing/register.html", rows=rows, total=total, page=paging["page"], page_size=paging["page_size"],
        pages=max(1, math.ceil(total / paging["page_size"])), filters=filters, params=params,
        page_url=page_url, sort_url=sort_url, sorts=SORTS, active_filters=exports.describe_filters(filters),
        **context)


@bp.get("/incidents")
@requires("incident.log")
def incidents():
    filters, errors = load_form(IncidentFilterSchema(), form=request.args)
    paging, page_errors = load_form(PageSchema(), form=request.args)
    errors.update(page_errors)
    context = {"form": request.args, "errors": errors, "choices": _choices(),
               "awaiting": queries.awaiting_triage(), "statuses": enums.INCIDENT_STATUS}
    if errors:
        return render_template("listing/incidents.html", rows=None, **context), 422
    rows, total = queries.incident_page(filters, paging["page"], paging["page_size"])
    params = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items() if v}

    def page_url(number):
        return url_for(".incidents", **params, page=number) if number > 1 else url_for(".incidents", **params)

    return render_template("listing/incidents.html", rows=rows, total=total, page=paging["page"],
                           pages=max(1, math.ceil(total / paging["page_size"])), page_url=page_url, **context)


# --- Exports ------------------------------------------------------------------------------

def _exports_page(errors=None, status=200):
    rows = [(e, service.state(e)) for e in service.recent_exports()]
    return render_template("listing/exports.html", exports=rows, errors=errors or {}), status


@bp.get("/register/exports")
@requires("register.export")
def export_list():
    return _exports_page()


@bp.post("/register/exports")
@requires("register.export")
def export_create():
    data, errors = load_form(ExportRequestSchema())
    if errors:
        return _exports_page(errors, 422)
    export = service.request_export(data, current_user.id, "web")
    export_id = export.id
    db.session.commit()  # the job is handed to the queue now (or runs inline in embedded mode)
    return redirect(url_for(".export_status", register_export_id=export_id), code=303)


@bp.get("/register/exports/<uuid:register_export_id>")
@requires("register.export")
def export_status(register_export_id: uuid.UUID):
    export = get_or_404(RegisterExport, register_export_id)
    return render_template("listing/export.html", export=export, state=service.state(export),
                           filters=exports.loaded_filters(export.filters),
                           may_download=service.may_download(export))


@bp.get("/register/exports/<uuid:register_export_id>/status")
@requires("register.export")
def export_status_json(register_export_id: uuid.UUID):
    """For the page's progressive enhancement: the state without the page around it."""
    export = get_or_404(RegisterExport, register_export_id)
    current = service.state(export)
    return jsonify(state=current.code, label=str(EXPORT_STATE_LABELS[current.code]), progress=current.progress,
                   finished=current.finished)


@bp.get("/register/exports/<uuid:register_export_id>/download")
@requires("register.export")
def export_download(register_export_id: uuid.UUID):
    export = get_or_404(RegisterExport, register_export_id)
    return download_response(export)


def download_response(export: RegisterExport) -> Response:
    """The file, for the page and the API alike (audited); 403 without the right, 409/410 when not there."""
    if not service.may_download(export):
        abort(403, _l("This export contains names; only a privacy officer may download it."))
    current = service.state(export)
    if current.code == "expired":
        abort(410, _l("This export has expired and its file has been removed. Ask for a new export."))
    if current.code != "done":
        abort(409, _l("This export is not ready yet."))
    service.record_download(export)
    response = Response(export.content, mimetype=export.content_type.split(";")[0],
                        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'})
    response.content_type = export.content_type
    db.session.commit()
    return response
