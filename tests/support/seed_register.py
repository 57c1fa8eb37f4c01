"""One row of every table of the breach register, for the isolation walk."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from lekwijzer.db import db, utcnow
from tests.support.isolation_seed import seeder


@seeder
def register_rows(world, key):
    from tenants.register.models import (ApNotification, Breach, BreachAssessment, CrisisMessage, Decision,
                                         DecisionMandate, FgAdvice, HandlingStep, Incident, Measure, Party,
                                         ProcessingActivity, RegisterReminder, SubjectCommunication)
    from tenants.register.service import refresh_many

    now = utcnow()
    reporter = world.user(key, "reporter")
    activity = ProcessingActivity(name=f"Jeugdhulp {key}", purpose="Dossiervoering", data_categories=["health"],
                                  subject_categories=["child_client"])
    incident = Incident(reported_by=reporter.id, what_happened=f"Incident {key}", noticed_at=now - timedelta(hours=3),
                        status="breach")
    db.session.add_all([activity, incident])
    db.session.flush()
    breach = Breach(reference=f"DL-2026-{key}01", incident_id=incident.id, processing_activity_id=activity.id,
                    title=f"Breach {key}", aware_at=now - timedelta(hours=2), discovered_at=now - timedelta(hours=3))
    db.session.add(breach)
    db.session.flush()
    advice = FgAdvice(breach_id=breach.id, advise_notify_ap=True, advise_inform_subjects=False, advice="Melden.")
    mandate = DecisionMandate(grantee_id=world.user(key, "auditor").id, scope=["notify_ap"],
                              valid_from=now.date(), valid_until=now.date() + timedelta(days=7))
    db.session.add_all([advice, mandate])
    db.session.flush()
    initial = ApNotification(breach_id=breach.id, kind="initial", sub_type="complete", ap_reference=f"AP-{key}-1",
                             submitted_at=now - timedelta(hours=1), notifier_name="P", notifier_function="PO",
                             notifier_phone="0301234567")
    db.session.add_all([
        BreachAssessment(breach_id=breach.id, version=1, dpc_base=4, dpc_final=4, ease_of_identification=Decimal("1"),
                         cb_confidentiality=Decimal("0.25"), cb_integrity=Decimal("0"), cb_availability=Decimal("0"),
                         cb_malicious=Decimal("0"), score=Decimal("4.25"), band="very_high",
                         formula="SE = 4 × 1 + (0.25 + 0 + 0 + 0) = 4.25", risk_outcome="high_risk",
                         risk_reasoning="Gevoelige gegevens van een kind."),
        Decision(breach_id=breach.id, kind="notify_ap", outcome=True, reasoning="Hoog risico.", decided_role="board",
                 fg_advice_id=advice.id, mandate_id=mandate.id),
        initial,
        SubjectCommunication(breach_id=breach.id, channel="individual", sent_at=now - timedelta(minutes=30),
                             content="Brief", all_subjects_reached=True),
        CrisisMessage(breach_id=breach.id, stakeholder="staff", at=now - timedelta(minutes=20), summary="Intranet"),
        HandlingStep(breach_id=breach.id, step="establish", done_at=now - timedelta(hours=2)),
        Party(breach_id=breach.id, role="processor", name="Leverancier"),
        Measure(breach_id=breach.id, kind="corrective", title="Verwijderverzoek"),
        RegisterReminder(object_type="breach", object_id=breach.id, kind="clock_24h"),
    ])
    refresh_many([breach.id])  # the derived columns, as the breach workflow keeps them
