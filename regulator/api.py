"""The regulator's REST API: intake, reconciliation, findings, quality, statistics, requests."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Flask, Response, abort, g, jsonify
from flask.views import MethodView
from marshmallow import Schema, fields

from lekwijzer.apiblueprint import api_blueprint, register
from lekwijzer.db import db
from lekwijzer.edge import get_or_404, requires
from lekwijzer.models import Org, OrgKind
from tenants.oversight.models import ReconciliationFinding, RegisterRequest
from tenants.oversight.profile import as_dict, institution_profile
from tenants.oversight.register import responses_for

from . import intake, service, statistics
from .schemas import (FindingOutSchema, FindingQuerySchema, IntakeResultSchema, IntakeSchema,
                      RegisterRequestInSchema, RegisterRequestOutSchema, RunInSchema, RunOutSchema,
                      RunStartedSchema)
from .models import ReconciliationRun

blp = api_blueprint("regulator_api", __name__, kinds=(OrgKind.regulator,), url_prefix="/ap",
                    description="The AP's portal: intake of received notifications, reconciliation with the "
                                "registers, findings, register quality, anonymised sector statistics, "
                                "register requests", accepts_files=True)


class FileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


def _refused(errors):
    response = jsonify(code=422, status="Unprocessable Entity",
                       message="Nothing was imported: every problem is listed by line.", errors=errors)
    response.status_code = 422
    return response


@blp.route("/intake")
class Intake(MethodView):
    @requires("ap.intake")
    @blp.arguments(IntakeSchema)
    @blp.response(201, IntakeResultSchema)
    def post(self, data):
        """Import received notifications (JSON). All or nothing; importing the same rows again changes nothing."""
        result = intake.import_api(data["notifications"], None)
        db.session.commit()
        return result


@blp.route("/intake/file")
class IntakeFile(MethodView):
    @requires("ap.intake")
    @blp.arguments(FileSchema, location="files")
    @blp.response(201, IntakeResultSchema)
    def post(self, files):
        """Import a CSV or JSON file as exported by the AP's intake system (multipart/form-data)."""
        upload = files["file"]
        try:
            result = intake.import_file(upload.read(), upload.filename or "upload", "auto", None)
        except intake.IntakeRefused as refused:
            db.session.rollback()
            abort(_refused(refused.errors))
        db.session.commit()
        return result


@blp.route("/reconciliations")
class Runs(MethodView):
    @requires("ap.view")
    @blp.response(200, RunOutSchema(many=True))
    def get(self):
        """Reconciliation runs, newest first."""
        return db.session.scalars(sa.select(ReconciliationRun).order_by(ReconciliationRun.requested_at.desc())
                                  .limit(100)).all()

    @requires("ap.reconcile")
    @blp.arguments(RunInSchema)
    @blp.response(202, RunStartedSchema)
    def post(self, data):
        """Start a reconciliation (a job); poll the run or /jobs/{id} for its outcome."""
        run, job = service.start_run(data.get("period_from"), data.get("period_until"), None)
        db.session.commit()
        return {"run": run, "job_id": job.id}


@blp.route("/reconciliations/<uuid:reconciliation_run_id>")
class Run(MethodView):
    @requires("ap.view")
    @blp.response(200, RunOutSchema)
    def get(self, reconciliation_run_id: uuid.UUID):
        """One run: status, period, counts per finding type."""
        return get_or_404(ReconciliationRun, reconciliation_run_id)


