"""What the nightly steps share: this run's findings and their merge into the kept ones.

Two steps of the nightly job write findings, each in its own transaction on the oversight
role (the regulator's workspace: `tenants.oversight.workspace`): the reconciliation
(`reconcile.py`: what the AP received against the registers) and the register-quality
review (`review.py`: each register as a whole). Each collects its findings in a temporary
table (`rc_current`) and merges them into `reconciliation_finding`, resolving only findings
of its own kinds: one step never resolves what the other found.
"""
from __future__ import annotations

import time as clock
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from lekwijzer.db import UTCDateTime
from tenants.oversight import register, workspace
from tenants.oversight.models import ReconciliationFinding
from tenants.oversight.sqlfuncs import new_uuid

_tmp = {"prefixes": ["TEMPORARY"], "postgresql_on_commit": "DROP"}

# Settings of each step's transaction on PostgreSQL (bench/reconcile_bench.py gives its bare
# join the same, so that the two stay comparable). No JIT compilation: each statement reads
# every row once, and compiling the large plans (inlining, optimising: ~0.5 s each, 1.5 s a
# run at a million rows) never paid back.
SESSION_SETTINGS = {"jit": "off"}


def session_settings() -> list[str]:
    """The statements that apply SESSION_SETTINGS to the current transaction."""
    return [f"SET LOCAL {name} = '{value}'" for name, value in SESSION_SETTINGS.items()]


def temporary(name: str, metadata: sa.MetaData, *columns) -> sa.Table:
    """A working table of one step's transaction, dropped at its end."""
    return sa.Table(name, metadata, *columns, **_tmp)


FOUND = sa.MetaData()
current_t = temporary(
    "rc_current", FOUND,
    sa.Column("finding_key", sa.String(255)), sa.Column("kind", sa.String(48)),
    sa.Column("institution_id", sa.Uuid), sa.Column("ap_reference", sa.String(64)),
    sa.Column("breach_id", sa.Uuid), sa.Column("match_method", sa.String(48)),
    sa.Column("detail", sa.String(200)), sa.Column("hours", sa.Float),
    sa.Column("anchor_at", UTCDateTime()), sa.Column("notifications", sa.Integer))
diff_t = temporary(
    "rc_diff", FOUND, *[sa.Column(c.name, c.type) for c in current_t.c],
    sa.Column("kept_id", sa.Uuid), sa.Column("kept_status", sa.String(48)), sa.Column("kept_anchor", UTCDateTime()),
    sa.Column("changed", sa.Integer))
ATTRIBUTES = ("breach_id", "match_method", "detail", "hours", "anchor_at", "notifications")


@dataclass
class Merged:
    """What one step's merge changed, and how many findings of each kind it found."""
    counts: dict = field(default_factory=dict)
    new: int = 0
    resolved: int = 0
    new_by_institution: dict = field(default_factory=dict)


def key(*parts):
    """'kind|part|part…' built in SQL (UUIDs cast to text, NULLs as empty)."""
    expr = None
    for part in parts:
        if isinstance(part, str):
            piece = sa.literal(part)
        elif isinstance(part.type, sa.String):
            piece = sa.func.coalesce(part, "")
        else:
            piece = sa.func.coalesce(sa.cast(part, sa.String), "")
        expr = piece if expr is None else expr + sa.literal("|") + piece
    return expr


def codes(values: list[str], name: str):
    """A tiny table of codes (SELECT 'a' UNION ALL SELECT 'b' …) to cross join with."""
    return sa.union_all(*[sa.select(sa.literal(code, sa.String(48)).label("code")) for code in values]).subquery(name)


def when(value: datetime):
    return sa.literal(value, type_=UTCDateTime())


def yes(flag):
    return sa.func.coalesce(flag, sa.false()).is_(sa.true())


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


