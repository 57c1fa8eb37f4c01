"""The institution's supervision API: findings and answers, benchmark, transparency, requests."""
from __future__ import annotations

import uuid

from flask import Flask, abort, g
from flask.views import MethodView

from lekwijzer.apiblueprint import api_blueprint, register
from lekwijzer.db import db
from lekwijzer.edge import requires
from tenants.oversight import benchmark
from tenants.oversight.profile import as_dict, institution_profile

from . import service
from .schemas import DeclineSchema, FindingResponseOutSchema, FindingResponseSchema, RequestOutSchema

blp = api_blueprint("supervision_api", __name__, url_prefix="/supervision",
                    description="The institution's side of supervision: the AP's findings and your answers, "
                                "your figures beside the sector's, what the AP sees about you, register requests")


@blp.route("/transparency")
class Transparency(MethodView):
    @requires("supervision.view")
    @blp.response(200)
    def get(self):
        """Exactly what the AP sees about this institution: findings, answers, register quality."""
        return as_dict(institution_profile(g.org.id))


@blp.route("/findings/<uuid:reconciliation_finding_id>/response")
class AnswerFinding(MethodView):
    @requires("supervision.respond")
    @blp.arguments(FindingResponseSchema)
    @blp.response(200, FindingResponseOutSchema)
    def put(self, data, reconciliation_finding_id: uuid.UUID):
        """Answer a finding: the AP sees the code; the note stays with the institution."""
        finding = service.finding_for_me(reconciliation_finding_id)
        response = service.respond(finding, data, None)
        db.session.commit()
        return response


@blp.route("/benchmark")
class Benchmark(MethodView):
    @requires("supervision.view")
    @blp.response(200)
    def get(self):
        """The institution's figures beside the sector's published percentiles."""
        own = benchmark.institution_figures([g.org.id]).get(g.org.id, {})
        sector = benchmark.sector()
        start, end = benchmark.window()
        return {
            "period_from": start.isoformat(), "period_until": end.isoformat(),
            "figures": [{
                "metric": key, "own": own.get(key),
                "sector": None if key not in sector else {
                    "institutions": sector[key].institutions, "p10": sector[key].p10, "p25": sector[key].p25,
                    "p50": sector[key].p50, "p75": sector[key].p75, "p90": sector[key].p90,
                    "computed_at": sector[key].computed_at.isoformat()},
                "position": benchmark.position(own.get(key), sector.get(key)),
            } for key in benchmark.METRICS],
        }


@blp.route("/register-requests")
class Requests(MethodView):
    @requires("supervision.view")
    @blp.response(200, RequestOutSchema(many=True))
    def get(self):
        """The AP's requests for this institution's register, and their status."""
        return [_out(r, service.release_for(r)) for r in service.my_requests()]


@blp.route("/register-requests/<uuid:register_request_id>/prepare")
class Prepare(MethodView):
    @requires("supervision.release")
    @blp.response(202, RequestOutSchema)
    def post(self, register_request_id: uuid.UUID):
        """Have the export built (a job) so it can be reviewed and then released."""
        row = service.request_for_me(register_request_id)
        try:
            release = service.prepare(row, None)
        except service.SupervisionError as exc:
            abort(409, str(exc))
        db.session.commit()
        return _out(row, release)


@blp.route("/register-requests/<uuid:register_request_id>/release")
class Release(MethodView):
    @requires("supervision.release")
    @blp.response(200, RequestOutSchema)
    def post(self, register_request_id: uuid.UUID):
        """Release the prepared and reviewed export to the AP."""
        row = service.request_for_me(register_request_id)
        try:
            release = service.release(row, None)
        except service.SupervisionError as exc:
            abort(409, str(exc))
        db.session.commit()
        return _out(row, release)


@blp.route("/register-requests/<uuid:register_request_id>/decline")
class Decline(MethodView):
    @requires("supervision.release")
    @blp.arguments(DeclineSchema)
    @blp.response(200, RequestOutSchema)
    def post(self, data, register_request_id: uuid.UUID):
        """Decline a request, with a reason the AP sees."""
        row = service.request_for_me(register_request_id)
        try:
            release = service.decline(row, data["reason"], None)
        except service.SupervisionError as exc:
            abort(409, str(exc))
        db.session.commit()
        return _out(row, release)


def _out(row, release):
    return {"id": row.id, "case_reference": row.case_reference, "legal_basis": row.legal_basis,
            "period_from": row.period_from, "period_until": row.period_until, "file_format": row.file_format,
            "due_date": row.due_date, "requested_at": row.requested_at, "status": service.status(row, release),
            "row_count": release.row_count if release else None, "decided_at": release.decided_at if release else None}


def init_app(app: Flask) -> None:
    register(blp)
