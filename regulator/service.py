"""The regulator's business rules: start a reconciliation, request a register, download it.

No Flask request objects here; views and the API call these and commit.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext

from lekwijzer import audit
from lekwijzer.db import db, utcnow
from lekwijzer.jobs import enqueue
from lekwijzer.models import Org, OrgKind
from tenants.oversight.models import RegisterRelease, RegisterRequest

from .models import ReceivedNotification, ReconciliationRun


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class RequestError(ValueError):
    """A rule was broken; the message is for the person."""


def default_period() -> tuple[date, date]:
    """Everything received so far (the first received day until today)."""
    first = db.session.scalar(sa.select(sa.func.min(ReceivedNotification.received_at)))
    today = utcnow().date()
    return (first.date() if first else today.replace(month=1, day=1)), today


def start_run(period_from: date | None, period_until: date | None, user_id) -> tuple[ReconciliationRun, object]:
    default_from, default_until = default_period()
    run = ReconciliationRun(period_from=period_from or default_from, period_until=period_until or default_until,
                            requested_by=user_id, status="queued")
    db.session.add(run)
    db.session.flush()
    audit.record("reconciliation.requested", "reconciliation_run", run.id,
                 meta={"from": run.period_from.isoformat(), "until": run.period_until.isoformat()})
    job = enqueue("regulator.reconcile", tenant_id=run.tenant_id, run_id=run.id)
    return run, job


def latest_run(done_only: bool = True) -> ReconciliationRun | None:
    stmt = sa.select(ReconciliationRun)
    if done_only:
        stmt = stmt.where(ReconciliationRun.status == "done")
    return db.session.scalar(stmt.order_by(ReconciliationRun.requested_at.desc()).limit(1))


def institutions() -> list[Org]:
    return db.session.scalars(sa.select(Org).where(Org.kind == OrgKind.institution, Org.active.is_(True))
                              .order_by(Org.name)).all()


def institution_by_slug(slug: str) -> Org | None:
    return db.session.scalar(sa.select(Org).where(Org.slug == slug, Org.kind == OrgKind.institution,
                                                  Org.active.is_(True)))


def request_register(data: dict, user_id) -> RegisterRequest:
    institution = db.session.scalar(sa.select(Org).where(Org.kvk == data["institution"],
                                                         Org.kind == OrgKind.institution, Org.active.is_(True)))
    if institution is None:
        raise RequestError(gettext("No institution on Lekwijzer has this KvK number."))
    request = RegisterRequest(institution_id=institution.id, case_reference=data["case_reference"],
                              legal_basis=data["legal_basis"], period_from=data["period_from"],
                              period_until=data["period_until"], file_format=data["file_format"],
                              due_date=data["due_date"], requested_by=user_id)
    db.session.add(request)
    db.session.flush()
    audit.record("register_request.created", "register_request", request.id,
                 meta={"institution": institution.id, "basis": request.legal_basis})
    # The institution's own chain records the request, and its people are told, in its tenant.
    enqueue("supervision.request_received", tenant_id=institution.id, request_id=request.id)
    return request


def release_of(request: RegisterRequest) -> RegisterRelease | None:
    """The institution's release, visible to the regulator once decided (released or declined)."""
    return db.session.scalar(sa.select(RegisterRelease).where(RegisterRelease.request_id == request.id))


def request_status(request: RegisterRequest, release: RegisterRelease | None) -> str:
    return release.status if release is not None else "requested"


def download(request: RegisterRequest) -> RegisterRelease:
    release = release_of(request)
    if release is None or release.status != "released" or release.content is None:
        raise RequestError(gettext("The institution has not released this register."))
    audit.record("register_release.downloaded", "register_request", request.id,
                 meta={"rows": release.row_count or 0, "format": release.file_format})
    enqueue("supervision.release_downloaded", tenant_id=request.institution_id, request_id=request.id)
    return release


def requests_overview() -> list[tuple[RegisterRequest, Org, RegisterRelease | None]]:
    rows = db.session.scalars(sa.select(RegisterRequest).order_by(RegisterRequest.requested_at.desc())).all()
    out = []
    for request in rows:
        out.append((request, db.session.get(Org, request.institution_id), release_of(request)))
    return out

