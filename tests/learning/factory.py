"""Random but reproducible register history for one institution, written through the models.

The facts are written here; the breaches' derived columns (severity from the assessment,
the 72-hour clock's facts) are computed by the breach workflow's `service.refresh_many`.
"""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from lekwijzer.db import db
from tenants.register.models import ApNotification, Breach, BreachAssessment, Incident, Measure, SubjectCommunication
from tenants.register.service import refresh_many

TYPES = ["mail_misdelivered", "sent_by_mistake", "email_open_distribution", "phishing_social_engineering",
         "device_lost_or_stolen", "abuse_of_access_by_employee", "tbd"]
BANDS = [("low", "1.25"), ("medium", "2.50"), ("high", "3.25"), ("very_high", "4.25"), (None, None)]
UTC = timezone.utc


def seed_history(rng: random.Random, start: datetime, months: int = 30, per_month=(1, 8)) -> dict:
    """Breaches, notifications, communications, measures and non-breach incidents."""
    out = {"breaches": [], "notifications": [], "communications": [], "measures": [], "incidents": []}
    n = 0
    later = []  # rows pointing at a breach: added once the breaches are in (composite FK, no relationship)
    end = start + timedelta(days=30.5 * months)
    for month in range(months):
        for _ in range(rng.randint(*per_month)):
            n += 1
            aware = start + timedelta(days=30.5 * month + rng.uniform(0, 30), hours=rng.uniform(0, 23))
            band, score = rng.choice(BANDS)
            kind = rng.choice(TYPES)  # the draws in their original order: the same history as before
            risk = rng.choice(["unlikely_risk", "risk", "high_risk", None])
            b = Breach(id=uuid.uuid4(), reference=f"DL-T-{n:04d}", title=f"breach {n}",
                       incident_type=kind, aware_at=None if rng.random() < 0.08 else aware,
                       created_at=aware + timedelta(hours=rng.uniform(0, 40)))
            db.session.add(b)
            out["breaches"].append(b)
            if band is not None:  # assessed: the band and the risk come from the assessment
                later.append(BreachAssessment(
                    breach_id=b.id, version=1, dpc_base=1, dpc_final=1, ease_of_identification=Decimal("1"),
                    cb_confidentiality=Decimal("0"), cb_integrity=Decimal("0"), cb_availability=Decimal("0"),
                    cb_malicious=Decimal("0"), score=Decimal(score), band=band, formula=f"SE = {score}",
                    risk_outcome=risk or "needs_more_info", risk_reasoning="r"))
            if rng.random() < 0.4:
                sent = aware + timedelta(hours=rng.uniform(2, 130))
                note = ApNotification(breach_id=b.id, kind="initial", ap_reference=f"AP-{n}", submitted_at=sent)
                later.append(note)
                out["notifications"].append(note)
                if rng.random() < 0.2:
                    sup = ApNotification(breach_id=b.id, kind="supplement", ap_reference=f"AP-{n}",
                                         submitted_at=sent + timedelta(days=3))
                    later.append(sup)
                    out["notifications"].append(sup)
                if rng.random() < 0.07:
                    wd = ApNotification(breach_id=b.id, kind="withdrawal", ap_reference=f"AP-{n}",
                                        submitted_at=sent + timedelta(days=5), withdrawal_reason="duplicate")
                    later.append(wd)
                    out["notifications"].append(wd)
            if rng.random() < 0.25:
                for _ in range(rng.randint(1, 2)):
                    c = SubjectCommunication(breach_id=b.id, channel="individual",
                                             sent_at=aware + timedelta(days=2), content="brief")
                    later.append(c)
                    out["communications"].append(c)
        for _ in range(rng.randint(0, 4)):
            inc = Incident(what_happened="x", status=rng.choice(["not_breach", "not_breach", "breach", "new"]),
                           reported_at=start + timedelta(days=30.5 * month + rng.uniform(0, 30)))
            db.session.add(inc)
            out["incidents"].append(inc)
    for i in range(24):
        created = start + timedelta(days=rng.uniform(0, 30.5 * months))
        due = (created + timedelta(days=rng.randint(10, 150))).date()
        status = rng.choice(["planned", "in_progress", "done", "done", "done", "cancelled"])
        done_at = None
        if status == "done":
            done_at = created + timedelta(days=rng.uniform(5, 200))
            if done_at > end:
                done_at = end - timedelta(days=1)
        m = Measure(id=uuid.uuid4(), kind=rng.choice(["corrective", "preventive"]), title=f"measure {i}",
                    status=status, created_at=created, due_date=due if rng.random() < 0.9 else None,
                    done_at=done_at, target_incident_type=rng.choice(TYPES[:6] + [None, "tbd"]))
        db.session.add(m)
        out["measures"].append(m)
    db.session.flush()
    db.session.add_all(later)
    db.session.flush()
    refresh_many([b.id for b in out["breaches"]])
    return out
