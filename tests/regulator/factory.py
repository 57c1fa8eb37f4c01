"""Register entries for tests, built the way the register feature stores them.

`entry(...)` creates one breach with what hangs off it (assessment, decision, AP
notifications, measures, communications) inside the current tenant. Defaults make a
complete, well-handled entry; each keyword plants one flaw.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from lekwijzer.db import db
from tenants.register.models import (ApNotification, Breach, BreachAssessment, Decision, Measure,
                                     SubjectCommunication)

LONG = "Een medewerker stuurde een e-mail met een verslag naar een verkeerde externe ontvanger."
REASONING = "Gezondheidsgegevens van één cliënt, ontvanger bekend en heeft bevestigd te verwijderen."
_counter = {"n": 0}


def entry(*, aware: datetime, incident_type: str = "sent_by_mistake", reference: str | None = None,
          notified: list[tuple[str, str, datetime]] | None = None, notify: bool | None = True,
          what_happened: str | None = LONG, cause: str = "internal_non_malicious",
          consequences: str | None = "Vertrouwelijkheid geschonden voor één gezin.",
          risk_outcome: str | None = "risk", risk_reasoning: str | None = REASONING,
          corrective: bool = True, delay_reason: str | None = None, ended: bool = True,
          persons: tuple[int, int] = (1, 3), subject_status: str | None = "not_required_not_high_risk",
          communicated: bool = False, status: str = "closed", no_notification_reasoning: str | None = None,
          severity_band: str | None = "medium", **extra) -> Breach:
    """One register entry; `notified` is [(kind, ap_reference, submitted_at)]."""
    _counter["n"] += 1
    breach = Breach(
        reference=reference or f"DL-T-{_counter['n']:05d}", title="Testmelding", status=status,
        incident_type=incident_type, cause=cause, what_happened=what_happened, consequences=consequences,
        nature=["confidentiality"], data_categories=["health"], subject_categories=["child_client"],
        persons_count_mode="approximate", persons_min=persons[0], persons_max=persons[1],
        occurrence_mode="specific_day", occurred_from=aware - timedelta(hours=6), discovered_at=aware,
        aware_at=aware, ended_at=aware + timedelta(hours=2) if ended else None,
        contained_at=aware + timedelta(hours=1), risk_outcome=risk_outcome, severity_band=severity_band,
        subject_communication_status=subject_status, delay_reason=delay_reason,
        no_notification_reasoning=no_notification_reasoning,
        closed_at=aware + timedelta(days=5) if status == "closed" else None, **extra)
    db.session.add(breach)
    db.session.flush()
    if risk_outcome is not None:
        db.session.add(BreachAssessment(
            breach_id=breach.id, version=1, dpc_base=4, dpc_final=4, ease_of_identification=Decimal("0.5"),
            cb_confidentiality=Decimal("0.25"), cb_integrity=Decimal("0"), cb_availability=Decimal("0"),
            cb_malicious=Decimal("0"), score=Decimal("2.25"), band="medium",
            formula="SE = 4 × 0.5 + 0.25 = 2.25 (Medium)", risk_outcome=risk_outcome,
            risk_reasoning=risk_reasoning or ""))
    if notify is not None:
        db.session.add(Decision(breach_id=breach.id, kind="notify_ap", outcome=notify, decided_role="board",
                                reasoning="Besluit van het bestuur na advies van de FG.",
                                decided_at=aware + timedelta(hours=20)))
    for kind, ref, at in notified or []:
        db.session.add(ApNotification(breach_id=breach.id, kind=kind, ap_reference=ref, submitted_at=at,
                                      sub_type="complete", payload={}))
    if corrective:
        db.session.add(Measure(breach_id=breach.id, kind="corrective", title="Ontvanger gevraagd te verwijderen",
                               due_date=(aware + timedelta(days=7)).date(), status="done",
                               done_at=aware + timedelta(days=2)))
    if communicated:
        db.session.add(SubjectCommunication(breach_id=breach.id, channel="individual",
                                            sent_at=aware + timedelta(days=1), content="Brief aan ouders."))
    db.session.flush()
    return breach


def received(ap_reference: str, kvk: str, received_at: datetime, kind: str = "initial", *,
             aware_at: datetime | None = None, incident_type: str | None = "sent_by_mistake",
             persons: tuple[int | None, int | None] = (1, 3)) -> dict:
    """One row of the AP's intake export, as the upload would carry it."""
    return {"ap_reference": ap_reference, "kvk": kvk, "received_at": received_at.isoformat(), "kind": kind,
            "aware_at": aware_at.isoformat() if aware_at else None, "incident_type": incident_type,
            "persons_min": persons[0], "persons_max": persons[1]}


def day(value: date, hour: int = 10) -> datetime:
    from datetime import time, timezone

    return datetime.combine(value, time(hour), tzinfo=timezone.utc)
