"""The period analysis and the effectiveness figures match counts made here from the raw rows.

The expected values are computed in this file with plain loops over the rows as stored
(read back through the ORM), dateutil for month arithmetic and zoneinfo for Dutch dates:
an independent second implementation of the rules written in tenants/learning/figures.py.
"""
from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from lekwijzer.db import db
from lekwijzer.tenancy import tenant_scope
from tests.learning.factory import seed_history

AMS = ZoneInfo("Europe/Amsterdam")
UTC = timezone.utc


def _raw():
    from tenants.register.models import ApNotification, Breach, Incident, Measure, SubjectCommunication

    return {
        "breaches": db.session.scalars(sa.select(Breach)).all(),
        "notes": db.session.scalars(sa.select(ApNotification)).all(),
        "comms": db.session.scalars(sa.select(SubjectCommunication)).all(),
        "measures": db.session.scalars(sa.select(Measure)).all(),
        "incidents": db.session.scalars(sa.select(Incident)).all(),
    }


def _in(start: date, end: date, moment) -> bool:
    if moment is None:
        return False
    day = moment.astimezone(AMS).date() if isinstance(moment, datetime) else moment
    return start <= day < end


def expected(raw, start: date, end: date, today: date) -> dict:
    """The figures of [start, end), counted the long way."""
    when = {b.id: (b.aware_at or b.created_at) for b in raw["breaches"]}
    breaches = [b for b in raw["breaches"] if _in(start, end, when[b.id])]
    initial, withdrawn = {}, set()
    for n in raw["notes"]:
        if n.kind == "initial":
            initial[n.breach_id] = min(initial.get(n.breach_id, n.submitted_at), n.submitted_at)
        if n.kind == "withdrawal":
            withdrawn.add(n.breach_id)
    notified = [b for b in breaches if b.id in initial and b.id not in withdrawn]
    late = [b for b in notified if b.aware_at is not None and (initial[b.id] - b.aware_at) > timedelta(hours=72)]
    hours = [(initial[b.id] - b.aware_at) / timedelta(hours=1) for b in notified if b.aware_at is not None]
    informed_ids = {c.breach_id for c in raw["comms"]}
    measures = [m for m in raw["measures"] if m.status != "cancelled"]
    cutoff = min(end, today)
    first_fix = {}
    for m in raw["measures"]:
        if m.status == "done" and m.target_incident_type not in (None, "tbd"):
            first_fix[m.target_incident_type] = min(first_fix.get(m.target_incident_type, m.done_at), m.done_at)
    recurring = [b for b in breaches if b.incident_type in first_fix and first_fix[b.incident_type] < when[b.id]]
    return {
        "total": len(breaches),
        "by_type": Counter(b.incident_type for b in breaches),
        "by_band": Counter(b.severity_band or "unassessed" for b in breaches),
        "notified_ap": len(notified),
        "notified_ap_late": len(late),
        "median_hours_to_ap": round(statistics.median(hours), 1) if hours else None,
        "informed_subjects": sum(1 for b in breaches if b.id in informed_ids),
        "measures_planned": sum(1 for m in measures if _in(start, end, m.created_at)),
        "measures_implemented": sum(1 for m in measures if m.status == "done" and _in(start, end, m.done_at)),
        "measures_late": sum(1 for m in measures if m.due_date is not None and start <= m.due_date < cutoff
                             and (m.done_at is None or m.done_at.astimezone(AMS).date() > m.due_date)),
        "recurrence": len(recurring),
        "non_breach_reports": sum(1 for i in raw["incidents"] if i.status == "not_breach"
                                  and _in(start, end, i.reported_at)),
    }


@pytest.fixture
def seeded(app, world):
    """Two and a half years of random history for institution A (and noise for B)."""
    with app.app_context():
        with tenant_scope(world.orgs["b"].id):
            seed_history(random.Random(99), datetime(2024, 1, 1, tzinfo=UTC), months=30)
        with tenant_scope(world.orgs["a"].id):
            seed_history(random.Random(7), datetime(2024, 1, 1, tzinfo=UTC), months=30)
    return world


