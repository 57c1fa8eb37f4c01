"""Demo: what the AP's intake received, a reconciliation, sector statistics, a register request.

Runs once, when the demo seeds its main institution (the last one seeded, see
lekwijzer.demo.seed): by then every register exists. The AP's intake is derived from the
notifications the registers record — as the AP would have received them — with the
discrepancies the AP found in 2024: notifications missing from registers, register
entries claiming notifications the AP never received, an institution's own number where
the AP's reference belongs, supplements and a withdrawal.
"""
from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

import sqlalchemy as sa

from lekwijzer.db import db, utcnow
from lekwijzer.demo import MAIN, DemoContext, demo_seeder
from lekwijzer.models import Membership, Org, OrgKind
from lekwijzer.tenancy import tenant_scope
from tenants.oversight import fetch, register

from . import intake, service, statistics

AP_ONLY_TYPES = ["sent_by_mistake", "mail_misdelivered", "phishing_social_engineering", "device_lost_or_stolen"]


def received_rows(rng: random.Random) -> list[dict]:
    """The AP's view: every recorded notification, with realistic gaps and extras."""
    inst = {row.id: row for row in fetch(register.institutions()) if row.kvk}
    notes = fetch(register.notifications())
    breaches = {(b.tenant_id, b.id): b for b in fetch(register.breaches())}
    rows = []
    for note in sorted(notes, key=lambda n: (n.submitted_at, str(n.breach_id))):
        org = inst.get(note.tenant_id)
        breach = breaches.get((note.tenant_id, note.breach_id))
        if org is None or breach is None:
            continue
        if note.kind == "initial" and rng.random() < 0.04:
            continue  # the register says notified; the AP never received it
        reference = note.ap_reference
        if reference.startswith("INTERN-"):
            reference = f"AP-{note.submitted_at.year}-{rng.randint(100000, 999999)}"
        rows.append({"ap_reference": reference, "kvk": org.kvk, "kind": note.kind,
                     "received_at": note.submitted_at + timedelta(minutes=rng.randint(1, 20)),
                     "aware_at": breach.aware_at, "incident_type": breach.incident_type,
                     "persons_min": breach.persons_min, "persons_max": breach.persons_max})
    # Notifications the registers do not show at all (an Art. 33(5) gap), at three institutions.
    for org in rng.sample(sorted(inst.values(), key=lambda o: o.kvk), 3):
        received_at = utcnow() - timedelta(days=rng.randint(40, 300))
        rows.append({"ap_reference": f"AP-{received_at.year}-{rng.randint(100000, 999999)}", "kvk": org.kvk,
                     "kind": "initial", "received_at": received_at, "aware_at": received_at - timedelta(hours=30),
                     "incident_type": rng.choice(AP_ONLY_TYPES), "persons_min": 1, "persons_max": 20})
    # A withdrawal the register does not record.
    initial = [r for r in rows if r["kind"] == "initial"]
    if initial:
        first = rng.choice(initial)
        rows.append({**first, "kind": "withdrawal", "received_at": first["received_at"] + timedelta(days=3)})
    # Notifications of organisations that do not use Lekwijzer.
    for n in range(5):
        received_at = utcnow() - timedelta(days=rng.randint(10, 400))
        rows.append({"ap_reference": f"AP-{received_at.year}-{rng.randint(100000, 999999)}",
                     "kvk": f"6{n:07d}", "kind": "initial", "received_at": received_at, "aware_at": None,
                     "incident_type": None, "persons_min": None, "persons_max": None})
    return rows


@demo_seeder
def supervision_demo(ctx: DemoContext) -> None:
    if ctx.org.slug != MAIN:
        return  # the main institution is seeded last: then every register exists
    regulator = db.session.scalar(sa.select(Org).where(Org.kind == OrgKind.regulator).limit(1))
    if regulator is None:
        return
    rng = random.Random(6)
    db.session.commit()  # the main register too: the intake is read from committed registers
    rows = received_rows(rng)
    analyst = db.session.scalar(sa.select(Membership.user_id).where(Membership.tenant_id == regulator.id))
    with tenant_scope(regulator.id):
        for row in rows:
            row.setdefault("occurred_at", None)
            row.setdefault("records_count", None)
        digest = hashlib.sha256(repr(sorted((r["ap_reference"], r["kind"]) for r in rows)).encode()).hexdigest()
        intake.import_rows(rows, file_name="meldloket-export-demo.csv", file_format="csv", file_sha256=digest,
                           uploaded_by=None)
        first = min(r["received_at"] for r in rows).date()
        service.start_run(first, date.today(), None)
        statistics_jobs(regulator.id)
        main = ctx.org
        service.request_register({"institution": main.kvk, "case_reference": "AP-ONDERZOEK-JZ-2026-04",
                                  "legal_basis": "art58_1_a", "period_from": date(2025, 1, 1),
                                  "period_until": date.today(), "file_format": "xlsx",
                                  "due_date": date.today() + timedelta(days=21)}, analyst)
    from lekwijzer.jobs import enqueue

    enqueue("supervision.benchmark", tenant_id=None)


def statistics_jobs(regulator_id) -> None:
    from lekwijzer.jobs import enqueue

    for granularity in ("year", "quarter"):
        enqueue("regulator.statistics", tenant_id=regulator_id, granularity=granularity)


__all__ = ["received_rows", "statistics", "supervision_demo"]
