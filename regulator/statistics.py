"""Anonymised sector statistics, published as snapshots.

From the registers' released metadata (never text, never a name): register entries and
notifications per period by type of incident, severity band, size class and region;
the time from awareness to notification; the share notified late. Every table is
counted together with the number of institutions behind each figure and passed through
`suppression.publish` (fewer than 5 institutions: withheld, with complementary
suppression), and only the published tables are stored (`StatisticsSnapshot`).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa

from lekwijzer.db import db, utcnow
from lekwijzer.models import Region
from tenants.oversight import register, stream
from tenants.oversight.quality import LATE_AFTER_HOURS

from . import suppression
from .models import StatisticsSnapshot

PERIODS_SHOWN = {"year": 6, "quarter": 8}

# The 25 incident types in the groups the AP reports on (tenants.register.enums order).
TYPE_GROUP = {
    **dict.fromkeys(["mail_misdelivered", "sent_by_mistake", "email_open_distribution",
                     "displayed_to_wrong_recipient", "wrong_data_subject_shown", "verbal_disclosure",
                     "unintended_publication"], "human_error"),
    **dict.fromkeys(["abuse_of_access_by_employee", "incorrect_access_permissions", "unauthorised_access_it",
                     "unauthorised_modification"], "access"),
    **dict.fromkeys(["hacking_malware", "ransomware", "phishing_social_engineering", "vulnerability_exploited",
                     "data_exfiltration", "misconfiguration", "technical_malfunction"], "cyber"),
    **dict.fromkeys(["device_lost_or_stolen", "paper_lost_stolen_insecure", "e_waste", "incorrect_paper_disposal",
                     "data_deleted_destroyed"], "physical"),
}
TYPE_GROUPS = ["human_error", "access", "cyber", "physical", "other"]
BANDS = ["low", "medium", "high", "very_high", "unknown"]
SIZE_CLASSES = ["lt50", "50_249", "250_999", "ge1000", "unknown"]
TTN_BUCKETS = ["le24", "le48", "le72", "le168", "gt168"]
DIMENSIONS = ("type", "severity", "size", "region")


def size_class(employees: int | None) -> str:
    if employees is None:
        return "unknown"
    if employees < 50:
        return "lt50"
    if employees < 250:
        return "50_249"
    if employees < 1000:
        return "250_999"
    return "ge1000"


def ttn_bucket(hours: float) -> str:
    for limit, name in ((24, "le24"), (48, "le48"), (72, "le72"), (168, "le168")):
        if hours <= limit:
            return name
    return "gt168"


def _period(moment: datetime, granularity: str) -> str:
    if granularity == "quarter":
        return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
    return str(moment.year)


def _records(granularity: str):
    """Stream one row per register entry: institution, dates, type, band (metadata only)."""
    b = register.breaches().subquery("b")
    n = register.notifications().subquery("n")
    first = (sa.select(n.c.tenant_id, n.c.breach_id, sa.func.min(n.c.submitted_at).label("notified_at"))
             .where(n.c.kind == "initial").group_by(n.c.tenant_id, n.c.breach_id).subquery("first"))
    inst = register.institutions().subquery("inst")
    stmt = (sa.select(b.c.tenant_id, b.c.aware_at, b.c.created_at, b.c.incident_type, b.c.severity_band,
                      first.c.notified_at, inst.c.employees, inst.c.region_code)
            .select_from(b.join(inst, inst.c.id == b.c.tenant_id)
                         .outerjoin(first, sa.and_(first.c.tenant_id == b.c.tenant_id,
                                                   first.c.breach_id == b.c.id))))
    yield from stream(stmt)


def compute(granularity: str = "year", now: datetime | None = None) -> dict:
    """Every published table, suppressed; nothing else leaves this function."""
    now = now or utcnow()
    counts = {dim: defaultdict(lambda: defaultdict(int)) for dim in DIMENSIONS}
    notes = {dim: defaultdict(lambda: defaultdict(int)) for dim in DIMENSIONS}
    ttn = defaultdict(lambda: defaultdict(int))
    late = defaultdict(lambda: defaultdict(int))
    periods, institutions = set(), set()
    for row in _records(granularity):
        moment = row.aware_at or row.created_at
        if moment is None:
            continue
        period = _period(moment, granularity)
        periods.add(period)
        institutions.add(row.tenant_id)
        values = {
            "type": TYPE_GROUP.get(row.incident_type, "other"),
            "severity": row.severity_band if row.severity_band in BANDS else "unknown",
            "size": size_class(row.employees),
            "region": row.region_code or "unknown",
        }
        for dim, value in values.items():
            counts[dim][(period, value)][row.tenant_id] += 1
        if row.notified_at is not None:
            notified_period = _period(row.notified_at, granularity)
            periods.add(notified_period)
            for dim, value in values.items():
                notes[dim][(notified_period, value)][row.tenant_id] += 1
            if row.aware_at is not None:
                hours = (row.notified_at - row.aware_at).total_seconds() / 3600
                ttn[(notified_period, ttn_bucket(max(hours, 0)))][row.tenant_id] += 1
                late[(notified_period, "late" if hours > LATE_AFTER_HOURS else "on_time")][row.tenant_id] += 1
    shown = sorted(periods)[-PERIODS_SHOWN[granularity]:]
    regions = sorted({value for (_p, value) in counts["region"]} | {value for (_p, value) in notes["region"]})
    columns = {"type": TYPE_GROUPS, "severity": BANDS, "size": SIZE_CLASSES, "region": regions}

    def table(source, cols):
        records = [(period, col, n, tenant) for (period, col), per in source.items() for tenant, n in per.items()]
        return suppression.publish(suppression.build(records, rows=shown, cols=cols))

    tables = {}
    for dim in DIMENSIONS:
        tables[f"breaches_by_{dim}"] = table(counts[dim], columns[dim])
        tables[f"notifications_by_{dim}"] = table(notes[dim], columns[dim])
    tables["time_to_notify"] = table(ttn, TTN_BUCKETS)
    tables["notified_late"] = table(late, ["on_time", "late"])
    region_names = dict(db.session.execute(sa.select(Region.code, Region.name)).all())
    return {"granularity": granularity, "computed_at": now.isoformat(), "institutions": len(institutions),
            "tables": tables, "region_names": {code: region_names.get(code, code) for code in regions}}


def refresh(granularity: str = "year") -> StatisticsSnapshot:
    """Compute and store a snapshot in the current (regulator) tenant. Caller commits."""
    result = compute(granularity)
    snapshot = StatisticsSnapshot(granularity=granularity, tables=result, institutions=result["institutions"])
    db.session.add(snapshot)
    return snapshot


def latest(granularity: str = "year") -> StatisticsSnapshot | None:
    return db.session.scalar(sa.select(StatisticsSnapshot).where(StatisticsSnapshot.granularity == granularity)
                             .order_by(StatisticsSnapshot.computed_at.desc()).limit(1))


def late_share(published: dict) -> list[tuple[str, float | None]]:
    """Share notified late per period, only where both figures are published."""
    out = []
    for i, period in enumerate(published["rows"]):
        late, total = published["cells"][i][1], published["row_totals"][i]
        out.append((period, None if late is None or not total else late / total))
    return out
