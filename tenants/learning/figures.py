"""The PDCA figures, computed from plain rows (no database, no Flask).

The same functions serve the institution's own pages and board report (rows read in its
tenant) and the commissioner portal (rows read on an oversight session, codes and dates
only), so a figure means the same everywhere. The rules, in one place:

* A breach belongs to the period in which the institution became aware of it
  (`aware_at`; the creation time of the entry while that is not recorded), in Dutch time.
* Notified to the AP: the breach has an initial AP notification and no withdrawal.
  Late: that initial notification came more than 72 hours after awareness. Median hours:
  awareness to the initial notification, over the notified breaches with an awareness time.
* Measures: planned = created in the period (not cancelled); implemented = done in the
  period; late = due in the period before today and not done by its due date (cancelled
  measures never count).
* Recurrence: a breach of a type that an implemented measure targeted, after that
  measure was implemented.
* The reporting note (see `reporting_note`).
* Effectiveness (see `effectiveness`).
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .periods import Period, add_months, local_date

LATE_AFTER = timedelta(hours=72)
HIGH_BANDS = ("high", "very_high")
BANDS = ("low", "medium", "high", "very_high", "unassessed")
MONTH_DAYS = 365.25 / 12
NOT_A_TYPE = ("", "tbd")
# Reporting note: a change of at least half, and of at least this many breaches.
NOTE_MIN_CHANGE = 3
NOTE_MIN_RATIO = 0.5
SMALL_CELL = 5
WORKED_RATIO = 0.75  # the suggestion "worked": the rate fell by at least a quarter


@dataclass(frozen=True)
class BreachRow:
    id: object
    incident_type: str
    severity_band: str | None
    severity_score: float | None
    risk_outcome: str | None
    aware_at: datetime | None
    created_at: datetime

    @property
    def when(self) -> datetime:
        return self.aware_at or self.created_at


@dataclass(frozen=True)
class MeasureRow:
    id: object
    status: str
    created_at: datetime
    due_date: date | None
    done_at: datetime | None
    target_incident_type: str | None


@dataclass
class Dataset:
    """Everything the figures are computed from, for one institution."""

    breaches: list[BreachRow] = field(default_factory=list)
    first_initial: dict = field(default_factory=dict)  # breach id -> first initial AP notification time
    withdrawn: set = field(default_factory=set)  # breach ids with a withdrawn notification
    informed: set = field(default_factory=set)  # breach ids with a communication to the people affected
    measures: list[MeasureRow] = field(default_factory=list)
    non_breach_reports: list[datetime] = field(default_factory=list)  # incidents triaged as "no breach"
    policy_dates: list[date] = field(default_factory=list)  # adoption dates of policy versions
    event_dates: list[date] = field(default_factory=list)  # recorded changes in reporting


def _sorted_counts(counter: Counter) -> list[list]:
    return [[key, n] for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def period_figures(period: Period, ds: Dataset, today: date) -> dict:
    """The figures of one period (JSON-ready: the board report freezes them)."""
    breaches = [b for b in ds.breaches if period.contains(b.when)]
    by_type = Counter(b.incident_type or "tbd" for b in breaches)
    by_band = Counter(b.severity_band or "unassessed" for b in breaches)

    risk: dict[str, list] = {}
    for b in breaches:
        entry = risk.setdefault(b.incident_type or "tbd", [0, None])
        if b.severity_band in HIGH_BANDS or b.risk_outcome == "high_risk":
            entry[0] += 1
        if b.severity_score is not None:
            entry[1] = b.severity_score if entry[1] is None else max(entry[1], b.severity_score)
    ranked = sorted(((t, n, s) for t, (n, s) in risk.items() if n or s is not None),
                    key=lambda x: (-x[1], -(x[2] or 0), x[0]))

    notified = [b for b in breaches if b.id in ds.first_initial and b.id not in ds.withdrawn]
    hours = [(ds.first_initial[b.id] - b.aware_at).total_seconds() / 3600 for b in notified if b.aware_at]
    late = [b for b in notified if b.aware_at and ds.first_initial[b.id] - b.aware_at > LATE_AFTER]

    cutoff = min(period.end, today)
    live = [m for m in ds.measures if m.status != "cancelled"]
    planned = [m for m in live if period.contains(m.created_at)]
    implemented = [m for m in live if m.status == "done" and period.contains(m.done_at)]
    late_measures = [m for m in live if m.due_date and period.start <= m.due_date < cutoff
                     and (m.done_at is None or local_date(m.done_at) > m.due_date)]

    first_done: dict[str, datetime] = {}
    for m in ds.measures:
        if m.status == "done" and m.done_at and m.target_incident_type not in (None, *NOT_A_TYPE):
            t = m.target_incident_type
            first_done[t] = min(first_done.get(t, m.done_at), m.done_at)
    recurring = [b for b in breaches if b.incident_type in first_done and first_done[b.incident_type] < b.when]

    return {
        "total": len(breaches),
        "by_type": _sorted_counts(by_type),
        "by_band": {band: by_band.get(band, 0) for band in BANDS} | {
            k: v for k, v in by_band.items() if k not in BANDS},
        "top_types": _sorted_counts(by_type)[:3],
        "high_risk_types": [[t, n, s] for t, n, s in ranked[:3]],
        "notified_ap": len(notified),
        "notified_ap_late": len(late),
        "median_hours_to_ap": round(statistics.median(hours), 1) if hours else None,
        "informed_subjects": sum(1 for b in breaches if b.id in ds.informed),
        "measures_planned": len(planned),
        "measures_implemented": len(implemented),
        "measures_late": len(late_measures),
        "recurrence": len(recurring),
        "recurrence_by_type": _sorted_counts(Counter(b.incident_type for b in recurring)),
        "non_breach_reports": sum(1 for t in ds.non_breach_reports if period.contains(t)),
    }


def _changed(now: int, before: int) -> bool:
    diff = now - before
    return abs(diff) >= NOTE_MIN_CHANGE and (before == 0 or abs(diff) / before >= NOTE_MIN_RATIO)


def reporting_note(current: Period, previous: Period, cur: dict, prev: dict, ds: Dataset) -> dict:
    """Does a change in the figures perhaps come from a change in reporting?

    The rule: the number of breaches changed by at least half (and by at least three)
    compared with the previous period, AND at least one of these happened between the
    start of the previous period and the end of this one:
    (policy) a version of the reporting policy was adopted;
    (event) a change in reporting was recorded (awareness campaign, training, a new way
    to report, a change in registration);
    (intake) reports of security incidents that turned out not to be breaches changed by
    at least half (and by at least three) in the same direction — people report more,
    or less, readily.
    """
    diff = cur["total"] - prev["total"]
    reasons = []
    if any(previous.start <= d < current.end for d in ds.policy_dates):
        reasons.append("policy")
    if any(previous.start <= d < current.end for d in ds.event_dates):
        reasons.append("event")
    intake_diff = cur["non_breach_reports"] - prev["non_breach_reports"]
    if _changed(cur["non_breach_reports"], prev["non_breach_reports"]) and intake_diff * diff > 0:
        reasons.append("intake")
    significant = _changed(cur["total"], prev["total"])
    return {
        "shown": bool(significant and reasons),
        "significant_change": significant,
        "reasons": reasons,
        "change": diff,
        "change_pct": round(100 * diff / prev["total"]) if prev["total"] else None,
    }


def effectiveness(ds: Dataset, window_months: int, now: datetime) -> list[dict]:
    """For every implemented measure aimed at a breach type: that type's rate before and after.

    Before: the `window_months` before the measure was implemented; after: the same
    length from then on, up to now. Rates are breaches per month. The suggestion is only
    a starting point for the recorded judgement: "too early" while the after-window has
    not fully passed, "worked" when the rate fell by at least a quarter, "did not work"
    otherwise, and none when there were no breaches of the type in either window.
    """
    out = []
    for m in ds.measures:
        t = m.target_incident_type
        if m.status != "done" or m.done_at is None or t in (None, *NOT_A_TYPE):
            continue
        before_start = add_months(m.done_at, -window_months)
        after_end = add_months(m.done_at, window_months)
        after_until = min(after_end, now)
        of_type = [b.when for b in ds.breaches if b.incident_type == t]
        before = sum(1 for w in of_type if before_start <= w < m.done_at)
        after = sum(1 for w in of_type if m.done_at <= w < after_until)
        before_days = (m.done_at - before_start).total_seconds() / 86400
        after_days = max(0.0, (after_until - m.done_at).total_seconds() / 86400)
        before_rate = before / (before_days / MONTH_DAYS)
        after_rate = after / (after_days / MONTH_DAYS) if after_days >= 1 else None
        complete = after_until >= after_end
        if not complete:
            suggestion = "too_early"
        elif before == 0 and after == 0:
            suggestion = None
        elif after_rate is not None and after_rate <= before_rate * WORKED_RATIO:
            suggestion = "worked"
        else:
            suggestion = "did_not_work"
        out.append({
            "measure_id": str(m.id), "incident_type": t, "done_at": m.done_at.isoformat(),
            "window_months": window_months, "before": before, "after": after,
            "before_days": round(before_days), "after_days": round(after_days),
            "before_rate": round(before_rate, 2), "after_rate": None if after_rate is None else round(after_rate, 2),
            "window_complete": complete, "suggestion": suggestion,
        })
    out.sort(key=lambda e: e["done_at"], reverse=True)
    return out


def analyse(period: Period, compare: int, ds: Dataset, today: date) -> dict:
    """The period and `compare` periods before it, with the reporting note (JSON-ready)."""
    periods = period.history(compare)
    figures = [period_figures(p, ds, today) for p in periods]
    note = (reporting_note(periods[0], periods[1], figures[0], figures[1], ds)
            if len(periods) > 1 else {"shown": False, "significant_change": False, "reasons": [],
                                      "change": None, "change_pct": None})
    open_overdue = sum(1 for m in ds.measures if m.status in ("planned", "in_progress")
                       and m.due_date is not None and m.due_date < today)
    return {
        "periods": [{"key": p.key, "start": p.start.isoformat(), "end": p.end.isoformat(),
                     "short": p.short_label(), "figures": f} for p, f in zip(periods, figures)],
        "note": note,
        "open_overdue_measures": open_overdue,
        "today": today.isoformat(),
    }


# --- Small cells --------------------------------------------------------------------------

def suppress_cells(cells: dict, constraints: list[tuple[list, object]]) -> dict:
    """Hide counts of 1 to 4, and enough others that they cannot be worked back out.

    `cells` maps a cell id to a count; each constraint says that the cells in its list add
    up to its margin cell. Primary suppression hides 1..4; then, as long as some
    constraint has exactly one hidden cell (which its margin would give away), the
    smallest visible non-zero cell of that constraint is hidden too. Returns cell id ->
    count, or None when hidden.
    """
    hidden = {k for k, v in cells.items() if 0 < v < SMALL_CELL}
    changed = True
    while changed:
        changed = False
        for parts, margin in constraints:
            members = list(parts) + [margin]
            unknown = [k for k in members if k in hidden]
            if len(unknown) != 1:
                continue
            candidates = sorted((cells[k], str(k)) for k in members if k not in hidden and cells[k] > 0)
            if not candidates:
                continue
            by_name = {str(k): k for k in members}
            hidden.add(by_name[candidates[0][1]])
            changed = True
    return {k: (None if k in hidden else v) for k, v in cells.items()}
