"""The institution's side of supervision: answering findings, register requests and releases.

Every change is audited in the institution's own chain; what the regulator must know
(a release or a refusal) is recorded in the regulator's chain by a job in its tenant.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext

from lekwijzer import audit
from lekwijzer.db import db, utcnow
from lekwijzer.jobs import enqueue
from lekwijzer.tenancy import current_tenant_id
from tenants.oversight.models import FindingResponse, ReconciliationFinding, RegisterRelease, RegisterRequest


class SupervisionError(ValueError):
    """A rule was broken; the message is for the person."""


def my_findings(status: str | None = None):
    F = ReconciliationFinding
    stmt = sa.select(F).where(F.institution_id == current_tenant_id(), F.kind != "matched")
    if status in ("open", "resolved"):
        stmt = stmt.where(F.status == status)
    return db.session.scalars(stmt.order_by(F.status, F.kind, F.first_seen_at, F.finding_key)).all()


def finding_for_me(finding_id) -> ReconciliationFinding:
    """A finding about the current institution (another's, or a regulator's own id: 404)."""
    finding = db.session.scalar(sa.select(ReconciliationFinding).where(
        ReconciliationFinding.id == finding_id, ReconciliationFinding.institution_id == current_tenant_id()))
    if finding is None:
        abort(404)
    return finding


def response_to(finding_id) -> FindingResponse | None:
    return db.session.scalar(sa.select(FindingResponse).where(FindingResponse.finding_id == finding_id))


def respond(finding: ReconciliationFinding, data: dict, user_id) -> FindingResponse:
    response = response_to(finding.id)
    if response is None:
        response = FindingResponse(finding_id=finding.id)
        db.session.add(response)
    response.code, response.note, response.responded_at, response.responded_by = (
        data["code"], (data.get("note") or "").strip() or None, utcnow(), user_id)
    db.session.flush()
    audit.record("finding.answered", "reconciliation_finding", finding.id,
                 meta={"code": response.code, "kind": finding.kind})
    return response


def my_requests():
    return db.session.scalars(sa.select(RegisterRequest).where(RegisterRequest.institution_id == current_tenant_id())
                              .order_by(RegisterRequest.requested_at.desc())).all()


def request_for_me(request_id) -> RegisterRequest:
    row = db.session.scalar(sa.select(RegisterRequest).where(RegisterRequest.id == request_id,
                                                             RegisterRequest.institution_id == current_tenant_id()))
    if row is None:
        abort(404)
    return row


def release_for(request: RegisterRequest) -> RegisterRelease | None:
    return db.session.scalar(sa.select(RegisterRelease).where(RegisterRelease.request_id == request.id,
                                                              RegisterRelease.tenant_id == current_tenant_id()))


def status(request: RegisterRequest, release: RegisterRelease | None) -> str:
    return release.status if release is not None else "requested"


def prepare(request: RegisterRequest, user_id) -> RegisterRelease:
    """Have the export built (a job); it waits for review before anyone outside sees it."""
    release = release_for(request)
    if release is not None and release.status in ("released", "declined"):
        raise SupervisionError(gettext("This request has already been answered."))
    if release is None:
        release = RegisterRelease(request_id=request.id, regulator_id=request.tenant_id,
                                  file_format=request.file_format)
        db.session.add(release)
    release.status, release.content, release.row_count, release.content_sha256 = "preparing", None, None, None
    db.session.flush()
    audit.record("register_release.prepared", "register_request", request.id, meta={"format": release.file_format})
    enqueue("supervision.build_release", tenant_id=current_tenant_id(), release_id=release.id)
    return release


def release(request: RegisterRequest, user_id) -> RegisterRelease:
    row = release_for(request)
    if row is None or row.status != "ready":
        raise SupervisionError(gettext("Prepare and review the export first."))
    row.status, row.decided_at, row.decided_by = "released", utcnow(), user_id
    audit.record("register_release.released", "register_request", request.id,
                 meta={"rows": row.row_count or 0, "sha256": row.content_sha256[:16]})
    enqueue("regulator.release_decided", tenant_id=request.tenant_id, request_id=request.id, status="released")
    return row


def decline(request: RegisterRequest, reason: str, user_id) -> RegisterRelease:
    row = release_for(request)
    if row is not None and row.status in ("released", "declined"):
        raise SupervisionError(gettext("This request has already been answered."))
    if row is None:
        row = RegisterRelease(request_id=request.id, regulator_id=request.tenant_id, file_format=request.file_format)
        db.session.add(row)
    row.status, row.decided_at, row.decided_by, row.decline_reason = "declined", utcnow(), user_id, reason
    row.content, row.row_count, row.content_sha256 = None, None, None
    db.session.flush()
    audit.record("register_release.declined", "register_request", request.id, meta={"reason": reason})
    enqueue("regulator.release_decided", tenant_id=request.tenant_id, request_id=request.id, status="declined")
    return row

