"""One row of each of the regulator's tables, for the isolation walk (tests/test_isolation_walk.py)."""
from __future__ import annotations

import uuid
from datetime import date

from lekwijzer.db import db, utcnow
from tests.support.isolation_seed import seeder


@seeder
def _regulator(world, key):
    from regulator.models import IntakeBatch, ReceivedNotification, ReconciliationRun, StatisticsSnapshot

    batch = IntakeBatch(file_name="seed.csv", file_format="csv", file_sha256=uuid.uuid4().hex * 2, rows_total=1,
                        rows_new=1)
    db.session.add(batch)
    db.session.flush()
    db.session.add(ReceivedNotification(batch_id=batch.id, row_sha256=uuid.uuid4().hex * 2, ap_reference="AP-SEED",
                                        kvk=world.orgs[key].kvk or "00000000", received_at=utcnow(), kind="initial"))
    db.session.add(ReconciliationRun(period_from=date(2026, 1, 1), period_until=date(2026, 6, 30), status="done",
                                     counts={}))
    db.session.add(StatisticsSnapshot(granularity="year", tables={}, institutions=0))
