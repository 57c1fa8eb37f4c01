"""Jobs that run inside one institution's tenant (and one shared sweep)."""
from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lekwijzer import audit, mail
from lekwijzer.db import db, utcnow
from lekwijzer.jobs import enqueue, job, periodic
from lekwijzer.models import Membership, Org, OrgKind
from lekwijzer.tenancy import current_tenant_id
from tenants.oversight import benchmark, quality
from tenants.oversight.models import RegisterRelease, RegisterRequest

from . import export

SYSTEM = ("system", None)


def _people(*roles: str) -> list[uuid.UUID]:
    rows = db.session.scalars(sa.select(Membership).where(Membership.tenant_id == current_tenant_id())).all()
    return [m.user_id for m in rows if set(roles) & set(m.roles or [])]


@job("supervision.request_received")
def request_received(request_id: str) -> None:
    """The AP's register request enters the institution's own audit trail; its people are told."""
    request = db.session.scalar(
        sa.select(RegisterRequest).where(RegisterRequest.id == uuid.UUID(request_id),
                                         RegisterRequest.institution_id == current_tenant_id()))
    if request is None:
        return
    audit.record("register_request.received", "register_request", request.id,
                 meta={"basis": request.legal_basis}, actor=SYSTEM)
    org = db.session.get(Org, current_tenant_id())
    for user_id in _people("privacy_officer", "board"):
        mail.notify(user_id, "supervision.register_request", org, request.id)


@job("supervision.build_release")
def build_release(release_id: str) -> None:
    release = db.session.scalar(sa.select(RegisterRelease).where(RegisterRelease.id == uuid.UUID(release_id),
                                                                 RegisterRelease.tenant_id == current_tenant_id()))
    if release is None or release.status != "preparing":
        return  # already built, released or declined
    request = db.session.scalar(sa.select(RegisterRequest).where(RegisterRequest.id == release.request_id))
    content, count = export.build(request.period_from, request.period_until, release.file_format)
    release.content, release.row_count, release.content_sha256 = content, count, export.digest(content)
    release.status, release.prepared_at = "ready", utcnow()
    audit.record("register_release.ready", "register_request", request.id, meta={"rows": count}, actor=SYSTEM)


@job("supervision.release_downloaded")
def release_downloaded(request_id: str) -> None:
    """Every download by the AP is recorded in the institution's chain too."""
    release = db.session.scalar(sa.select(RegisterRelease).where(RegisterRelease.request_id == uuid.UUID(request_id),
                                                                 RegisterRelease.tenant_id == current_tenant_id()))
    if release is None:
        return
    release.downloads = (release.downloads or 0) + 1
    audit.record("register_release.downloaded_by_regulator", "register_request", uuid.UUID(request_id),
                 meta={"downloads": release.downloads}, actor=SYSTEM)


@job("supervision.findings_published")
def findings_published(run_id: str, new: int = 0) -> None:
    audit.record("findings.published", "reconciliation_run", uuid.UUID(run_id), meta={"new": int(new)}, actor=SYSTEM)
    if new:
        org = db.session.get(Org, current_tenant_id())
        for user_id in _people("privacy_officer"):
            mail.notify(user_id, "supervision.findings", org, run_id)


@job("supervision.refresh_quality")
def refresh_quality() -> None:
    quality.refresh()


@job("supervision.benchmark")
def refresh_benchmark() -> None:
    benchmark.refresh_sector()


@periodic("supervision.sweep", every=timedelta(hours=6))
def sweep() -> None:
    """Keep every institution's quality flags and the sector benchmark current."""
    for institution_id in db.session.scalars(sa.select(Org.id).where(Org.kind == OrgKind.institution,
                                                                      Org.active.is_(True))):
        enqueue("supervision.refresh_quality", tenant_id=institution_id)
    enqueue("supervision.benchmark", tenant_id=None, run_after=utcnow() + timedelta(minutes=15))


mail.notification_kind("supervision.register_request", _l("The AP asks for your register"),
                       lambda org, object_id: f"/o/{org.slug}/supervision/requests/{object_id}")
mail.notification_kind("supervision.findings", _l("New findings from the AP's reconciliation"),
                       lambda org, object_id: f"/o/{org.slug}/supervision/")
