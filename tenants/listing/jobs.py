"""Jobs of the register list: building an export, and letting old exports expire."""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import sqlalchemy as sa

from lekwijzer import audit
from lekwijzer.db import db, utcnow
from lekwijzer.jobs import enqueue, job, periodic, set_progress
from lekwijzer.models import Org, OrgKind

from . import exports
from .models import RegisterExport

log = logging.getLogger("lekwijzer.listing")


def _export(register_export_id: str) -> RegisterExport | None:
    return db.session.scalar(sa.select(RegisterExport).where(RegisterExport.id == uuid.UUID(register_export_id)))


@job("export.register")
def build_register_export(register_export_id: str) -> None:
    """Build the file of one export. Idempotent: a finished or expired export is left alone."""
    export = _export(register_export_id)
    if export is None or export.status != "queued":
        return

    def progress(done: int, total: int) -> None:
        set_progress(min(99, int(done * 100 / total)) if total else 99)

    set_progress(1)
    count, content = exports.render(export, progress)
    # End the long read before writing: progress went through other connections meanwhile,
    # and SQLite will not turn a reader into a writer after others wrote (nor let them
    # write while this session holds the write lock).
    db.session.commit()
    set_progress(99, result_ref=f"register_export:{export.id}")
    exports.store(export, count, content)
    log.info("register export %s built (%s rows)", export.id, export.row_count)


@job("export.purge")
def purge_exports() -> None:
    """Remove the files of this organisation's expired exports (the row stays as a record)."""
    now = utcnow()
    expired = db.session.scalars(sa.select(RegisterExport).where(
        RegisterExport.status == "done", RegisterExport.expires_at < now)).all()
    for export in expired:
        export.content = None
        export.status = "expired"
        audit.record("register.export_expired", "register_export", export.id, actor=("system", None))


@periodic("export.purge_sweep", every=timedelta(hours=6))
def purge_sweep() -> None:
    """Every six hours: one purge job per institution (each runs inside its own tenant).

    Downloads refuse an expired export at once; this only frees the storage.
    """
    slot = int(utcnow().timestamp()) // (6 * 3600)
    for org_id in db.session.scalars(sa.select(Org.id).where(Org.kind == OrgKind.institution, Org.active.is_(True))):
        enqueue("export.purge", tenant_id=org_id, dedupe_key=f"export.purge:{org_id}:{slot}")
