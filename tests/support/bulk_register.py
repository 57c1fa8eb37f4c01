"""Fill one organisation's register quickly (bulk inserts): for the 10,000-breach tests and bench/.

Not a seeder for the isolation walk (no `seed_` prefix). Rows are plausible, not pretty:
every breach has an incident; most have an assessment, a decision and a measure; a share
was notified to the AP (some late), some are still within or past their 72 hours.

Only the facts are inserted; the breach's derived columns (clock, current decisions,
severity) are then computed by the breach workflow's own `service.refresh_many`, as the
workflow computes them for a breach entered through the pages.
"""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from lekwijzer.db import db

TYPES = ["sent_by_mistake", "mail_misdelivered", "email_open_distribution", "abuse_of_access_by_employee",
         "phishing_social_engineering", "device_lost_or_stolen", "paper_lost_stolen_insecure", "misconfiguration"]
BANDS = [(Decimal("1.50"), "low"), (Decimal("2.25"), "medium"), (Decimal("3.25"), "high"), (Decimal("4.25"), "very_high")]


def fill(tenant_id: uuid.UUID, n: int, *, now: datetime, reporter_id=None, handler_id=None,
         not_breach: int = 0, seed: int = 7, notifier_name: str | None = None) -> dict:
    """Insert `n` breaches (and `not_breach` incidents that are not breaches) for `tenant_id`."""
    from tenants.register.models import (ApNotification, Breach, BreachAssessment, Decision, Incident, Measure)
    from tenants.register.service import refresh_many

    rng = random.Random(seed)
    incidents, breaches, assessments, decisions, notifications, measures = [], [], [], [], [], []
    for i in range(n):
        aware = now - timedelta(hours=rng.randint(1, 3 * 365 * 24))
        incident_id, breach_id = uuid.uuid4(), uuid.uuid4()
        incidents.append(dict(tenant_id=tenant_id, id=incident_id, reported_by=reporter_id, reported_at=aware,
                              what_happened=f"Melding {i}", noticed_at=aware, status="breach",
                              triaged_by=handler_id, triaged_at=aware + timedelta(hours=1)))
        score, band = rng.choice(BANDS)
        risk = {"low": "unlikely_risk", "medium": "risk", "high": "risk", "very_high": "high_risk"}[band]
        closed = aware < now - timedelta(days=60)
        breaches.append(dict(
            tenant_id=tenant_id, id=breach_id, reference=f"DL-{aware.year}-{i:05d}", incident_id=incident_id,
            title=f"Datalek {i}: {rng.choice(TYPES).replace('_', ' ')}", status="closed" if closed else "open",
            created_at=aware, incident_type=rng.choice(TYPES), cause="internal_non_malicious",
            what_happened="Een brief met gegevens van een jeugdige is naar het verkeerde adres gestuurd.",
            nature=["confidentiality"], confidentiality_level="known_recipients", data_categories=["name_address", "health"],
            subject_categories=["child_client", "parent_guardian"], persons_count_mode="exact",
            persons_min=1, persons_max=rng.choice([1, 2, 4, 12, 150]), discovered_at=aware - timedelta(hours=2),
            aware_at=aware, consequences="Ontvanger heeft de brief teruggestuurd.",
            closed_at=aware + timedelta(days=30) if closed else None, closed_by=handler_id if closed else None))
        assessments.append(dict(
            tenant_id=tenant_id, id=uuid.uuid4(), breach_id=breach_id, version=1, created_at=aware,
            dpc_base=4, dpc_adjustment=0, dpc_final=4, ease_of_identification=Decimal("0.25"),
            cb_confidentiality=Decimal("0.25"), cb_integrity=Decimal("0"), cb_availability=Decimal("0"),
            cb_malicious=Decimal("0"), score=score, band=band, formula=f"SE = 4 × 0.25 + 0.25 = {score}",
            risk_outcome=risk, risk_reasoning="Gezondheidsgegevens van een minderjarige bij één bekende ontvanger."))
        if rng.random() < 0.9 or closed:
            notify = risk != "unlikely_risk"
            decisions.append(dict(tenant_id=tenant_id, id=uuid.uuid4(), breach_id=breach_id, kind="notify_ap",
                                  outcome=notify, reasoning="Besluit van het bestuur.", decided_by=handler_id,
                                  decided_role="board", decided_at=aware + timedelta(hours=20)))
            decisions.append(dict(tenant_id=tenant_id, id=uuid.uuid4(), breach_id=breach_id, kind="inform_subjects",
                                  outcome=risk == "high_risk", reasoning="Besluit van het bestuur.",
                                  communication_status=None if risk == "high_risk" else "not_required_not_high_risk",
                                  decided_by=handler_id, decided_role="board", decided_at=aware + timedelta(hours=20)))
            if notify and (closed or rng.random() < 0.7):
                late = rng.random() < 0.1
                notifications.append(dict(
                    tenant_id=tenant_id, id=uuid.uuid4(), breach_id=breach_id, kind="initial", sub_type="complete",
                    ap_reference=f"AP-{i:06d}", submitted_at=aware + timedelta(hours=80 if late else 30),
                    payload={}, notifier_name=notifier_name, created_at=aware + timedelta(hours=30)))
        measures.append(dict(tenant_id=tenant_id, id=uuid.uuid4(), breach_id=breach_id, kind="corrective",
                             title="Ontvanger gevraagd de brief te vernietigen", status="done", created_at=aware))
    for i in range(not_breach):
        incidents.append(dict(tenant_id=tenant_id, id=uuid.uuid4(), reported_by=reporter_id, reported_at=now,
                              what_happened=f"GEEN-DATALEK {i}", status="not_breach"))
    session = db.session
    for model, rows in ((Incident, incidents), (Breach, breaches), (BreachAssessment, assessments),
                        (Decision, decisions), (ApNotification, notifications), (Measure, measures)):
        for start in range(0, len(rows), 2000):
            session.execute(sa.insert(model), rows[start:start + 2000])
    refresh_many([b["id"] for b in breaches])
    return {"breaches": n, "notifications": len(notifications),
            "decisions": sum(1 for d in decisions if d["kind"] == "notify_ap")}