@pytest.mark.parametrize("key,compare", [("2025-H2", 3), ("2025-H1", 1), ("2024-H2", 0)])
def test_half_year_figures_match_the_raw_rows(app, seeded, key, compare):
    from tenants.learning import analysis
    from tenants.learning.periods import Period

    today = date(2026, 11, 22)
    with app.app_context(), app.test_request_context(), tenant_scope(seeded.orgs["a"].id):
        raw = _raw()
        result = analysis.analyse(Period.parse_key(key), compare, today=today)
        assert len(result["periods"]) == compare + 1
        start = Period.parse_key(key).start
        for i, period in enumerate(result["periods"]):
            s = start - relativedelta(months=6 * i)
            e = s + relativedelta(months=6)
            assert (period["start"], period["end"]) == (s.isoformat(), e.isoformat())
            want = expected(raw, s, e, today)
            got = period["figures"]
            assert got["total"] == want["total"] > 0
            assert dict(map(tuple, got["by_type"])) == dict(want["by_type"])
            assert {k: v for k, v in got["by_band"].items() if v} == dict(want["by_band"])
            for name in ("notified_ap", "notified_ap_late", "median_hours_to_ap", "informed_subjects",
                         "measures_planned", "measures_implemented", "measures_late", "recurrence",
                         "non_breach_reports"):
                assert got[name] == want[name], name
            top = sorted(want["by_type"].items(), key=lambda kv: (-kv[1], kv[0]))[:3]
            assert [tuple(x) for x in got["top_types"]] == top


def test_most_figures_are_not_trivially_zero(app, seeded):
    """Guard for the test above: the seeded history exercises every figure."""
    from tenants.learning import analysis
    from tenants.learning.periods import Period

    with app.app_context(), app.test_request_context(), tenant_scope(seeded.orgs["a"].id):
        result = analysis.analyse(Period.parse_key("2025-H2"), 3, today=date(2026, 11, 22))
    sums = Counter()
    for period in result["periods"]:
        for name, value in period["figures"].items():
            if isinstance(value, (int, float)) and value:
                sums[name] += 1
    for name in ("notified_ap", "notified_ap_late", "informed_subjects", "measures_planned",
                 "measures_implemented", "measures_late", "recurrence", "non_breach_reports"):
        assert sums[name] >= 2, name


def test_a_custom_range_compares_with_the_same_number_of_days_before(app, seeded):
    from tenants.learning import analysis
    from tenants.learning.periods import Period

    today = date(2026, 11, 22)
    period = Period(date(2025, 3, 10), date(2025, 5, 20))
    with app.app_context(), app.test_request_context(), tenant_scope(seeded.orgs["a"].id):
        raw = _raw()
        result = analysis.analyse(period, 1, today=today)
        days = (period.end - period.start).days
        prev_start = period.start - timedelta(days=days)
        assert result["periods"][1]["start"] == prev_start.isoformat()
        assert result["periods"][0]["figures"]["total"] == expected(raw, period.start, period.end, today)["total"]
        assert result["periods"][1]["figures"]["total"] == expected(raw, prev_start, period.start, today)["total"]


def test_effectiveness_before_and_after_match_the_raw_rows(app, seeded):
    from tenants.learning import analysis

    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    with app.app_context(), app.test_request_context(), tenant_scope(seeded.orgs["a"].id):
        raw = _raw()
        for window in (3, 6, 12):
            rows = {r["measure_id"]: r for r in analysis.effectiveness(window, now=now)}
            targeted = [m for m in raw["measures"] if m.status == "done" and m.done_at is not None
                        and m.target_incident_type not in (None, "tbd")]
            assert targeted and set(rows) == {str(m.id) for m in targeted}
            for m in targeted:
                r = rows[str(m.id)]
                before_from = m.done_at - relativedelta(months=window)
                after_until = min(m.done_at + relativedelta(months=window), now)
                of_type = [b.aware_at or b.created_at for b in raw["breaches"]
                           if b.incident_type == m.target_incident_type]
                before = sum(1 for w in of_type if before_from <= w < m.done_at)
                after = sum(1 for w in of_type if m.done_at <= w < after_until)
                assert (r["before"], r["after"]) == (before, after), (window, m.title)
                assert r["window_complete"] == (m.done_at + relativedelta(months=window) <= now)
                per_month = before / ((m.done_at - before_from) / timedelta(days=365.25 / 12))
                assert r["before_rate"] == pytest.approx(per_month, abs=0.01)
                if not r["window_complete"]:
                    assert r["suggestion"] == "too_early"


def test_breaches_count_in_the_half_year_of_dutch_local_time(app, world):
    """A breach noticed at 00:30 on 1 July in Amsterdam (22:30 UTC on 30 June) is in H2."""
    from tenants.learning import analysis
    from tenants.learning.periods import Period
    from tenants.register.models import Breach

    with app.app_context(), app.test_request_context(), tenant_scope(world.orgs["a"].id):
        db.session.add(Breach(reference="DL-1", title="t", incident_type="sent_by_mistake",
                              aware_at=datetime(2025, 6, 30, 22, 30, tzinfo=UTC)))
        db.session.flush()
        result = analysis.analyse(Period.parse_key("2025-H2"), 1, today=date(2026, 1, 5))
    assert [p["figures"]["total"] for p in result["periods"]] == [1, 0]


# --- The reporting note -----------------------------------------------------------------

