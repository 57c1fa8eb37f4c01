"""Sector benchmarking: each institution's figures beside the sector's distribution.

`institution_figures` computes the figures of any set of institutions from released
metadata (the same code for the sector and for one institution's own row, so they are
comparable). `refresh_sector` stores only the sector's percentiles, and only where at
least `MIN_INSTITUTIONS` institutions have a figure (`SectorBenchmark`, a shared table
every institution may read). Nothing stored names or counts an institution.

Figures over the twelve months before the computation:
* notifications per 100 employees and per 1,000 clients (initial AP notifications);
* completeness: the average completeness of register entries (tenants.oversight.quality);
* median hours from awareness to notification;
* measures on time: the share of measures due in the window that were done by their due date;
* recurrence: the share of entries whose type of incident already occurred at the same
  institution in the twelve months before.
"""
from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from lekwijzer.db import UTCDateTime, db, utcnow

from . import register, stream
from .models import SectorBenchmark
from .sqlfuncs import hours_between

MIN_INSTITUTIONS = 5
WINDOW = timedelta(days=365)
METRICS = ("notifications_per_100_employees", "notifications_per_1000_clients", "completeness",
           "median_hours_to_notify", "measures_on_time", "recurrence")
LOWER_IS_BETTER = {"median_hours_to_notify", "recurrence"}
NOT_BETTER_OR_WORSE = {"notifications_per_100_employees", "notifications_per_1000_clients"}


def _dt(value: datetime):
    return sa.literal(value, type_=UTCDateTime())


def institution_figures(institution_ids=None, now: datetime | None = None) -> dict[uuid.UUID, dict]:
    """{institution id: {metric: value or None}} over the twelve months before `now`."""
    now = now or utcnow()
    start = now - WINDOW
    inst = register.institutions().subquery("inst")
    ids = None if institution_ids is None else list(institution_ids)

    def only(column):
        return sa.true() if ids is None else column.in_(ids)

    people = {row.id: row for row in stream(sa.select(inst).where(only(inst.c.id)))}
    figures = {i: dict.fromkeys(METRICS) for i in people}

    b = register.breaches().subquery("b")
    n = register.notifications().subquery("n")
    anchor = sa.func.coalesce(b.c.aware_at, b.c.created_at)
    first = (sa.select(n.c.tenant_id, n.c.breach_id, sa.func.min(n.c.submitted_at).label("at"))
             .where(n.c.kind == "initial", only(n.c.tenant_id)).group_by(n.c.tenant_id, n.c.breach_id)
             .subquery("first"))
    notified = defaultdict(int)
    hours = defaultdict(list)
    for row in stream(sa.select(first.c.tenant_id, hours_between(b.c.aware_at, first.c.at).label("hours"))
                      .select_from(first.join(b, sa.and_(b.c.tenant_id == first.c.tenant_id,
                                                         b.c.id == first.c.breach_id)))
                      .where(first.c.at >= _dt(start), first.c.at < _dt(now))):
        notified[row.tenant_id] += 1
        if row.hours is not None:
            hours[row.tenant_id].append(max(float(row.hours), 0.0))
    for i, row in people.items():
        count = notified.get(i, 0)
        if row.employees:
            figures[i]["notifications_per_100_employees"] = round(count * 100 / row.employees, 2)
        if row.clients_per_year:
            figures[i]["notifications_per_1000_clients"] = round(count * 1000 / row.clients_per_year, 2)
        if hours.get(i):
            figures[i]["median_hours_to_notify"] = round(statistics.median(hours[i]), 1)

    q = register.quality().subquery("q")
    for row in stream(sa.select(b.c.tenant_id, sa.func.avg(q.c.completeness).label("avg"))
                      .select_from(b.join(q, sa.and_(q.c.tenant_id == b.c.tenant_id, q.c.breach_id == b.c.id)))
                      .where(only(b.c.tenant_id), anchor >= _dt(start), anchor < _dt(now))
                      .group_by(b.c.tenant_id)):
        if row.tenant_id in figures and row.avg is not None:
            figures[row.tenant_id]["completeness"] = round(float(row.avg), 1)

    m = register.measures().subquery("m")
    due, on_time = defaultdict(int), defaultdict(int)
    today = now.date()
    for row in stream(sa.select(m.c.tenant_id, m.c.due_date, m.c.done_at, m.c.status)
                      .where(only(m.c.tenant_id), m.c.due_date.is_not(None), m.c.status != "cancelled",
                             m.c.due_date >= start.date(), m.c.due_date <= today)):
        due[row.tenant_id] += 1
        if row.done_at is not None and row.done_at.date() <= row.due_date:
            on_time[row.tenant_id] += 1
    for i, total in due.items():
        if i in figures:
            figures[i]["measures_on_time"] = round(on_time[i] * 100 / total, 1)

    earlier = b.alias("earlier")
    earlier_anchor = sa.func.coalesce(earlier.c.aware_at, earlier.c.created_at)
    repeated = sa.exists().where(
        earlier.c.tenant_id == b.c.tenant_id, earlier.c.incident_type == b.c.incident_type, earlier.c.id != b.c.id,
        earlier_anchor < anchor, hours_between(earlier_anchor, anchor) <= WINDOW.days * 24)
    for row in stream(sa.select(b.c.tenant_id, sa.func.count().label("n"),
                                sa.func.sum(sa.case((repeated, 1), else_=0)).label("again"))
                      .where(only(b.c.tenant_id), anchor >= _dt(start), anchor < _dt(now),
                             b.c.incident_type.not_in(["tbd", "other"]))
                      .group_by(b.c.tenant_id)):
        if row.tenant_id in figures and row.n:
            figures[row.tenant_id]["recurrence"] = round(float(row.again or 0) * 100 / row.n, 1)
    return figures


def quantile(ordered: list, p: float) -> float:
    """The p-quantile of sorted values, interpolated linearly between neighbours."""
    position = p * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def percentiles(values) -> dict | None:
    ordered = sorted(v for v in values if v is not None)
    if len(ordered) < MIN_INSTITUTIONS:
        return None

    def at(p):
        return round(quantile(ordered, p), 1)

    return {"institutions": len(ordered), "p10": at(0.1), "p25": at(0.25), "p50": at(0.5), "p75": at(0.75),
            "p90": at(0.9)}


def refresh_sector(now: datetime | None = None) -> int:
    """Recompute the sector's percentiles (shared table). Returns how many were stored."""
    now = now or utcnow()
    figures = institution_figures(None, now)
    db.session.execute(sa.delete(SectorBenchmark))
    stored = 0
    for metric in METRICS:
        spread = percentiles(f[metric] for f in figures.values())
        if spread is None:
            continue
        db.session.add(SectorBenchmark(metric=metric, computed_at=now, period_from=(now - WINDOW).date(),
                                       period_until=now.date(), **spread))
        stored += 1
    return stored


def sector() -> dict[str, SectorBenchmark]:
    return {row.metric: row for row in db.session.scalars(sa.select(SectorBenchmark))}


def position(value, spread: SectorBenchmark | None) -> str | None:
    """Where a value sits in the sector's published distribution (no other institution's figure)."""
    if value is None or spread is None:
        return None
    if value < spread.p10:
        return "below_p10"
    if value < spread.p25:
        return "p10_p25"
    if value <= spread.p75:
        return "p25_p75"
    if value <= spread.p90:
        return "p75_p90"
    return "above_p90"


def window(now: datetime | None = None) -> tuple[date, date]:
    now = now or utcnow()
    return (now - WINDOW).date(), now.date()
