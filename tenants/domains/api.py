"""Domain watch in the REST API: the same rules and schemas as the pages."""
from __future__ import annotations

import uuid

from flask import abort, g
from flask.views import MethodView

from lekwijzer.apiblueprint import api_blueprint
from lekwijzer.db import db
from lekwijzer.edge import get_or_404, requires

from . import policy, scan as scanner, service
from .models import Domain, DomainFinding, by_id
from .schemas import (CheckOutSchema, DomainInSchema, DomainOutSchema, DomainFindingOutSchema, FindingQuerySchema,
                      ScanFileSchema, ScanInSchema, ScanOutSchema)

blp = api_blueprint("domains_api", __name__, accepts_files=True,
                    description="Domain watch: current and retired domains, DNS/RDAP checks, findings, "
                                "address scans")


def _conflict(exc: service.DomainError):
    abort(409, str(exc.message))


@blp.route("/domains")
class Domains(MethodView):
    @requires("domains.view")
    @blp.response(200, DomainOutSchema(many=True))
    def get(self):
        """The organisation's domains, current and retired, with their open findings."""
        return service.list_domains()

    @requires("domains.manage")
    @blp.arguments(DomainInSchema)
    @blp.response(201, DomainOutSchema)
    def post(self, data):
        """List a domain (a first check starts at once)."""
        try:
            domain = service.create_domain(data, None)
        except service.DomainError as exc:
            _conflict(exc)
        db.session.commit()
        return by_id(Domain, domain.id)


@blp.route("/domains/<uuid:domain_id>")
class DomainItem(MethodView):
    @requires("domains.view")
    @blp.response(200, DomainOutSchema)
    def get(self, domain_id: uuid.UUID):
        """One domain."""
        return get_or_404(Domain, domain_id)

    @requires("domains.manage")
    @blp.arguments(DomainInSchema)
    @blp.response(200, DomainOutSchema)
    def put(self, data, domain_id: uuid.UUID):
        """Replace what the organisation records about a domain."""
        domain = get_or_404(Domain, domain_id)
        try:
            service.update_domain(domain, data)
        except service.DomainError as exc:
            _conflict(exc)
        db.session.commit()
        return get_or_404(Domain, domain_id)

    @requires("domains.manage")
    @blp.response(204)
    def delete(self, domain_id: uuid.UUID):
        """Remove a domain with its checks and findings."""
        service.delete_domain(get_or_404(Domain, domain_id))
        db.session.commit()


@blp.route("/domains/<uuid:domain_id>/checks")
class DomainChecks(MethodView):
    @requires("domains.view")
    @blp.response(200, CheckOutSchema(many=True))
    def get(self, domain_id: uuid.UUID):
        """The latest checks of a domain, newest first."""
        return service.recent_checks(get_or_404(Domain, domain_id), limit=50)

    @requires("domains.check")
    @blp.response(202)
    def post(self, domain_id: uuid.UUID):
        """Check a domain now; poll /jobs/{outbox_job_id} or the checks."""
        row = service.request_check(get_or_404(Domain, domain_id), reason="manual")
        db.session.commit()
        return {"job": str(row.id)}


@blp.route("/domains/<uuid:domain_id>/registration-confirmation")
class RegistrationConfirmation(MethodView):
    @requires("domains.manage")
    @blp.response(200, DomainOutSchema)
    def post(self, domain_id: uuid.UUID):
        """Record the registration the registry shows now as the organisation's own."""
        domain = get_or_404(Domain, domain_id)
        if not service.confirm_registration(domain):
            abort(409, "There is no registration data to confirm yet. Check the domain first.")
        db.session.commit()
        return get_or_404(Domain, domain_id)


@blp.route("/domains/<uuid:domain_id>/server-takeover")
class ServerTakeover(MethodView):
    @requires("domains.manage")
    @blp.response(200, DomainOutSchema)
    def post(self, domain_id: uuid.UUID):
        """Make the name and mail servers the last check saw the expected ones."""
        domain = get_or_404(Domain, domain_id)
        if not service.take_over_servers(domain):
            abort(409, "The last check has no DNS answer to take over. Check the domain first.")
        db.session.commit()
        return get_or_404(Domain, domain_id)


@blp.route("/domain-findings")
class Findings(MethodView):
    @requires("domains.view")
    @blp.arguments(FindingQuerySchema, location="query")
    @blp.response(200, DomainFindingOutSchema(many=True))
    def get(self, query):
        """Findings of every domain: open (default), resolved or all, newest first."""
        return service.findings(query["state"])


@blp.route("/domain-findings/<uuid:domain_finding_id>")
class FindingItem(MethodView):
    @requires("domains.view")
    @blp.response(200, DomainFindingOutSchema)
    def get(self, domain_finding_id: uuid.UUID):
        """One finding with its history (opened, last seen, resolved)."""
        return get_or_404(DomainFinding, domain_finding_id)


@blp.route("/address-scans")
class AddressScans(MethodView):
    @requires("domains.scan")
    @blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary", "description": "The address list (CSV)"},
            "system": {"type": "string", "maxLength": 100, "description": "The system the list was exported from"},
            "column": {"type": "string", "maxLength": 100,
                       "description": "Only this column (header or number); default: every column"},
            "system_column": {"type": "string", "maxLength": 100,
                              "description": "A column naming the system of each row"}}}}}})
    @blp.arguments(ScanInSchema, location="form")
    @blp.arguments(ScanFileSchema, location="files")
    @blp.response(200, ScanOutSchema)
    def post(self, data, files):
        """Scan an address list (CSV) for addresses on the organisation's retired domains.

        The file is read once as a stream and not kept; the answer lists the addresses found,
        grouped by retired domain and by system.
        """
        retired = policy.retired_names(g.org)
        if not retired:
            abort(422, "This organisation has no retired domains listed, so there is nothing to look for. "
                       "List your retired domains first.")
        upload = files["file"]
        try:
            result = scanner.scan(upload.stream, retired, system=data.get("system"), column=data.get("column"),
                                  system_column=data.get("system_column"))
        except scanner.ScanError as exc:
            abort(422, str(exc.message))
        finally:
            upload.close()
        service.record_scan(result, data.get("system"), None)
        db.session.commit()
        return result.as_dict()