def _breaches(n, day, kind="sent_by_mistake"):
    from tenants.register.models import Breach
    from tenants.register.service import refresh_many

    added = [Breach(reference=f"R-{random.random()}", title="t", incident_type=kind,
                    aware_at=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=10)) for _ in range(n)]
    db.session.add_all(added)
    db.session.flush()
    refresh_many([b.id for b in added])  # the derived columns, as the breach workflow keeps them


def _non_breach_reports(n, day):
    from tenants.register.models import Incident

    for _ in range(n):
        db.session.add(Incident(what_happened="x", status="not_breach",
                                reported_at=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9)))


def _note(today=date(2026, 1, 10)):
    from tenants.learning import analysis
    from tenants.learning.periods import Period

    return analysis.analyse(Period.parse_key("2025-H2"), 1, today=today)["note"]


def test_no_note_for_a_jump_without_a_change_in_reporting(app, world):
    with app.app_context(), app.test_request_context(), tenant_scope(world.orgs["a"].id):
        _breaches(4, date(2025, 3, 1))
        _breaches(10, date(2025, 9, 1))
        db.session.flush()
        note = _note()
    assert note["significant_change"] and not note["shown"] and note["reasons"] == []


def test_note_when_a_jump_follows_an_awareness_campaign(app, world):
    from tenants.learning.models import ReportingEvent

    with app.app_context(), app.test_request_context(), tenant_scope(world.orgs["a"].id):
        _breaches(4, date(2025, 3, 1))
        _breaches(10, date(2025, 9, 1))
        db.session.add(ReportingEvent(occurred_on=date(2025, 7, 15), kind="awareness_campaign"))
        db.session.flush()
        note = _note()
    assert note["shown"] and note["reasons"] == ["event"] and note["change"] == 6 and note["change_pct"] == 150


def test_note_when_non_breach_reports_rise_with_the_breaches(app, world):
    with app.app_context(), app.test_request_context(), tenant_scope(world.orgs["a"].id):
        _breaches(6, date(2025, 3, 1))
        _breaches(12, date(2025, 9, 1))
        _non_breach_reports(4, date(2025, 4, 1))
        _non_breach_reports(9, date(2025, 10, 1))
        db.session.flush()
        note = _note()
    assert note["shown"] and note["reasons"] == ["intake"]


def test_note_when_a_policy_was_adopted_but_not_for_small_or_unrelated_changes(app, world):
    from tenants.learning.models import ReportingPolicy

    with app.app_context(), app.test_request_context(), tenant_scope(world.orgs["a"].id):
        db.session.add(ReportingPolicy(version_label="2.0", adopted_on=date(2025, 2, 1), adopted_by_body="board",
                                       fg_involved=True, decision_role="board", next_review_on=date(2026, 2, 1)))
        _breaches(4, date(2025, 3, 1))
        _breaches(6, date(2025, 9, 1))  # +2: too small to call a change
        _non_breach_reports(3, date(2025, 4, 1))
        _non_breach_reports(0, date(2025, 10, 1))
        db.session.flush()
        small = _note()
        _breaches(4, date(2025, 9, 2))  # now 4 -> 10
        db.session.flush()
        big = _note()
    assert not small["shown"]
    # The policy counts; the fall in non-breach reports goes the other way, so it does not.
    assert big["shown"] and big["reasons"] == ["policy"]


# --- Small cells --------------------------------------------------------------------------

def test_small_cells_are_hidden_and_cannot_be_worked_back_from_a_total():
    from tenants.learning.figures import suppress_cells

    cells = {"a": 3, "b": 10, "c": 7, "t": 20}
    shown = suppress_cells(cells, [(["a", "b", "c"], "t")])
    assert shown["a"] is None  # primary
    assert shown["c"] is None and shown["b"] == 10 and shown["t"] == 20  # c hidden too: 20 - 10 - ? stays unknown
    assert suppress_cells({"a": 0, "b": 5, "t": 5}, [(["a", "b"], "t")]) == {"a": 0, "b": 5, "t": 5}
    # Across two linked tables (rows and columns), hiding spreads until nothing can be derived.
    cells = {("x", 1): 2, ("x", 2): 8, ("x", "t"): 10, ("y", 1): 6, ("y", 2): 9, ("y", "t"): 15,
             ("t", 1): 8, ("t", 2): 17, ("t", "t"): 25}
    rows = [([("x", 1), ("x", 2)], ("x", "t")), ([("y", 1), ("y", 2)], ("y", "t")), ([("t", 1), ("t", 2)], ("t", "t"))]
    cols = [([("x", 1), ("y", 1)], ("t", 1)), ([("x", 2), ("y", 2)], ("t", 2)), ([("x", "t"), ("y", "t")], ("t", "t"))]
    shown = suppress_cells(cells, rows + cols)
    for parts, margin in rows + cols:
        hidden = [k for k in parts + [margin] if shown[k] is None]
        assert len(hidden) != 1, (parts, margin)
    assert shown[("x", 1)] is None
