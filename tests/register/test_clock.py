"""The 72-hour clock (pure functions)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tenants.register import clock

AWARE = datetime(2026, 3, 27, 10, 0, tzinfo=timezone.utc)  # a Friday; summer time starts on Sunday 29 March


def test_the_deadline_is_72_clock_hours_weekend_and_summer_time_included():
    assert clock.deadline(AWARE) == datetime(2026, 3, 30, 10, 0, tzinfo=timezone.utc)
    assert clock.deadline(None) is None


def test_remaining_and_overdue():
    now = AWARE + timedelta(hours=70)
    assert clock.remaining(AWARE, now) == timedelta(hours=2)
    assert not clock.is_overdue(AWARE, now)
    later = AWARE + timedelta(hours=72, minutes=1)
    assert clock.is_overdue(AWARE, later)
    assert not clock.is_overdue(AWARE, later, notified_at=AWARE + timedelta(hours=80))  # notified (late)
    assert not clock.is_overdue(AWARE, later, notify_decision=False)  # decided not to notify
    assert clock.is_overdue(AWARE, later, notify_decision=True)  # decided to notify, not done
    assert not clock.is_overdue(AWARE, later, closed=True)
    assert not clock.is_overdue(None, later)


def test_notified_late_is_strictly_after_72_hours():
    assert not clock.notified_late(AWARE, AWARE + timedelta(hours=72))
    assert clock.notified_late(AWARE, AWARE + timedelta(hours=72, seconds=1))
    assert not clock.notified_late(None, AWARE)


def test_state_for_the_page():
    assert clock.state(None, AWARE).code == "no_clock"
    running = clock.state(AWARE, AWARE + timedelta(hours=10))
    assert running.code == "running" and running.hours_left == 62
    assert clock.state(AWARE, AWARE + timedelta(hours=73)).code == "overdue"
    assert clock.state(AWARE, AWARE + timedelta(hours=73), notified_at=AWARE + timedelta(hours=30)).code == "on_time"
    late = clock.state(AWARE, AWARE + timedelta(hours=90), notified_at=AWARE + timedelta(hours=80))
    assert late.code == "late" and late.elapsed == timedelta(hours=80)
    assert clock.state(AWARE, AWARE + timedelta(hours=90), notify_decision=False).code == "not_required"


def test_reminders_at_24_48_and_66_hours_once_each():
    due = lambda hours, sent=(): clock.due_reminders(AWARE, AWARE + timedelta(hours=hours), already_sent=sent)  # noqa
    assert due(23) == []
    assert due(24) == ["clock_24h"]
    assert due(30, {"clock_24h"}) == []
    assert due(48, {"clock_24h"}) == ["clock_48h"]
    assert due(50) == ["clock_48h"]  # registered late: only the latest threshold, not three mails at once
    assert due(66, {"clock_24h", "clock_48h"}) == ["clock_66h"]
    assert due(70, {"clock_24h", "clock_48h", "clock_66h"}) == []
    assert due(73) == []  # overdue: the page and the dashboard say so
    assert clock.due_reminders(AWARE, AWARE + timedelta(hours=30), notified_at=AWARE + timedelta(hours=20)) == []
    assert clock.due_reminders(AWARE, AWARE + timedelta(hours=30), notify_decision=False) == []


def test_awareness_gap():
    assert not clock.awareness_gap_too_long(AWARE - timedelta(hours=24), AWARE)
    assert clock.awareness_gap_too_long(AWARE - timedelta(hours=25), AWARE)


def test_split_for_display():
    assert clock.split(timedelta(days=1, hours=3, minutes=5)) == (1, 3, 5)
    assert clock.split(-timedelta(hours=5)) == (0, 5, 0)


def test_overdue_clause_matches_is_overdue(app, world):
    """The SQL form the register list uses gives the same answer as the Python form."""
    import sqlalchemy as sa

    from lekwijzer.db import db, utcnow
    from lekwijzer.tenancy import tenant_scope
    from tenants.register.models import Breach

    now = utcnow()
    cases = [  # (hours since awareness, notified after hours, decision, status)
        (80, None, None, "open"), (80, None, True, "open"), (80, None, False, "open"), (80, 70, True, "open"),
        (80, 75, True, "open"), (10, None, None, "open"), (80, None, None, "closed"), (None, None, None, "open")]
    with app.app_context(), tenant_scope(world.orgs["a"].id) as session:
        for n, (hours, notified, decision, status) in enumerate(cases):
            aware = now - timedelta(hours=hours) if hours is not None else None
            session.add(Breach(reference=f"DL-2026-{n:03d}", title="t", status=status, aware_at=aware,
                               ap_notified_at=aware + timedelta(hours=notified) if notified else None,
                               notify_ap=decision))
        session.flush()
        overdue = set(session.scalars(sa.select(Breach.reference).where(clock.overdue_clause(
            Breach.aware_at, Breach.ap_notified_at, Breach.notify_ap, Breach.status, now))))
        expected = {b.reference for b in session.scalars(sa.select(Breach)) if clock.is_overdue(
            b.aware_at, now, notified_at=b.ap_notified_at, notify_decision=b.notify_ap, closed=b.status == "closed")}
        assert overdue == expected == {"DL-2026-000", "DL-2026-001"}
        db.session.rollback()


def test_running_clause_matches_the_running_state(app, world):
    """The SQL form of state "running" (the register list's "within the 72 hours" filter)."""
    import sqlalchemy as sa

    from lekwijzer.db import db, utcnow
    from lekwijzer.tenancy import tenant_scope
    from tenants.register.models import Breach

    now = utcnow()
    cases = [  # (hours since awareness, notified after hours, decision, status)
        (10, None, None, "open"), (10, None, True, "open"), (10, None, False, "open"), (10, 5, True, "open"),
        (10, None, None, "closed"), (71.9, None, None, "open"), (72.1, None, None, "open"), (None, None, None, "open")]
    with app.app_context(), tenant_scope(world.orgs["a"].id) as session:
        for n, (hours, notified, decision, status) in enumerate(cases):
            aware = now - timedelta(hours=hours) if hours is not None else None
            session.add(Breach(reference=f"DL-2026-{n:03d}", title="t", status=status, aware_at=aware,
                               ap_notified_at=aware + timedelta(hours=notified) if notified else None,
                               notify_ap=decision))
        session.flush()
        running = set(session.scalars(sa.select(Breach.reference).where(clock.running_clause(
            Breach.aware_at, Breach.ap_notified_at, Breach.notify_ap, Breach.status, now))))
        expected = {b.reference for b in session.scalars(sa.select(Breach)) if clock.state(
            b.aware_at, now, notified_at=b.ap_notified_at, notify_decision=b.notify_ap,
            closed=b.status == "closed").code == "running"}
        assert running == expected == {"DL-2026-000", "DL-2026-001", "DL-2026-005"}
        db.session.rollback()


def test_every_state_has_a_label_and_a_tone():
    states = {clock.state(None, AWARE), clock.state(AWARE, AWARE + timedelta(hours=1)),
              clock.state(AWARE, AWARE + timedelta(hours=80)),
              clock.state(AWARE, AWARE, notified_at=AWARE + timedelta(hours=2)),
              clock.state(AWARE, AWARE, notified_at=AWARE + timedelta(hours=80)),
              clock.state(AWARE, AWARE, notify_decision=False)}
    assert {s.code for s in states} == set(clock.LABELS) == set(clock.TONES)
    assert clock.state(AWARE, AWARE + timedelta(hours=80)).label == "Overdue"
    assert clock.state(AWARE, AWARE + timedelta(hours=80)).tone == "error"
