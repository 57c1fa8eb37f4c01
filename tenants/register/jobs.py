"""Reminders: the 72-hour clock (24 h, 48 h, 66 h) and measures due or overdue.

A periodic sweep (no tenant) enqueues one job per institution; that job, inside its
tenant, finds what is due and asks for a notification mail per person. A reminder is
sent once: the `RegisterReminder` row (unique per object and kind) is written in the
same transaction as the request for the mail, so a job that runs twice sends nothing
the second time. Mails carry a subject, a reference and a link; never contents.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from lekwijzer import audit, mail
from lekwijzer.db import db, utcnow
from lekwijzer.jobs import enqueue, job, periodic
from lekwijzer.models import Membership, Org, OrgKind

from . import clock
from .models import Breach, Measure, RegisterReminder

SWEEP_EVERY = timedelta(minutes=15)
MEASURE_DUE_SOON = timedelta(days=7)


@periodic("register.reminder_sweep", every=SWEEP_EVERY)
def sweep() -> int:
    """Enqueue the reminder check of every active institution (once per time slot)."""
    now = utcnow()
    slot = int(now.timestamp()) // int(SWEEP_EVERY.total_seconds())
    orgs = db.session.scalars(sa.select(Org.id).where(Org.kind == OrgKind.institution, Org.active.is_(True))).all()
    for org_id in orgs:
        enqueue("register.reminders", tenant_id=org_id, dedupe_key=f"register.reminders:{org_id}:{slot}")
    return len(orgs)


def _privacy_officers(org_id) -> list:
    rows = db.session.scalars(sa.select(Membership).where(Membership.tenant_id == org_id)).all()
    return [m.user_id for m in rows if "privacy_officer" in (m.roles or [])]


def _sent(object_type: str, ids) -> set[tuple]:
    if not ids:
        return set()
    rows = db.session.execute(sa.select(RegisterReminder.object_id, RegisterReminder.kind).where(
        RegisterReminder.object_type == object_type, RegisterReminder.object_id.in_(list(ids)))).all()
    return {(r[0], r[1]) for r in rows}


def _remind(org, object_type: str, object_id, kind: str, users, mail_kind: str) -> None:
    db.session.add(RegisterReminder(object_type=object_type, object_id=object_id, kind=kind))
    for user_id in dict.fromkeys(users):
        mail.notify(user_id, mail_kind, org, object_id)
    audit.record("reminder.sent", object_type, object_id, meta={"kind": kind, "recipients": len(set(users))},
                 actor=("system", None))


@job("register.reminders")
def reminders(now: str | None = None) -> dict:
    """Send the reminders of the current institution that are due (idempotent)."""
    from datetime import datetime

    from lekwijzer.tenancy import current_tenant_id

    moment = datetime.fromisoformat(now) if now else utcnow()
    org = db.session.get(Org, current_tenant_id())
    officers = _privacy_officers(org.id)
    counts = {"clock": 0, "measures": 0}

    # The 72-hour clock: breaches whose clock runs and passed 24 h since awareness.
    running = db.session.scalars(sa.select(Breach).where(
        Breach.status == "open", Breach.aware_at.is_not(None), Breach.ap_notified_at.is_(None),
        sa.or_(Breach.notify_ap.is_(None), Breach.notify_ap.is_(True)),
        Breach.aware_at <= moment - min(clock.REMINDERS.values()),
        Breach.aware_at > moment - clock.NOTIFY_WITHIN)).all()
    sent = _sent("breach", [b.id for b in running])
    for breach in running:
        already = {kind for (oid, kind) in sent if oid == breach.id}
        for kind in clock.due_reminders(breach.aware_at, moment, notified_at=breach.ap_notified_at,
                                        notify_decision=breach.notify_ap, already_sent=already):
            _remind(org, "breach", breach.id, kind, officers, f"breach.{kind}")
            counts["clock"] += 1

    # Measures: a week before the due date, and once it has passed.
    today = moment.date()
    open_measures = db.session.scalars(sa.select(Measure).where(
        Measure.status.in_(("planned", "in_progress")), Measure.due_date.is_not(None),
        Measure.due_date <= today + timedelta(days=MEASURE_DUE_SOON.days))).all()
    sent = _sent("measure", [m.id for m in open_measures])
    for measure in open_measures:
        kind = "measure_overdue" if measure.due_date < today else "measure_due"
        if (measure.id, kind) in sent:
            continue
        users = [measure.owner_id] if measure.owner_id else officers
        _remind(org, "measure", measure.id, kind, users, kind.replace("_", "."))
        counts["measures"] += 1
    return counts
