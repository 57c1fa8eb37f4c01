"""The 72-hour clock of Art. 33(1) GDPR, as pure functions (no database, no Flask).

The clock starts when the controller becomes aware of the breach (``aware_at``: a
reasonable degree of certainty that personal data were compromised; EDPB 9/2022), not
at the first detection. The deadline is exactly 72 clock hours later, weekends and
holidays included (the conservative reading). All datetimes are aware (UTC).

Used by the breach page, the register list (tenants/listing), the reminder sweep and the
regulator's reconciliation, so that "overdue" and "late" mean the same everywhere:

* ``deadline(aware_at)``                 aware_at + 72 h
* ``remaining(aware_at, now)``           time left (negative once passed)
* ``notified_late(aware_at, notified_at)`` the first (initial) notification came after the deadline
* ``is_overdue(aware_at, now, ...)``     deadline passed, not notified, and not decided
                                          "no notification" (undecided counts: the AP
                                          expects a decision within the 72 hours)
* ``due_reminders(aware_at, now, ...)``  which of the 24 h / 48 h / 66 h reminders are due
* ``state(...)``                         all of it at once, for a page; its ``label`` and
                                          ``tone`` are the words and badge colour every page,
                                          list and export shows for that state

The SQL forms for lists and figures are `overdue_clause` and `running_clause` (they take
the columns, so this module still imports no models); "notified late" is kept per breach
in the derived column ``Breach.notified_late`` (service.refresh, from `notified_late`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

NOTIFY_WITHIN = timedelta(hours=72)
REMINDERS = {"clock_24h": timedelta(hours=24), "clock_48h": timedelta(hours=48),
             "clock_66h": timedelta(hours=66)}
# EDPB 9/2022 allows a short investigation before awareness; beyond this gap between
# detection and awareness the register must say why (domain.md rule 3; our threshold).
AWARENESS_GAP = timedelta(hours=24)


def N_(text: str) -> str:
    """Marks an English msgid for the catalogue; translated where it is shown."""
    return text


# What each state is called, wherever it is shown (breach page, dashboard, register list,
# exports), and how urgent its badge looks (a `lw-badge--<tone>` modifier; "" = neutral).
LABELS = {
    "no_clock": N_("Clock not started"),
    "running": N_("Running"),
    "overdue": N_("Overdue"),
    "on_time": N_("Notified on time"),
    "late": N_("Notified late"),
    "not_required": N_("Not notified (decision)"),
}
TONES = {"no_clock": "", "running": "warn", "overdue": "error", "on_time": "ok", "late": "error",
         "not_required": ""}


def deadline(aware_at: datetime | None) -> datetime | None:
    return aware_at + NOTIFY_WITHIN if aware_at else None


def remaining(aware_at: datetime | None, now: datetime) -> timedelta | None:
    """Time left until the deadline; negative once it has passed; None without awareness."""
    end = deadline(aware_at)
    return end - now if end else None


def notified_late(aware_at: datetime | None, notified_at: datetime | None) -> bool:
    """The initial notification reached the AP more than 72 hours after awareness."""
    return bool(aware_at and notified_at and notified_at > deadline(aware_at))


def is_overdue(aware_at: datetime | None, now: datetime, *, notified_at: datetime | None = None,
               notify_decision: bool | None = None, closed: bool = False) -> bool:
    """Past the deadline with no notification sent, unless it was decided not to notify."""
    if not aware_at or notified_at or notify_decision is False or closed:
        return False
    return now > deadline(aware_at)


def running(aware_at, *, notified_at=None, notify_decision=None, closed=False) -> bool:
    """The clock matters: aware, not notified, not decided against, not closed."""
    return bool(aware_at) and not notified_at and notify_decision is not False and not closed


def due_reminders(aware_at: datetime | None, now: datetime, *, notified_at=None, notify_decision=None,
                  closed: bool = False, already_sent=()) -> list[str]:
    """Reminder kinds whose threshold has passed and that were not sent yet.

    Only the latest passed threshold is due: a breach registered 50 hours after
    awareness gets the 48-hour reminder, not the 24-hour one as well.
    """
    if not running(aware_at, notified_at=notified_at, notify_decision=notify_decision, closed=closed):
        return []
    if now > deadline(aware_at):
        return []  # overdue: the page and the dashboard say so; no more countdown mail
    passed = [kind for kind, after in REMINDERS.items() if now >= aware_at + after]
    if not passed:
        return []
    latest = passed[-1]
    return [] if latest in set(already_sent) else [latest]


def awareness_gap_too_long(discovered_at: datetime | None, aware_at: datetime | None) -> bool:
    return bool(discovered_at and aware_at and aware_at - discovered_at > AWARENESS_GAP)


@dataclass(frozen=True)
class ClockState:
    """What the clock says now. `code` is one of:

    no_clock      awareness not recorded yet
    running       within 72 hours, not notified yet
    overdue       past 72 hours, not notified, not decided against
    on_time       notified within 72 hours
    late          notified after 72 hours
    not_required  decided not to notify (unlikely to result in a risk)
    """

    code: str
    deadline: datetime | None
    remaining: timedelta | None
    elapsed: timedelta | None  # from awareness to now, or to the notification

    @property
    def hours_left(self) -> int | None:
        return None if self.remaining is None else int(self.remaining.total_seconds() // 3600)

    @property
    def label(self) -> str:
        """The state's name as an English msgid (translate it where it is shown)."""
        return LABELS[self.code]

    @property
    def tone(self) -> str:
        return TONES[self.code]


def state(aware_at: datetime | None, now: datetime, *, notified_at: datetime | None = None,
          notify_decision: bool | None = None, closed: bool = False) -> ClockState:
    end = deadline(aware_at)
    if not aware_at:
        return ClockState("no_clock", None, None, None)
    if notified_at:
        code = "late" if notified_late(aware_at, notified_at) else "on_time"
        return ClockState(code, end, None, notified_at - aware_at)
    if notify_decision is False:
        return ClockState("not_required", end, None, None)
    if closed:
        return ClockState("not_required", end, None, None)
    left = end - now
    return ClockState("overdue" if left < timedelta(0) else "running", end, left, now - aware_at)


def split(delta: timedelta) -> tuple[int, int, int]:
    """(days, hours, minutes) of an absolute duration, for display."""
    minutes = int(abs(delta).total_seconds() // 60)
    return minutes // 1440, (minutes % 1440) // 60, minutes % 60


def overdue_clause(aware_at, notified_at, notify_decision, status, now: datetime):
    """SQL form of `is_overdue` (state "overdue"), given the columns (e.g. Breach.aware_at, …)."""
    import sqlalchemy as sa

    return sa.and_(aware_at.is_not(None), aware_at < now - NOTIFY_WITHIN, notified_at.is_(None),
                   sa.or_(notify_decision.is_(None), notify_decision.is_(True)), status != "closed")


def running_clause(aware_at, notified_at, notify_decision, status, now: datetime):
    """SQL form of state "running": within the 72 hours (the deadline itself included), not
    notified, not decided against notifying, not closed."""
    import sqlalchemy as sa

    return sa.and_(aware_at.is_not(None), aware_at >= now - NOTIFY_WITHIN, notified_at.is_(None),
                   sa.or_(notify_decision.is_(None), notify_decision.is_(True)), status != "closed")