class FindingsStep:
    """One step of a run that writes findings of `KINDS`, in one transaction of the
    regulator's workspace. Subclasses list their statements in `steps()`; `run()` times
    each (the benchmark prints them)."""

    KINDS: tuple[str, ...] = ()
    TEMP: sa.MetaData = sa.MetaData()
    OUTCOME: type[Merged] = Merged

    def __init__(self, ws, regulator_id: uuid.UUID, run_id: uuid.UUID, period_from: date, period_until: date,
                 now: datetime):
        self.ws, self.reg, self.run_id, self.now = ws, regulator_id, run_id, now
        self.p_from, self.p_until = _start(period_from), _start(period_until + timedelta(days=1))
        self.inst = register.institutions().subquery("inst")
        self.merged = self.OUTCOME()
        self.timings: dict[str, float] = {}

    # -- helpers ------------------------------------------------------------------------------

    def in_period(self, column):
        return sa.and_(column >= when(self.p_from), column < when(self.p_until))

    def execute(self, stmt, params=None):
        return self.ws.execute(stmt, params)

    def scoped(self, column):
        """Institutions that can be supervised: active, with a KvK number."""
        return column.in_(sa.select(self.inst.c.id).where(self.inst.c.kvk.is_not(None)))

    def analyze(self, *tables) -> None:
        if self.ws.dialect == "postgresql":
            for table in tables:
                self.ws.run_ddl(sa.text(f"ANALYZE {table.name}"))

    def insert(self, table: sa.Table, select: sa.Select, names=None) -> int:
        names = names or [c.name for c in table.c]
        return self.execute(sa.insert(table).from_select(names, select)).rowcount or 0

    @staticmethod
    def finding(kind, finding_key, *, institution, reference=None, breach=None, method=None, detail=None,
                hours=None, anchor=None, notifications=None) -> list:
        """The select list of one finding row; missing values become NULLs of the right type."""
        values = [finding_key, sa.literal(kind) if isinstance(kind, str) else kind, institution, reference, breach,
                  method, sa.literal(detail) if isinstance(detail, str) else detail, hours, anchor, notifications]
        return [sa.cast(sa.null(), column.type) if value is None else value
                for value, column in zip(values, current_t.c)]

    def index(self, indexes) -> None:
        for name, table, columns, unique in indexes:
            self.ws.run_ddl(sa.text(f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON {table} ({columns})"))

    def tables(self) -> list[sa.Table]:
        """This step's working tables: the findings table and its own."""
        return [*FOUND.sorted_tables, *self.TEMP.sorted_tables]

    def prepare(self) -> None:
        conn = self.ws.session.connection()
        if self.ws.dialect == "postgresql":
            # One step of this regulator at a time (a second waits, then merges).
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"findings:{self.reg}"})
            for statement in session_settings():
                conn.execute(sa.text(statement))
        for table in self.tables():
            table.drop(conn, checkfirst=True)
            table.create(conn)

    def drop_tables(self) -> None:
        conn = self.ws.session.connection()
        for table in reversed(self.tables()):
            table.drop(conn, checkfirst=True)

    # -- the merge into the kept findings (of this step's kinds only) -------------------------------

    def diff(self) -> None:
        """One pass: this run's findings beside the kept ones of this step's kinds (FULL JOIN
        on the key), keeping only what must be written — new, reappeared, changed, or open but
        no longer found. On a night when nothing changed that is almost nothing, so the merge
        reads a tiny table instead of a second copy of every finding."""
        f, c = ReconciliationFinding.__table__, current_t
        kept = (sa.select(f.c.id, f.c.finding_key, f.c.status, f.c.anchor_at, *[f.c[name] for name in ATTRIBUTES])
                .where(f.c.tenant_id == self.reg, f.c.kind.in_(self.KINDS)).subquery("kept"))
        found, known = c.c.finding_key.is_not(None), kept.c.id.is_not(None)
        changed = sa.and_(found, known, sa.or_(*[c.c[name].is_distinct_from(kept.c[name]) for name in ATTRIBUTES]))
        gone = sa.and_(sa.not_(found), kept.c.status == "open",
                       sa.or_(kept.c.anchor_at.is_(None), self.in_period(kept.c.anchor_at)))
        select = (sa.select(*c.c, kept.c.id, kept.c.status, kept.c.anchor_at, sa.case((changed, 1), else_=0))
                  .select_from(c.outerjoin(kept, kept.c.finding_key == c.c.finding_key, full=True))
                  .where(sa.or_(sa.not_(known), sa.and_(found, kept.c.status == "resolved"), changed, gone)))
        self.insert(diff_t, select)

    def merge(self) -> None:
        """Write only the differences; on a night when nothing changed, almost nothing runs."""
        f, x = ReconciliationFinding.__table__, diff_t
        mine = f.c.tenant_id == self.reg
        found = x.c.finding_key.is_not(None)

        def count_if(condition):
            return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

        summary = self.execute(sa.select(
            count_if(x.c.kept_id.is_(None)).label("new"),
            count_if(sa.and_(found, x.c.kept_status == "resolved")).label("back"),
            count_if(x.c.changed == 1).label("changed"), count_if(sa.not_(found)).label("gone"))).one()
        inserted = 0
        if summary.new:
            inserted = self.insert(f, sa.select(
                sa.literal(self.reg, sa.Uuid), new_uuid(), x.c.finding_key, x.c.kind, x.c.institution_id,
                x.c.ap_reference, x.c.breach_id, x.c.match_method, x.c.detail, x.c.hours, x.c.anchor_at,
                x.c.notifications, sa.literal("open"), sa.literal(self.run_id, sa.Uuid), when(self.now), sa.literal(0))
                .where(x.c.kept_id.is_(None)), names=[
                "tenant_id", "id", "finding_key", "kind", "institution_id", "ap_reference", "breach_id",
                "match_method", "detail", "hours", "anchor_at", "notifications", "status", "first_seen_run_id",
                "first_seen_at", "reopened"])
        if summary.back:  # reappeared: reopened, same finding, history kept
            self.execute(sa.update(f).where(mine, f.c.id == x.c.kept_id, found, x.c.kept_status == "resolved")
                         .values(status="open", resolved_run_id=None, resolved_at=None, reopened=f.c.reopened + 1))
        if summary.changed:  # still there, but e.g. later notified or matched to another entry
            self.execute(sa.update(f).where(mine, f.c.id == x.c.kept_id, x.c.changed == 1)
                         .values({column: x.c[column] for column in ATTRIBUTES}))
        resolved = 0
        if summary.gone:  # open, in this run's period (or about a whole institution), not found again
            resolved = self.execute(sa.update(f).where(mine, f.c.id == x.c.kept_id, sa.not_(found),
                                                       f.c.status == "open").values(
                status="resolved", resolved_run_id=self.run_id, resolved_at=when(self.now))).rowcount or 0
        self.merged.new, self.merged.resolved = inserted, resolved
        # per kind, the number of findings; for `matched`, of notifications
        self.merged.counts = {kind: int(n) for kind, n in self.execute(
            sa.select(current_t.c.kind, sa.func.sum(sa.func.coalesce(current_t.c.notifications, 1)))
            .group_by(current_t.c.kind)).all()}
        self.merged.new_by_institution = {i: int(n) for i, n in self.execute(
            sa.select(x.c.institution_id, sa.func.count())
            .where(x.c.kept_id.is_(None), x.c.kind.not_in(["matched"]))
            .group_by(x.c.institution_id)).all()}

    # -- running ---------------------------------------------------------------------------------

    def steps(self) -> list:
        raise NotImplementedError

    def run(self):
        for name, step in self.steps():
            began = clock.perf_counter()
            step()
            self.timings[name] = clock.perf_counter() - began
        return self


def run_step(regulator_id: uuid.UUID, build, timings: dict | None = None):
    """Run the step `build(ws)` makes in one transaction of the regulator's workspace; its
    outcome. `timings`, if given, receives the time of each statement group and the commit."""
    with workspace(regulator_id) as ws:
        step = build(ws).run()
        began = clock.perf_counter()
        ws.commit()
        step.timings["commit"] = clock.perf_counter() - began
    if timings is not None:
        timings.update(step.timings)
    return step.merged
