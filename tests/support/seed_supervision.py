"""One row of each supervision table (institution side and shared), for the isolation walk."""
from __future__ import annotations

import uuid
from datetime import date

from lekwijzer.db import db, utcnow
from tests.support.isolation_seed import seeder


@seeder
def _supervision(world, key):
    from tenants.oversight.models import (BreachQuality, FindingResponse, InstitutionReview, ReconciliationFinding,
                                          RegisterRelease, RegisterRequest)
    from tenants.register.models import Breach

    org = world.orgs[key]
    breach = Breach(reference=f"DL-SUP-{key}", title="seed", incident_type="sent_by_mistake")
    db.session.add(breach)
    db.session.flush()
    flags = {name: False for name in ("has_facts", "has_cause", "has_data_categories", "has_subject_categories",
                                      "has_persons", "has_consequences", "has_risk", "has_corrective_measure",
                                      "has_decision", "has_subject_communication", "delay_reason_needed",
                                      "has_delay_reason", "no_notification_reasoning_needed",
                                      "has_no_notification_reasoning", "description_too_short",
                                      "risk_without_reasoning")}
    db.session.add(BreachQuality(id=breach.id, breach_id=breach.id, completeness=0, **flags))
    run_id = uuid.uuid4()
    finding = ReconciliationFinding(finding_key=f"seed|{key}", kind="late_without_reason", institution_id=org.id,
                                    breach_id=breach.id, status="open", first_seen_run_id=run_id,
                                    first_seen_at=utcnow())
    db.session.add(finding)
    db.session.add(InstitutionReview(run_id=run_id, institution_id=org.id, computed_at=utcnow(),
                                     period_from=date(2026, 1, 1), period_until=date(2026, 6, 30)))
    db.session.flush()
    db.session.add(FindingResponse(finding_id=finding.id, code="will_correct", note="seed"))
    request = RegisterRequest(institution_id=org.id, case_reference="SEED-1", legal_basis="art58_1_a",
                              period_from=date(2026, 1, 1), period_until=date(2026, 6, 30), file_format="csv",
                              due_date=date(2026, 12, 31))
    db.session.add(request)
    db.session.flush()
    db.session.add(RegisterRelease(request_id=request.id, regulator_id=world.orgs["r"].id, file_format="csv",
                                   status="ready", content=b"x"))
