"""REST: the breach register list, its figures, the incident log and register exports.

The same schemas as the pages: `RegisterFilterSchema` for the list's query string and
`ExportRequestSchema` for an export. Lists are paginated in the database (`page`,
`page_size`; the totals are in the X-Pagination header).
"""
from __future__ import annotations

import uuid

from flask import url_for
from flask.views import MethodView

from lekwijzer.apiblueprint import api_blueprint
from lekwijzer.db import db
from lekwijzer.edge import get_or_404, requires

from . import queries, service
from .models import RegisterExport
from .schemas import (ExportRequestSchema, FiguresSchema, IncidentFilterSchema, IncidentRowSchema,
                      RegisterExportSchema, RegisterFilterSchema, RegisterRowSchema)
from .views import download_response

blp = api_blueprint("listing_api", __name__,
                    description="The breach register (breaches only), the incident log and register exports")


def export_out(export: RegisterExport) -> dict:
    current = service.state(export)
    return {
        "id": export.id, "format": export.format, "include_names": export.include_names, "filters": export.filters,
        "state": current.code, "progress": current.progress, "row_count": export.row_count, "size": export.size,
        "requested_at": export.requested_at, "finished_at": export.finished_at, "expires_at": export.expires_at,
        "filename": export.filename, "job_id": export.outbox_job_id,
        "download_url": url_for("listing_api.ExportFile", register_export_id=export.id)
        if current.code == "done" else None,
    }


@blp.route("/register")
class Register(MethodView):
    @requires("register.list")
    @blp.arguments(RegisterFilterSchema, location="query")
    @blp.response(200, RegisterRowSchema(many=True))
    @blp.paginate(page_size=25, max_page_size=100)
    def get(self, filters, pagination_parameters):
        """The breach register: filtered, sorted and paginated like the register page."""
        rows, total = queries.register_page(filters, pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return rows


@blp.route("/register/figures")
class Figures(MethodView):
    @requires("register.list")
    @blp.response(200, FiguresSchema)
    def get(self):
        """Counts over the register: total, open, overdue, within the 72 hours, notified, notified late."""
        return queries.figures()


@blp.route("/incident-log")
class IncidentLog(MethodView):
    @requires("incident.log")
    @blp.arguments(IncidentFilterSchema, location="query")
    @blp.response(200, IncidentRowSchema(many=True))
    @blp.paginate(page_size=25, max_page_size=100)
    def get(self, filters, pagination_parameters):
        """Every reported incident with its triage status, those awaiting triage first."""
        rows, total = queries.incident_page(filters, pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return rows


@blp.route("/register/exports")
class Exports(MethodView):
    @requires("register.export")
    @blp.response(200, RegisterExportSchema(many=True))
    def get(self):
        """The organisation's recent register exports (newest first)."""
        return [export_out(e) for e in service.recent_exports()]

    @requires("register.export")
    @blp.arguments(ExportRequestSchema)
    @blp.response(202, RegisterExportSchema)
    def post(self, data):
        """Ask for an export (xlsx, csv or json) of the register with the list's filters; it is built as a job."""
        export = service.request_export(data, None, "api")
        export_id = export.id
        db.session.commit()
        return export_out(get_or_404(RegisterExport, export_id))


@blp.route("/register/exports/<uuid:register_export_id>")
class Export(MethodView):
    @requires("register.export")
    @blp.response(200, RegisterExportSchema)
    def get(self, register_export_id: uuid.UUID):
        """An export's state and progress; `download_url` once it is ready."""
        return export_out(get_or_404(RegisterExport, register_export_id))


@blp.route("/register/exports/<uuid:register_export_id>/file")
class ExportFile(MethodView):
    @requires("register.export")
    @blp.response(200, content_type="application/octet-stream")
    def get(self, register_export_id: uuid.UUID):
        """The exported file (409 while it is being made, 410 once expired)."""
        return download_response(get_or_404(RegisterExport, register_export_id))