@blp.route("/findings")
class Findings(MethodView):
    @requires("ap.view")
    @blp.arguments(FindingQuerySchema, location="query")
    @blp.response(200, FindingOutSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Findings with their history (new, open, resolved); filter by kind, status, KvK."""
        F = ReconciliationFinding
        run = service.latest_run()
        stmt = sa.select(F, Org.kvk).join(Org, Org.id == F.institution_id)
        if query.get("kind"):
            stmt = stmt.where(F.kind == query["kind"])
        if query.get("status") == "resolved":
            stmt = stmt.where(F.status == "resolved")
        elif query.get("status") == "open":
            stmt = stmt.where(F.status == "open")
        elif query.get("status") == "new":
            stmt = stmt.where(F.status == "open", F.first_seen_run_id == (run.id if run else None))
        if query.get("institution"):
            stmt = stmt.where(Org.kvk == query["institution"])
        pagination_parameters.item_count = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
        rows = db.session.execute(stmt.order_by(F.first_seen_at, F.finding_key)
                                  .limit(pagination_parameters.page_size)
                                  .offset(pagination_parameters.first_item)).all()
        responses = responses_for({f.institution_id for f, _kvk in rows})
        out = []
        for f, kvk in rows:
            code, at = responses.get(f.id, (None, None))
            out.append({"id": f.id, "kind": f.kind, "status": f.status,
                        "is_new": f.status == "open" and run is not None and f.first_seen_run_id == run.id,
                        "institution_kvk": kvk, "ap_reference": f.ap_reference, "breach_id": f.breach_id,
                        "match_method": f.match_method, "detail": f.detail, "hours": f.hours,
                        "notifications": f.notifications, "first_seen_at": f.first_seen_at,
                        "resolved_at": f.resolved_at, "reopened": f.reopened,
                        "response": code, "responded_at": at})
        return out


@blp.route("/institutions/<kvk>")
class InstitutionProfile(MethodView):
    @requires("ap.view")
    @blp.response(200)
    def get(self, kvk: str):
        """What the AP sees about one institution (the same as the institution's transparency view)."""
        org = db.session.scalar(sa.select(Org).where(Org.kvk == kvk, Org.kind == OrgKind.institution))
        if org is None:
            abort(404)
        return as_dict(institution_profile(org.id))


@blp.route("/statistics/<granularity>")
class Statistics(MethodView):
    @requires("ap.view")
    @blp.response(200)
    def get(self, granularity: str):
        """The latest published (anonymised, suppressed) sector statistics: year or quarter."""
        if granularity not in ("year", "quarter"):
            abort(404)
        snapshot = statistics.latest(granularity)
        if snapshot is None:
            abort(404, "No statistics have been published yet.")
        return {**snapshot.tables, "published_at": snapshot.computed_at.isoformat()}


@blp.route("/register-requests")
class Requests(MethodView):
    @requires("ap.request")
    @blp.response(200, RegisterRequestOutSchema(many=True))
    def get(self):
        """Register requests and the institutions' answers."""
        return [_request_out(r, org, release) for r, org, release in service.requests_overview()]

    @requires("ap.request")
    @blp.arguments(RegisterRequestInSchema)
    @blp.response(201, RegisterRequestOutSchema)
    def post(self, data):
        """Ask an institution (by KvK number) for its full register."""
        try:
            row = service.request_register(data, None)
        except service.RequestError as exc:
            abort(422, str(exc))
        db.session.commit()
        return _request_out(row, db.session.get(Org, row.institution_id), None)


@blp.route("/register-requests/<uuid:register_request_id>/export")
class RequestExport(MethodView):
    @requires("ap.request")
    @blp.response(200)
    def get(self, register_request_id: uuid.UUID):
        """The export the institution released (404 until it has)."""
        row = get_or_404(RegisterRequest, register_request_id)
        if row.tenant_id != g.org.id:
            abort(404)
        try:
            release = service.download(row)
        except service.RequestError:
            abort(404)
        db.session.commit()
        return Response(release.content, mimetype=service.CONTENT_TYPES[release.file_format],
                        headers={"Cache-Control": "no-store"})


def _request_out(row, org, release):
    return {"id": row.id, "institution_kvk": org.kvk if org else None, "case_reference": row.case_reference,
            "legal_basis": row.legal_basis, "period_from": row.period_from, "period_until": row.period_until,
            "file_format": row.file_format, "due_date": row.due_date, "requested_at": row.requested_at,
            "status": service.request_status(row, release), "decided_at": release.decided_at if release else None,
            "row_count": release.row_count if release and release.status == "released" else None}


def init_app(app: Flask) -> None:
    register(blp)
