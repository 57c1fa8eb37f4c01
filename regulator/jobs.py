"""The regulator's jobs: reconciliation, statistics, and the nightly sweep."""
from __future__ import annotations

import logging
import uuid
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lekwijzer import audit, mail
from lekwijzer.db import db, utcnow
from lekwijzer.jobs import enqueue, job, periodic, set_progress
from lekwijzer.models import Membership, Org, OrgKind
from lekwijzer.tenancy import current_tenant_id, tenant_scope
from tenants.oversight import fetch, quality, register

from . import statistics
from .models import ReceivedNotification, ReconciliationRun
from .reconcile import reconcile
from .review import review

log = logging.getLogger("lekwijzer.regulator")


def analysts() -> list[uuid.UUID]:
    rows = db.session.scalars(sa.select(Membership).where(Membership.tenant_id == current_tenant_id())).all()
    return [m.user_id for m in rows if "analyst" in (m.roles or [])]


def _run(run_id: str) -> ReconciliationRun | None:
    return db.session.scalar(sa.select(ReconciliationRun).where(ReconciliationRun.id == uuid.UUID(run_id)))


@job("regulator.reconcile")
def reconcile_job(run_id: str) -> None:
    """Refresh register quality inside each institution; reconcile (one transaction); then
    review every register as a whole (another), which finishes the run."""
    regulator_id = current_tenant_id()
    run = _run(run_id)
    if run is None or run.status == "done":
        return  # idempotent: a run is done once
    started = utcnow()
    run.status, run.started_at = "running", started
    period = (run.period_from, run.period_until)
    db.session.commit()  # the app session holds nothing while other tenants and the workspace write
    try:
        ids = [row.id for row in fetch(register.institutions()) if row.kvk]
        quality.refresh_institutions(ids)
        set_progress(40)
        now = utcnow()
        reconciled = reconcile(regulator_id, uuid.UUID(run_id), *period, now=now)
        set_progress(80)
        reviewed = review(regulator_id, uuid.UUID(run_id), *period, reconciled, started=started, now=now)
    except Exception as exc:
        db.session.rollback()
        run = _run(run_id)
        run.status, run.error = "failed", type(exc).__name__
        db.session.commit()
        raise
    db.session.expire_all()
    audit.record("reconciliation.completed", "reconciliation_run", uuid.UUID(run_id),
                 meta={"new": reconciled.new + reviewed.new, "resolved": reconciled.resolved + reviewed.resolved,
                       "institutions": reviewed.institutions})
    new = Counter(reconciled.new_by_institution) + Counter(reviewed.new_by_institution)
    for institution_id, count in new.items():
        enqueue("supervision.findings_published", tenant_id=institution_id, run_id=uuid.UUID(run_id), new=count)
    set_progress(100, result_ref=run_id)


@job("regulator.statistics")
def statistics_job(granularity: str = "year") -> None:
    statistics.refresh(granularity)
    audit.record("statistics.published", "statistics_snapshot", None, meta={"granularity": granularity})


@job("regulator.release_decided")
def release_decided(request_id: str, status: str) -> None:
    """In the regulator's chain: the institution released or declined a register request."""
    audit.record(f"register_request.{status}", "register_request", uuid.UUID(request_id), actor=("system", None))
    org = db.session.get(Org, current_tenant_id())
    for user_id in analysts():
        mail.notify(user_id, "regulator.register_decided", org, request_id)


@periodic("regulator.sweep", every=timedelta(hours=24))
def sweep() -> None:
    """Nightly: every regulator's statistics, and a reconciliation where the AP has intake data."""
    regulators = db.session.scalars(sa.select(Org.id).where(Org.kind == OrgKind.regulator, Org.active.is_(True))).all()
    for regulator_id in regulators:
        with tenant_scope(regulator_id):
            for granularity in ("year", "quarter"):
                enqueue("regulator.statistics", tenant_id=regulator_id, granularity=granularity)
            if db.session.scalar(sa.select(ReceivedNotification.id).limit(1)) is not None:
                from .service import start_run

                start_run(None, None, None)


mail.notification_kind(
    "regulator.register_decided", _l("An institution answered a register request"),
    lambda org, object_id: f"/o/{org.slug}/ap/requests",
)
