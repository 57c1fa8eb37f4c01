"""Helpers for the register-list tests: register entries with exactly the fields a test needs."""
from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from lekwijzer.db import db
from lekwijzer.tenancy import tenant_scope

NOW = datetime.now(timezone.utc).replace(microsecond=0)
_seq = itertools.count(1)


# The severity band an assessment usually gives with a risk outcome (test data only).
BAND_FOR_RISK = {"unlikely_risk": "low", "risk": "medium", "high_risk": "high", "needs_more_info": "medium"}
SCORE_FOR_BAND = {"low": Decimal("1.50"), "medium": Decimal("2.50"), "high": Decimal("3.25"),
                  "very_high": Decimal("4.25")}


class Register:
    """Adds rows to one organisation's register (each call commits).

    A test gives the facts (awareness, decision, notification, assessment); the breach's
    derived columns (clock, current decision, severity) are then computed by the breach
    workflow's own `service.refresh_many`, never set here.
    """

    def __init__(self, app, world, key="a"):
        self.app, self.world, self.org = app, world, world.orgs[key]

    def breach(self, *, notified_at=None, decision=None, decided_at=None, incident_status="breach",
               severity_score=None, severity_band=None, risk_outcome=None, notifier_name=None, **fields):
        from tenants.register.models import ApNotification, Breach, BreachAssessment, Decision, Incident
        from tenants.register.service import refresh_many

        n = next(_seq)
        with self.app.app_context(), tenant_scope(self.org.id):
            incident = Incident(what_happened=f"melding {n}", status=incident_status,
                                reported_by=fields.pop("reported_by", None), triaged_by=fields.pop("triaged_by", None))
            db.session.add(incident)
            db.session.flush()
            values = dict(reference=f"DL-T-{n:04d}", title=f"Datalek {n}", incident_type="sent_by_mistake",
                          incident_id=incident.id)
            values.update(fields)
            breach = Breach(**values)
            db.session.add(breach)
            db.session.flush()
            if severity_band or severity_score is not None or risk_outcome:
                band = severity_band or BAND_FOR_RISK.get(risk_outcome, "medium")
                score = severity_score if severity_score is not None else SCORE_FOR_BAND[band]
                db.session.add(BreachAssessment(
                    breach_id=breach.id, version=1, dpc_base=1, dpc_final=1, ease_of_identification=Decimal("1"),
                    cb_confidentiality=Decimal("0"), cb_integrity=Decimal("0"), cb_availability=Decimal("0"),
                    cb_malicious=Decimal("0"), score=score, band=band, formula=f"SE = {score}",
                    risk_outcome=risk_outcome or "needs_more_info", risk_reasoning="beoordeling"))
            if decision is not None:
                db.session.add(Decision(breach_id=breach.id, kind="notify_ap", outcome=decision, reasoning="besluit",
                                        decided_role="board", decided_at=decided_at or NOW - timedelta(hours=1),
                                        decided_by=fields.get("closed_by")))
            if notified_at is not None:
                db.session.add(ApNotification(breach_id=breach.id, kind="initial", sub_type="complete",
                                              ap_reference=f"AP-{n}", submitted_at=notified_at, payload={},
                                              notifier_name=notifier_name))
            breach_id = breach.id
            refresh_many([breach_id])
        return breach_id

    def refresh(self, breach_id):
        """After a test added rows of its own: recompute the breach's derived columns."""
        from tenants.register.service import refresh_many

        with self.app.app_context(), tenant_scope(self.org.id):
            refresh_many([breach_id])

    def incident(self, status="new", what="Er is iets gebeurd", reported_at=None, **fields):
        from tenants.register.models import Incident

        with self.app.app_context(), tenant_scope(self.org.id):
            incident = Incident(what_happened=what, status=status, reported_at=reported_at or NOW, **fields)
            db.session.add(incident)
            db.session.flush()
            return incident.id


@pytest.fixture
def register(app, world):
    return Register(app, world, "a")


@pytest.fixture
def po(app, world, login):
    return login(app, world.user("a", "privacy_officer"))


def hours_ago(h):
    return NOW - timedelta(hours=h)


def refs(html: str) -> set[str]:
    import re

    return set(re.findall(r"DL-T-\d{4}", html))


def new_id():
    return uuid.uuid4()
