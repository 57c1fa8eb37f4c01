"""Isolation seed for the register list: one register export per organisation."""
from __future__ import annotations

from datetime import timedelta

from lekwijzer.db import db, utcnow
from tests.support.isolation_seed import seeder


@seeder
def _listing(world, key):
    from tenants.listing.models import RegisterExport

    now = utcnow()
    db.session.add(RegisterExport(format="csv", include_names=False, filters={}, requested_via="system",
                                  requested_at=now, status="done", row_count=0, finished_at=now,
                                  expires_at=now + timedelta(days=7), filename="register.csv",
                                  content_type="text/csv; charset=utf-8", size=3, content=b"\xef\xbb\xbf"))
