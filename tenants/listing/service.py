"""Asking for an export and reading its state: the rules, shared by the pages and the API."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, g
from flask_babel import lazy_gettext as _l

from lekwijzer import audit
from lekwijzer.db import db, utcnow
from lekwijzer.edge import can
from lekwijzer.jobs import enqueue
from lekwijzer.models import OutboxJob

from . import exports
from .models import RegisterExport


def request_export(data: dict, user_id=None, via: str = "web") -> RegisterExport:
    """Record the export and enqueue its job in the current transaction (caller commits)."""
    if data.get("include_names") and not can("register.export_names"):
        abort(403, _l("Only a privacy officer may include the names of reporters and handlers."))
    filters = exports.stored_filters(data)
    export = RegisterExport(format=data["format"], include_names=bool(data.get("include_names")),
                            filters=filters, requested_by=user_id, requested_via=via, requested_at=utcnow(),
                            status="queued")
    db.session.add(export)
    db.session.flush()
    row = enqueue("export.register", tenant_id=g.org.id, register_export_id=export.id)
    export.outbox_job_id = row.id
    used = sorted(k for k, v in filters.items() if v not in (None, False, "") and k not in ("sort", "order"))
    audit.record("register.export_requested", "register_export", export.id, meta={
        "format": export.format, "include_names": export.include_names, "via": via,
        "filters": ",".join(used) or "none",
    })
    return export


@dataclass(frozen=True)
class ExportState:
    code: str  # queued | running | retrying | failed | done | expired
    progress: int

    @property
    def finished(self) -> bool:
        return self.code in ("done", "expired", "failed")


def state(export: RegisterExport, now=None) -> ExportState:
    now = now or utcnow()
    if export.status == "expired" or (export.status == "done" and export.expires_at and export.expires_at <= now):
        return ExportState("expired", 100)
    if export.status == "done":
        return ExportState("done", 100)
    job = db.session.get(OutboxJob, export.outbox_job_id, populate_existing=True) if export.outbox_job_id else None
    if job is None:
        return ExportState("failed", 0)
    if job.last_error and job.claimed_at is None:
        from flask import current_app

        if job.attempts >= current_app.config.get("JOBS_MAX_ATTEMPTS", 8):
            return ExportState("failed", job.progress or 0)
        return ExportState("retrying", job.progress or 0)
    if job.claimed_at is not None:
        return ExportState("running", job.progress or 0)
    return ExportState("queued", 0)


def recent_exports(limit: int = 20):
    return db.session.scalars(sa.select(RegisterExport).order_by(RegisterExport.requested_at.desc())
                              .limit(limit)).all()


def may_download(export: RegisterExport) -> bool:
    """Exports with names are for those who may ask for names."""
    return can("register.export") and (not export.include_names or can("register.export_names"))


def record_download(export: RegisterExport) -> None:
    export.download_count = (export.download_count or 0) + 1
    audit.record("register.export_downloaded", "register_export", export.id,
                 meta={"format": export.format, "include_names": export.include_names})
