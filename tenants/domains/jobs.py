"""Domain watch jobs: an hourly sweep that enqueues a check per due domain, and the check."""
from __future__ import annotations

import uuid
from datetime import timedelta

from flask import g

from lekwijzer.db import db
from lekwijzer.jobs import job, periodic
from lekwijzer.models import OutboxJob

from . import checks
from .models import Domain, by_id


@periodic("domains.sweep", every=timedelta(hours=1))
def sweep() -> None:
    """Find the domains whose last check is older than DOMAINS_CHECK_EVERY_HOURS; enqueue each once."""
    checks.sweep_due()


@job("domains.check")
def check_domain(domain_id: str, reason: str = "scheduled") -> None:
    domain = by_id(Domain, uuid.UUID(domain_id))
    if domain is None:
        return  # removed since: nothing to check
    if reason == "scheduled" and domain.last_checked_at is not None:
        # Sent twice, or a manual check ran meanwhile: a check done after this job was
        # asked for makes it redundant.
        row = db.session.get(OutboxJob, g.outbox_id) if getattr(g, "outbox_id", None) else None
        if row is not None and domain.last_checked_at >= row.created_at:
            return
    checks.run(domain.id, reason=reason)
