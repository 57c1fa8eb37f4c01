"""What it must show (4): a register of 10,000 breaches exports as a job; the XLSX opens with
openpyxl, with the promised columns and no reporter or handler names."""
from __future__ import annotations

import io
import time
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from lekwijzer.db import db, utcnow
from lekwijzer.models import User
from lekwijzer.tenancy import tenant_scope
from tests.listing.test_exports import EXPECTED_HEADERS
from tests.support import bulk_register

pytestmark = [pytest.mark.pg, pytest.mark.slow]

REPORTER, HANDLER, NOTIFIER = "Zoë Meldster-Uniek", "Henk Behandelaar-Uniek", "Nina Notifier-Uniek"


def test_export_of_10000_breaches(pg_app, pg_world, login):
    org = pg_world.orgs["a"]
    with pg_app.app_context():
        reporter = User(email="meldster@org-a.test", name=REPORTER)
        handler = User(email="behandelaar@org-a.test", name=HANDLER)
        db.session.add_all([reporter, handler])
        db.session.commit()
        started = time.monotonic()
        with tenant_scope(org.id):
            counts = bulk_register.fill(org.id, 10_000, now=utcnow(), reporter_id=reporter.id, handler_id=handler.id,
                                        not_breach=200, notifier_name=NOTIFIER)
        seeded = time.monotonic() - started
    assert counts["breaches"] == 10_000
    client = login(pg_app, pg_world.user("a", "privacy_officer"))
    client.get("/o/org-a/register")
    started = time.monotonic()
    response = client.post("/o/org-a/register/exports", {"format": "xlsx"})  # the job runs (inline queue)
    built = time.monotonic() - started
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Gereed" in page
    download = client.get(response.headers["Location"] + "/download")
    data = download.get_data()

    started = time.monotonic()
    wb = load_workbook(io.BytesIO(data), read_only=True)
    ws = wb["Datalekregister"]
    header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True))
    assert list(header) == EXPECTED_HEADERS
    rows = sum(1 for _ in ws.iter_rows(min_row=2, values_only=True, max_col=1))
    assert rows == 10_000
    sample = next(ws.iter_rows(min_row=2, max_row=2, values_only=True))
    assert sample[0].startswith("DL-") and sample[EXPECTED_HEADERS.index("Ernstklasse")]
    opened = time.monotonic() - started
    archive = zipfile.ZipFile(io.BytesIO(data))
    xml = b"".join(archive.read(name) for name in archive.namelist())
    for name in (REPORTER, HANDLER, NOTIFIER):
        assert name.encode() not in xml, name
    assert b"GEEN-DATALEK" not in xml  # the 200 incidents that are not breaches
    with pg_app.app_context(), tenant_scope(org.id):
        from tenants.listing.models import RegisterExport

        export = db.session.scalar(sa.select(RegisterExport))
        assert export.row_count == 10_000 and export.size == len(data)
    print(f"\n10,000 breaches: seeded in {seeded:.1f} s, export job {built:.1f} s "
          f"({len(data) / 1e6:.1f} MB), opened and checked in {opened:.1f} s")
