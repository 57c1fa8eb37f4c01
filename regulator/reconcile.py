"""Reconciliation: what the AP received against what the institutions' registers say.

Set-based, in the database. One transaction on the oversight role (the regulator's
workspace: `tenants.oversight.workspace`) runs a fixed number of statements whatever the
number of rows — no Python loop over notifications or register entries:

1. *dossiers*: the received notifications grouped per AP reference (an initial
   notification and its supplements, amendments and withdrawal are one dossier),
   joined to the institutions by KvK number;
2. *entries*: one join of every register entry with its quality flags and when it was
   first notified (and whether withdrawn), from the institutions' `ap_notification`
   metadata — read once, for the matching and for the findings (board decisions and
   communications, which one finding each needs for a few entries, are looked up by that
   finding);
3. matching, in the order of domain.md: (a) the AP reference; (b) the organisation and
   |notified − received| ≤ 24 h; (c) the organisation, |aware − aware| ≤ 48 h and the
   same type of incident. Stages (b) and (c) take mutual nearest pairs, in rounds while
   they find new pairs, so one dossier never claims two entries or the other way round;
4. every finding as INSERT … SELECT into this run's findings: one pass over the dossiers
   no stage matched, one count of the matches per institution and method (`matched` is
   the expected case: counted, not listed), and one pass over every entry beside its
   matches for all findings about an entry or a match;
5. one FULL JOIN of this run's findings with the kept ones that keeps only the
   differences: new findings inserted, resolved ones that reappear reopened, changed ones
   updated, open ones that no longer appear resolved. History survives runs.

Register entries are read only through `tenants.oversight.register` (columns released
for oversight). What needs text (was a delay reason written?) comes from
`breach_quality`, which each institution's own tenant computes (`tenants.oversight.quality`).
"""
from __future__ import annotations

import time as clock
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from lekwijzer.db import UTCDateTime, utcnow
from tenants.oversight import register, workspace
from tenants.oversight.governance import governance_for
from tenants.oversight.models import InstitutionReview, ReconciliationFinding
from tenants.oversight.quality import ALWAYS
from tenants.oversight.sqlfuncs import exceeds_hours, hours_between, new_uuid, within_hours

from .models import ReceivedNotification, ReconciliationRun

TIME_WINDOW_HOURS = 24
AWARENESS_WINDOW_HOURS = 48
LATE_AFTER_HOURS = 72
GRACE = timedelta(days=30)  # quality findings only for entries older than this (or closed)
MIN_INSTITUTIONS_FOR_DECILE = 5
MAX_ROUNDS = 20  # mutual-nearest rounds; each round takes at least one pair per tie group

# Settings of the job's transaction on PostgreSQL (bench/reconcile_bench.py gives its bare
# join the same, so that the two stay comparable). No JIT compilation: each statement reads
# every row once, and compiling the large plans (inlining, optimising: ~0.5 s each, 1.5 s a
# run at a million rows) never paid back.
SESSION_SETTINGS = {"jit": "off"}


def session_settings() -> list[str]:
    """The statements that apply SESSION_SETTINGS to the current transaction."""
    return [f"SET LOCAL {name} = '{value}'" for name, value in SESSION_SETTINGS.items()]


# --- the run's temporary tables (the regulator's own working data, dropped at the end) ---

TEMP = sa.MetaData()
_tmp = {"prefixes": ["TEMPORARY"], "postgresql_on_commit": "DROP"}
_when = UTCDateTime
_flag = sa.Boolean

dossier_t = sa.Table(
    "rc_dossier", TEMP,
    # Numbered by the statement that fills it; unique by the index built after the fill
    # (TEMP_INDEXES): a primary key maintained row by row made the fill 0.5 s slower.
    sa.Column("id", sa.Integer), sa.Column("institution_id", sa.Uuid), sa.Column("kvk", sa.String(8)),
    sa.Column("ap_reference", sa.String(64)), sa.Column("received_at", _when()),
    sa.Column("aware_at", _when()), sa.Column("incident_type", sa.String(48)),
    sa.Column("persons_min", sa.Integer), sa.Column("persons_max", sa.Integer),
    sa.Column("withdrawn", sa.Integer), **_tmp)
# The notified entries alone, narrow, for the rounds of the time stage (each round reads
# them all: from rc_entry, three times as wide, the rounds took 1.4 s longer).
notified_t = sa.Table(
    "rc_notified", TEMP,
    sa.Column("institution_id", sa.Uuid), sa.Column("breach_id", sa.Uuid), sa.Column("notified_at", _when()), **_tmp)
match_t = sa.Table(
    "rc_match", TEMP,
    sa.Column("dossier_id", sa.Integer), sa.Column("institution_id", sa.Uuid), sa.Column("breach_id", sa.Uuid),
    # When the AP received the dossier (its period); the dossier's other fields are joined
    # by the findings that compare them: carried through the matching stages' sorts instead,
    # they cost more than that join (1.3 s a run at a million rows).
    sa.Column("method", sa.String(48)), sa.Column("received_at", _when()), **_tmp)
# The quality flags the findings test on every entry (the others are read only for the few
# incomplete entries, to say what is missing).
QUALITY_FLAGS = ["has_corrective_measure", "has_delay_reason", "description_too_short", "risk_without_reasoning"]
entry_t = sa.Table(
    "rc_entry", TEMP,
    sa.Column("institution_id", sa.Uuid), sa.Column("breach_id", sa.Uuid), sa.Column("status", sa.String(48)),
    sa.Column("anchor_at", _when()), sa.Column("aware_at", _when()), sa.Column("incident_type", sa.String(48)),
    sa.Column("persons_min", sa.Integer), sa.Column("persons_max", sa.Integer),
    sa.Column("risk_outcome", sa.String(48)), sa.Column("subject_status", sa.String(48)),
    sa.Column("ended_at", _when()), sa.Column("notified_at", _when()), sa.Column("reg_withdrawn", sa.Integer),
    sa.Column("has_quality", sa.Integer), sa.Column("completeness", sa.Integer),
    *[sa.Column(name, _flag) for name in QUALITY_FLAGS], **_tmp)
current_t = sa.Table(
    "rc_current", TEMP,
    sa.Column("finding_key", sa.String(255)), sa.Column("kind", sa.String(48)),
    sa.Column("institution_id", sa.Uuid), sa.Column("ap_reference", sa.String(64)),
    sa.Column("breach_id", sa.Uuid), sa.Column("match_method", sa.String(48)),
    sa.Column("detail", sa.String(200)), sa.Column("hours", sa.Float),
    sa.Column("anchor_at", _when()), sa.Column("notifications", sa.Integer), **_tmp)
diff_t = sa.Table(
    "rc_diff", TEMP, *[sa.Column(c.name, c.type) for c in current_t.c],
    sa.Column("kept_id", sa.Uuid), sa.Column("kept_status", sa.String(48)), sa.Column("kept_anchor", _when()),
    sa.Column("changed", sa.Integer), **_tmp)
ATTRIBUTES = ("breach_id", "match_method", "detail", "hours", "anchor_at", "notifications")

# Created after the tables are filled (faster than maintaining them row by row): (name, table,
# columns, unique). Only where a plan uses them: the dossiers' numbers (merge joins with the
# matches) and the range join of the time stage. Equality joins on (institution, reference) or
# (institution, breach) are hash joins on PostgreSQL (SQLite indexes them itself).
TEMP_INDEXES = [
    ("rc_dossier_id", "rc_dossier", "id", True),
    ("rc_notified_time", "rc_notified", "institution_id, notified_at", False),
]
MATCH_INDEXES = [
    ("rc_match_dossier", "rc_match", "dossier_id", False),
    ("rc_match_breach", "rc_match", "institution_id, breach_id", False),
]


@dataclass
class Outcome:
    counts: dict = field(default_factory=dict)
    received: int = 0
    outside_platform: int = 0
    institutions: int = 0
    new: int = 0
    resolved: int = 0
    reviews: list = field(default_factory=list)
    new_by_institution: dict = field(default_factory=dict)


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _key(*parts):
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


def _codes(codes: list[str], name: str):
    """A tiny table of codes (SELECT 'a' UNION ALL SELECT 'b' …) to cross join with."""
    return sa.union_all(*[sa.select(sa.literal(code, sa.String(48)).label("code")) for code in codes]).subquery(name)


def _dt(value: datetime):
    return sa.literal(value, type_=UTCDateTime())


def _yes(flag):
    return sa.func.coalesce(flag, sa.false()).is_(sa.true())


class Reconciler:
    """One run. Use `run()`; the steps are methods so the benchmark can time them."""

    def __init__(self, ws, regulator_id: uuid.UUID, run_id: uuid.UUID, period_from: date, period_until: date,
                 now: datetime):
        self.ws, self.reg, self.run_id, self.now = ws, regulator_id, run_id, now
        self.p_from, self.p_until = _start(period_from), _start(period_until + timedelta(days=1))
        self.inst = register.institutions().subquery("inst")
        self.outcome = Outcome()
        self.timings: dict[str, float] = {}

    # -- helpers ---------------------------------------------------------------------------

    def in_period(self, column):
        return sa.and_(column >= _dt(self.p_from), column < _dt(self.p_until))

    def execute(self, stmt, params=None):
        return self.ws.execute(stmt, params)

    def scoped(self, column):
        """Institutions that can be reconciled: active, with a KvK number."""
        return column.in_(sa.select(self.inst.c.id).where(self.inst.c.kvk.is_not(None)))

    def _analyze(self, *tables) -> None:
        if self.ws.dialect == "postgresql":
            for table in tables:
                self.ws.run_ddl(sa.text(f"ANALYZE {table.name}"))

    def _insert(self, table: sa.Table, select: sa.Select, names=None) -> int:
        names = names or [c.name for c in table.c]
        return self.execute(sa.insert(table).from_select(names, select)).rowcount or 0

    def _current(self, kind, key, *, institution, reference=None, breach=None, method=None, detail=None,
                 hours=None, anchor=None, notifications=None) -> list:
        """The select list of one finding row; missing values become NULLs of the right type."""
        values = [key, sa.literal(kind) if isinstance(kind, str) else kind, institution, reference, breach, method,
                  sa.literal(detail) if isinstance(detail, str) else detail, hours, anchor, notifications]
        return [sa.cast(sa.null(), column.type) if value is None else value
                for value, column in zip(values, current_t.c)]

    def index(self, indexes=TEMP_INDEXES) -> None:
        for name, table, columns, unique in indexes:
            self.ws.run_ddl(sa.text(f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON {table} ({columns})"))

    # -- 0. working tables -------------------------------------------------------------------

    def prepare(self) -> None:
        conn = self.ws.session.connection()
        if self.ws.dialect == "postgresql":
            # One reconciliation of this regulator at a time (a second waits, then merges).
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"reconcile:{self.reg}"})
            for statement in session_settings():
                conn.execute(sa.text(statement))
        for table in TEMP.sorted_tables:
            table.drop(conn, checkfirst=True)
            table.create(conn)

    # -- 1. dossiers -------------------------------------------------------------------------

    def load_dossiers(self) -> None:
        rn = ReceivedNotification.__table__
        part = (rn.c.kvk, rn.c.ap_reference)
        is_withdrawal = sa.case((rn.c.kind == "withdrawal", 1), else_=0)
        ranked = sa.select(
            rn.c.kvk, rn.c.ap_reference, rn.c.aware_at, rn.c.incident_type, rn.c.persons_min, rn.c.persons_max,
            # The dossier's current state: its latest notification that is not a withdrawal.
            sa.func.row_number().over(partition_by=part, order_by=(is_withdrawal, rn.c.received_at.desc()))
            .label("pos"),
            sa.func.min(rn.c.received_at).over(partition_by=part).label("first_at"),
            sa.func.max(is_withdrawal).over(partition_by=part).label("withdrawn"),
        ).where(rn.c.tenant_id == self.reg).subquery("ranked")
        select = (
            sa.select(
                sa.func.row_number().over(order_by=(ranked.c.kvk, ranked.c.ap_reference)).label("id"),
                self.inst.c.id, ranked.c.kvk, ranked.c.ap_reference, ranked.c.first_at, ranked.c.aware_at,
                ranked.c.incident_type, ranked.c.persons_min, ranked.c.persons_max, ranked.c.withdrawn)
            .select_from(ranked.outerjoin(self.inst, self.inst.c.kvk == ranked.c.kvk))
            .where(ranked.c.pos == 1)
        )
        self._insert(dossier_t, select)

    # -- 2. one row per register entry: what matching and the findings need -------------------

    def load_entries(self) -> None:
        """Every register entry of the institutions in scope with its quality flags and when it
        was first notified (and whether withdrawn), from the institutions' `ap_notification`
        metadata. One table for the matching stages (b) and (c) and for the findings: the
        entries are read from the registers once, not once for matching and again after."""
        b = register.breaches().subquery("b")
        q = register.quality().subquery("q")
        n = register.notifications().subquery("n")
        initial_at = sa.func.min(sa.case((n.c.kind == "initial", n.c.submitted_at)))
        r = (sa.select(n.c.tenant_id, n.c.breach_id,
                       sa.func.coalesce(initial_at, sa.func.min(n.c.submitted_at)).label("notified_at"),
                       sa.func.max(sa.case((n.c.kind == "withdrawal", 1), else_=0)).label("withdrawn"))
             .group_by(n.c.tenant_id, n.c.breach_id).subquery("r"))
        # Not joined here: board decisions and communications (each is needed by one finding
        # about a few entries, which looks them up itself), and the matches (the findings read
        # every entry beside its matches in one pass, `_register_findings`).

        def same(sub):
            return sa.and_(sub.c.tenant_id == b.c.tenant_id, sub.c.breach_id == b.c.id)

        select = (
            sa.select(
                b.c.tenant_id, b.c.id, b.c.status, sa.func.coalesce(b.c.aware_at, b.c.created_at), b.c.aware_at,
                b.c.incident_type, b.c.persons_min, b.c.persons_max, b.c.risk_outcome,
                b.c.subject_communication_status, b.c.ended_at, r.c.notified_at, r.c.withdrawn,
                sa.case((q.c.breach_id.is_not(None), 1), else_=0), q.c.completeness,
                *[q.c[name] for name in QUALITY_FLAGS])
            .select_from(b.outerjoin(q, same(q)).outerjoin(r, same(r)))
            .where(self.scoped(b.c.tenant_id))
        )
        self._insert(entry_t, select)
        e = entry_t
        self._insert(notified_t, sa.select(e.c.institution_id, e.c.breach_id, e.c.notified_at)
                     .where(e.c.notified_at.is_not(None)))

    # -- 3. matching --------------------------------------------------------------------------

    def _unmatched_dossier(self, d):
        return ~sa.exists().where(match_t.c.dossier_id == d.c.id)

    def _unmatched_entry(self, institution_col, breach_col):
        return ~sa.exists().where(match_t.c.institution_id == institution_col, match_t.c.breach_id == breach_col)

    def match_by_reference(self) -> int:
        d = dossier_t
        # Straight onto the register's notifications: an entry that carries the reference on
        # several notifications appears several times, but only the first row per dossier is
        # kept, so de-duplicating first (a pass over every notification) would buy nothing.
        refs = register.notifications().subquery("refs")
        cand = (
            sa.select(d.c.id.label("dossier_id"), refs.c.tenant_id.label("institution_id"), refs.c.breach_id,
                      d.c.received_at,
                      sa.func.row_number().over(partition_by=d.c.id, order_by=refs.c.breach_id).label("pos"))
            .select_from(d.join(refs, sa.and_(refs.c.tenant_id == d.c.institution_id,
                                              refs.c.ap_reference == d.c.ap_reference)))
        ).subquery("cand")
        select = sa.select(cand.c.dossier_id, cand.c.institution_id, cand.c.breach_id, sa.literal("reference"),
                           cand.c.received_at).where(cand.c.pos == 1)
        return self._insert(match_t, select)

    def _mutual_nearest(self, cand, method: str) -> int:
        ranked = sa.select(
            cand.c.dossier_id, cand.c.institution_id, cand.c.breach_id, cand.c.received_at,
            sa.func.row_number().over(partition_by=cand.c.dossier_id,
                                      order_by=(cand.c.dist, cand.c.institution_id, cand.c.breach_id)).label("a"),
            sa.func.row_number().over(partition_by=(cand.c.institution_id, cand.c.breach_id),
                                      order_by=(cand.c.dist, cand.c.dossier_id)).label("b"),
        ).subquery("ranked")
        select = sa.select(ranked.c.dossier_id, ranked.c.institution_id, ranked.c.breach_id, sa.literal(method),
                           ranked.c.received_at
                           ).where(ranked.c.a == 1, ranked.c.b == 1)
        return self._insert(match_t, select)

    def match_by_time(self) -> int:
        d, r = dossier_t, notified_t
        total = 0
        for _ in range(MAX_ROUNDS):
            cand = (
                sa.select(d.c.id.label("dossier_id"), r.c.institution_id, r.c.breach_id, d.c.received_at,
                          sa.func.abs(hours_between(d.c.received_at, r.c.notified_at)).label("dist"))
                .select_from(d.join(r, sa.and_(r.c.institution_id == d.c.institution_id,
                                               within_hours(r.c.notified_at, d.c.received_at, TIME_WINDOW_HOURS))))
                .where(self._unmatched_dossier(d), self._unmatched_entry(r.c.institution_id, r.c.breach_id))
            ).subquery("cand")
            found = self._mutual_nearest(cand, "time_window")
            total += found
            if not found:
                break
        return total

    def match_by_awareness(self) -> int:
        d, e = dossier_t, entry_t
        total = 0
        for _ in range(MAX_ROUNDS):
            cand = (
                sa.select(d.c.id.label("dossier_id"), e.c.institution_id, e.c.breach_id, d.c.received_at,
                          sa.func.abs(hours_between(d.c.aware_at, e.c.aware_at)).label("dist"))
                .select_from(d.join(e, sa.and_(e.c.institution_id == d.c.institution_id,
                                               e.c.incident_type == d.c.incident_type,
                                               within_hours(e.c.aware_at, d.c.aware_at, AWARENESS_WINDOW_HOURS))))
                .where(d.c.aware_at.is_not(None), d.c.incident_type.is_not(None),
                       self._unmatched_dossier(d), self._unmatched_entry(e.c.institution_id, e.c.breach_id))
            ).subquery("cand")
            found = self._mutual_nearest(cand, "awareness_type")
            total += found
            if not found:
                break
        return total

    def match(self) -> None:
        self.match_by_reference()
        self.index(MATCH_INDEXES)
        self._analyze(match_t)
        self.match_by_time()
        self.match_by_awareness()
        # No second ANALYZE: the statistics from after the reference stage still describe
        # rc_match (the later stages add a few per cent), and with them the planner reads
        # dossiers and matches in dossier order (a merge join) instead of hashing a million
        # matches for the findings (1.1 s against 2.2 s at a million rows).

    # -- 4. this run's findings ------------------------------------------------------------------

    def findings(self) -> None:
        self._dossier_findings()
        self._register_findings()

    def _dossier_findings(self) -> None:
        """The dossiers no stage matched: received by the AP but not in the register (an Art.
        33(5) gap), or withdrawn. Matched dossiers, the expected case, are counted: one
        `matched` finding per institution and matching method with the number of notifications
        (a million kept rows, one per notification, cost more than all the matching)."""
        d, m = dossier_t, match_t
        withdrawn = d.c.withdrawn == 1
        kind = sa.case((withdrawn, "withdrawn"), else_="ap_received_but_not_in_register")
        self._insert(current_t, sa.select(*self._current(
            kind, _key(kind, d.c.kvk, d.c.ap_reference), institution=d.c.institution_id,
            reference=d.c.ap_reference, detail=sa.case((withdrawn, "not_matched")),
            anchor=d.c.received_at))
            .where(self.in_period(d.c.received_at), d.c.institution_id.is_not(None), self._unmatched_dossier(d)))
        self._insert(current_t, sa.select(*self._current(
            "matched", _key("matched", m.c.institution_id, m.c.method), institution=m.c.institution_id,
            method=m.c.method, notifications=sa.func.count(),
            # anchored at the last of them: a later run over a period without any of the
            # institution's matches leaves the count alone, one over a period with some counts anew
            anchor=sa.func.max(m.c.received_at)))
            .where(self.in_period(m.c.received_at)).group_by(m.c.institution_id, m.c.method))

    def _register_findings(self) -> None:
        """Every finding about a register entry or about a match, in one pass over the entries
        beside their matches (an entry no stage matched appears once, without a match): the few
        rows that have any are set apart with a flag per kind, then written once per kind.

        An entry the AP matched more than once (two AP references on one entry) appears once per
        match; what is about the entry is read beside its first match only (`first`: the
        notification the AP received first, which also decides whether it was late)."""
        e, earlier, d = entry_t, match_t.alias("earlier"), dossier_t
        # each match beside its dossier's fields (a merge join: both in dossier order)
        m = (sa.select(match_t, d.c.kvk, d.c.ap_reference, d.c.aware_at.label("ap_aware_at"),
                       d.c.incident_type.label("ap_incident_type"), d.c.persons_min.label("ap_persons_min"),
                       d.c.persons_max.label("ap_persons_max"), d.c.withdrawn.label("ap_withdrawn"))
             .select_from(match_t.join(d, d.c.id == match_t.c.dossier_id)).subquery("m"))
        unmatched = m.c.dossier_id.is_(None)
        # Last in every condition below, so that it is looked up (index on the entry) only for
        # the few rows that meet the rest of it.
        first = sa.or_(unmatched, ~sa.exists().where(
            earlier.c.institution_id == e.c.institution_id, earlier.c.breach_id == e.c.breach_id,
            sa.or_(earlier.c.received_at < m.c.received_at,
                   sa.and_(earlier.c.received_at == m.c.received_at, earlier.c.dossier_id < m.c.dossier_id))))
        settled = sa.or_(e.c.status == "closed", e.c.anchor_at < _dt(self.now - GRACE))
        # decided to notify, but nothing was ever sent (and the 72 hours have passed); decisions
        # are looked up (index on the breach) only for entries nobody notified, and the moment
        # of the first one only when the moment of awareness is unknown
        yes = register.notify_decisions(True).subquery("yes")
        this_breach = sa.and_(yes.c.tenant_id == e.c.institution_id, yes.c.breach_id == e.c.breach_id,
                              yes.c.decided_at.is_not(None))
        decided_at = sa.select(sa.func.min(yes.c.decided_at)).where(this_breach).scalar_subquery()
        # a scalar subquery, not EXISTS: PostgreSQL may hash an EXISTS over every decision
        # (two passes over a million) where a look-up for the few entries concerned suffices
        decided = sa.select(sa.literal(1)).where(this_breach).limit(1).scalar_subquery().is_not(None)
        waiting_since = sa.func.coalesce(e.c.aware_at, decided_at)
        waiting = hours_between(waiting_since, _dt(self.now))
        # notified more than 72 hours after awareness without a recorded reason; the moment of
        # notification is when the AP received it, else what the register says
        notified = sa.func.coalesce(m.c.received_at, e.c.notified_at)
        late = hours_between(e.c.aware_at, notified)
        comms = register.communications().subquery("comms")
        told = sa.exists().where(comms.c.tenant_id == e.c.institution_id, comms.c.breach_id == e.c.breach_id)
        quality = sa.and_(e.c.has_quality == 1, settled, self.in_period(e.c.anchor_at))
        about_entry = {
            # the register says notified, but the AP has no such notification
            "register_says_notified_but_ap_missing": sa.and_(
                e.c.notified_at.is_not(None), unmatched, self.in_period(e.c.notified_at)),
            "register_notify_yes_never_sent": sa.and_(
                e.c.notified_at.is_(None), unmatched, self.in_period(e.c.anchor_at), decided,
                exceeds_hours(waiting_since, _dt(self.now), LATE_AFTER_HOURS)),
            "late_without_reason": sa.and_(
                notified.is_not(None), e.c.aware_at.is_not(None),
                exceeds_hours(e.c.aware_at, notified, LATE_AFTER_HOURS),
                sa.not_(_yes(e.c.has_delay_reason)), self.in_period(notified), first),
            # high risk, but the people affected were not informed (and no Art. 34(3) ground)
            "high_risk_without_subject_communication": sa.and_(
                e.c.risk_outcome == "high_risk",
                sa.or_(e.c.subject_status.is_(None), e.c.subject_status == "not_required_not_high_risk"),
                sa.not_(told), self.in_period(e.c.anchor_at), first),
        }
        # the quality of settled entries (closed, or older than the grace period)
        lacking = {
            "incomplete_entry": e.c.completeness < 100,
            "description_too_short": _yes(e.c.description_too_short),
            "risk_without_reasoning": _yes(e.c.risk_without_reasoning),
            "breach_not_ended": e.c.ended_at.is_(None),
            "missing_corrective_measures": sa.not_(_yes(e.c.has_corrective_measure)),
        }
        # About a match in the period: withdrawn at the AP (and whether the register knows), and
        # the fields in which the AP's dossier and the entry differ (the five kinds of
        # field_mismatch).
        ap_count = sa.func.coalesce(m.c.ap_persons_max, m.c.ap_persons_min)
        low = sa.func.coalesce(e.c.persons_min, e.c.persons_max)
        high = sa.func.coalesce(e.c.persons_max, e.c.persons_min)
        received = self.in_period(m.c.received_at)
        about_match = {
            "withdrawn": m.c.ap_withdrawn == 1,
            "reference": sa.or_(m.c.method == "time_window",
                                sa.and_(m.c.method == "awareness_type", e.c.notified_at.is_not(None))),
            "notification_not_in_register": sa.and_(m.c.method == "awareness_type", e.c.notified_at.is_(None)),
            "incident_type": sa.and_(m.c.ap_incident_type.is_not(None), e.c.incident_type.not_in(["tbd"]),
                                     m.c.ap_incident_type != e.c.incident_type),
            "persons_count": sa.and_(ap_count.is_not(None), low.is_not(None), sa.or_(ap_count < low, ap_count > high)),
            "aware_at": sa.and_(m.c.method != "awareness_type", m.c.ap_aware_at.is_not(None), e.c.aware_at.is_not(None),
                                sa.not_(within_hours(e.c.aware_at, m.c.ap_aware_at, AWARENESS_WINDOW_HOURS))),
        }
        checks = {**about_entry, **{name: sa.and_(lack, quality, first) for name, lack in lacking.items()},
                  **{name: sa.and_(differs, received) for name, differs in about_match.items()}}
        # The same conditions, factored for the filter that every row passes through, what is
        # rarely true first (PostgreSQL evaluates AND and OR left to right and stops early): a
        # clean entry is tested some twenty times, not fifty.
        any_check = sa.or_(*about_entry.values(), sa.and_(sa.or_(*lacking.values()), quality, first),
                           sa.and_(sa.or_(*about_match.values()), received))
        flagged = (
            sa.select(e.c.institution_id, e.c.breach_id, e.c.anchor_at, e.c.notified_at,
                      notified.label("ap_or_register_at"), late.label("late"), waiting.label("waiting"),
                      m.c.kvk, m.c.ap_reference, m.c.method, m.c.received_at,
                      sa.case((sa.func.coalesce(e.c.reg_withdrawn, 0) == 1, "recorded"),
                              else_="not_in_register").label("withdrawn_detail"),
                      *[sa.case((condition, 1), else_=0).label(f"x_{name}") for name, condition in checks.items()])
            .select_from(e.outerjoin(m, sa.and_(m.c.institution_id == e.c.institution_id,
                                                m.c.breach_id == e.c.breach_id)))
            .where(any_check)
        ).cte("flagged").prefix_with("MATERIALIZED")
        # (the few rows first, then once per kind: the planner cannot estimate that filter and
        # would otherwise multiply every entry by the kinds before the joins)
        kinds = _codes(list(checks), "kinds")
        which = sa.case(*[(kinds.c.code == name, flagged.c[f"x_{name}"] == 1) for name in checks], else_=sa.false())
        code, f = kinds.c.code, flagged.c
        withdrawn = code == "withdrawn"
        mismatch = code.in_([name for name in about_match if name != "withdrawn"])
        on_match = sa.or_(mismatch, withdrawn)
        kind = sa.case((mismatch, "field_mismatch"), else_=code)
        key = sa.case((mismatch, _key("field_mismatch", f.kvk, f.ap_reference, code)),
                      (withdrawn, _key("withdrawn", f.kvk, f.ap_reference)), else_=_key(code, f.breach_id))
        detail = sa.case((code == "incomplete_entry", self._missing(f)), (mismatch, code),
                         (withdrawn, f.withdrawn_detail))
        hours = sa.case((code == "register_notify_yes_never_sent", f.waiting), (code == "late_without_reason", f.late))
        anchor = sa.case((code == "register_says_notified_but_ap_missing", f.notified_at),
                         (code == "late_without_reason", f.ap_or_register_at),
                         (on_match, f.received_at), else_=f.anchor_at)
        self._insert(current_t, sa.select(*self._current(
            kind, key, institution=f.institution_id, reference=sa.case((on_match, f.ap_reference)),
            breach=f.breach_id, method=sa.case((on_match, f.method)), detail=detail, hours=hours, anchor=anchor))
            .select_from(flagged.join(kinds, sa.true())).where(which))

    @staticmethod
    def _missing(flagged):
        """What an incomplete entry lacks, from its full quality row (looked up for those only)."""
        q = register.quality().subquery("q")
        missing = None
        for part in ALWAYS:
            piece = sa.case((_yes(q.c[f"has_{part}"]), ""), else_=f"{part},")
            missing = piece if missing is None else missing + piece
        missing = (missing
                   + sa.case((sa.and_(_yes(q.c.delay_reason_needed), sa.not_(_yes(q.c.has_delay_reason))),
                              "delay_reason,"), else_="")
                   + sa.case((sa.and_(_yes(q.c.no_notification_reasoning_needed),
                                      sa.not_(_yes(q.c.has_no_notification_reasoning))),
                              "no_notification_reasoning,"), else_=""))
        return (sa.select(sa.func.rtrim(missing, ","))
                .where(q.c.tenant_id == flagged.institution_id, q.c.breach_id == flagged.breach_id)
                .scalar_subquery())

    # -- 5. per institution: quality summary, notification rates, governance ------------------------

    def institution_reviews(self) -> None:
        e = entry_t
        inst_rows = self.ws.execute(sa.select(self.inst).where(self.inst.c.kvk.is_not(None))).all()
        self.outcome.institutions = len(inst_rows)
        settled = sa.or_(e.c.status == "closed", e.c.anchor_at < _dt(self.now - GRACE))

        def count_if(condition):
            return sa.func.sum(sa.case((condition, 1), else_=0))

        # One pass over the entries for both periods (of the entry, of its notification) and
        # one over the dossiers; institutions with nothing in the period are left out, as before.
        in_period = self.in_period(e.c.anchor_at)
        quality = {row.institution_id: row for row in self.ws.execute(
            sa.select(e.c.institution_id, count_if(in_period).label("breaches"),
                      count_if(sa.and_(in_period, e.c.completeness == 100)).label("complete"),
                      sa.func.avg(sa.case((in_period, e.c.completeness))).label("completeness"),
                      count_if(sa.and_(in_period, settled, _yes(e.c.description_too_short))).label("too_short"),
                      count_if(sa.and_(in_period, settled, _yes(e.c.risk_without_reasoning))).label("no_reasoning"),
                      count_if(sa.and_(in_period, settled, e.c.ended_at.is_(None))).label("not_ended"),
                      count_if(sa.and_(in_period, settled, e.c.has_quality == 1,
                                       sa.not_(_yes(e.c.has_corrective_measure)))).label("no_corrective"),
                      count_if(self.in_period(e.c.notified_at)).label("noted"))
            .group_by(e.c.institution_id))}  # no WHERE: an OR of periods makes the planner expect
        # a few rows and sort a million; all entries are counted conditionally instead
        noted = {i: row.noted for i, row in quality.items() if row.noted}
        quality = {i: row for i, row in quality.items() if row.breaches}
        received = dict(self.ws.execute(
            sa.select(dossier_t.c.institution_id, sa.func.count())
            .where(self.in_period(dossier_t.c.received_at)).group_by(dossier_t.c.institution_id)).all())
        outside = received.pop(None, 0)  # dossiers of organisations not on the platform
        self.outcome.received, self.outcome.outside_platform = sum(received.values()) + outside, outside

        per_emp, per_cli = {}, {}
        for row in inst_rows:
            n = received.get(row.id, 0)
            if row.employees:
                per_emp[row.id] = n * 100.0 / row.employees
            if row.clients_per_year:
                per_cli[row.id] = n * 1000.0 / row.clients_per_year
        p10_emp, p10_cli = decile(per_emp.values()), decile(per_cli.values())
        gov = governance_for([row.id for row in inst_rows], self.now)
        extra = []
        for row in inst_rows:
            qrow, g = quality.get(row.id), gov[row.id]
            low_emp = None if p10_emp is None or row.id not in per_emp else per_emp[row.id] <= p10_emp
            low_cli = None if p10_cli is None or row.id not in per_cli else per_cli[row.id] <= p10_cli

            def number(name):
                return int(getattr(qrow, name) or 0) if qrow else 0

            self.outcome.reviews.append(dict(
                id=uuid.uuid4(), tenant_id=self.reg, run_id=self.run_id, institution_id=row.id, computed_at=self.now,
                period_from=self.p_from.date(), period_until=(self.p_until - timedelta(days=1)).date(),
                breaches=number("breaches"), complete_entries=number("complete"),
                completeness_avg=float(qrow.completeness) if qrow and qrow.completeness is not None else None,
                description_too_short=number("too_short"), risk_without_reasoning=number("no_reasoning"),
                not_ended=number("not_ended"), missing_corrective=number("no_corrective"),
                received=int(received.get(row.id, 0)), register_notifications=int(noted.get(row.id, 0)),
                per_100_employees=per_emp.get(row.id), per_1000_clients=per_cli.get(row.id),
                sector_p10_employees=p10_emp, sector_p10_clients=p10_cli,
                lowest_decile_employees=low_emp, lowest_decile_clients=low_cli,
                policy_stale=g.policy_stale, policy_fg_decides=g.policy_fg_decides,
                reports_known=g.reports_known, last_report_signed_at=g.last_report_signed_at, open_findings=0))
            if g.policy_stale:
                extra.append(self._institution_finding("policy_stale", row.id))
            if g.policy_fg_decides:
                extra.append(self._institution_finding("policy_fg_decides", row.id))
            if g.no_recent_board_report(self.now):
                extra.append(self._institution_finding("no_board_report", row.id))
            low = [name for name, flag in (("employees", low_emp), ("clients", low_cli)) if flag]
            if low:
                extra.append(self._institution_finding("under_reporting", row.id, ",".join(low),
                                                       per_emp.get(row.id)))
        if extra:
            self.execute(sa.insert(current_t), extra)

    def _institution_finding(self, kind, institution_id, detail=None, hours=None) -> dict:
        return {"finding_key": f"{kind}|{institution_id}", "kind": kind, "institution_id": institution_id,
                "ap_reference": None, "breach_id": None, "match_method": None, "detail": detail,
                "hours": hours, "anchor_at": None, "notifications": None}

    # -- 6. merge into the kept findings ---------------------------------------------------------

    def diff(self) -> None:
        """One pass: this run's findings beside the kept ones (FULL JOIN on the key), keeping
        only what must be written — new, reappeared, changed, or open but no longer found.
        On a night when nothing changed that is almost nothing, so the merge reads a tiny
        table instead of a second copy of every finding."""
        f, c = ReconciliationFinding.__table__, current_t
        kept = (sa.select(f.c.id, f.c.finding_key, f.c.status, f.c.anchor_at, *[f.c[name] for name in ATTRIBUTES])
                .where(f.c.tenant_id == self.reg).subquery("kept"))
        found, known = c.c.finding_key.is_not(None), kept.c.id.is_not(None)
        changed = sa.and_(found, known, sa.or_(*[c.c[name].is_distinct_from(kept.c[name]) for name in ATTRIBUTES]))
        gone = sa.and_(sa.not_(found), kept.c.status == "open",
                       sa.or_(kept.c.anchor_at.is_(None), self.in_period(kept.c.anchor_at)))
        select = (sa.select(*c.c, kept.c.id, kept.c.status, kept.c.anchor_at, sa.case((changed, 1), else_=0))
                  .select_from(c.outerjoin(kept, kept.c.finding_key == c.c.finding_key, full=True))
                  .where(sa.or_(sa.not_(known), sa.and_(found, kept.c.status == "resolved"), changed, gone)))
        self._insert(diff_t, select)

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
            inserted = self._insert(f, sa.select(
                sa.literal(self.reg, sa.Uuid), new_uuid(), x.c.finding_key, x.c.kind, x.c.institution_id,
                x.c.ap_reference, x.c.breach_id, x.c.match_method, x.c.detail, x.c.hours, x.c.anchor_at,
                x.c.notifications, sa.literal("open"), sa.literal(self.run_id, sa.Uuid), _dt(self.now), sa.literal(0))
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
                status="resolved", resolved_run_id=self.run_id, resolved_at=_dt(self.now))).rowcount or 0
        self.outcome.new, self.outcome.resolved = inserted, resolved
        # per kind, the number of findings; for `matched`, of notifications
        self.outcome.counts = {kind: int(n) for kind, n in self.execute(
            sa.select(current_t.c.kind, sa.func.sum(sa.func.coalesce(current_t.c.notifications, 1)))
            .group_by(current_t.c.kind)).all()}
        self.outcome.new_by_institution = {i: int(n) for i, n in self.execute(
            sa.select(x.c.institution_id, sa.func.count())
            .where(x.c.kept_id.is_(None), x.c.kind.not_in(["matched"]))
            .group_by(x.c.institution_id)).all()}

    def save_reviews(self) -> None:
        f = ReconciliationFinding.__table__
        open_counts = dict(self.execute(
            sa.select(f.c.institution_id, sa.func.count())
            .where(f.c.tenant_id == self.reg, f.c.status == "open", f.c.kind.not_in(["matched", "withdrawn"]))
            .group_by(f.c.institution_id)).all())
        for review in self.outcome.reviews:
            review["open_findings"] = int(open_counts.get(review["institution_id"], 0))
        if self.outcome.reviews:
            self.execute(sa.insert(InstitutionReview.__table__), self.outcome.reviews)

    def finish(self, started: datetime) -> None:
        o, run = self.outcome, ReconciliationRun.__table__
        self.execute(sa.update(run).where(run.c.tenant_id == self.reg, run.c.id == self.run_id).values(
            status="done", started_at=started, finished_at=utcnow(), seconds=(utcnow() - started).total_seconds(),
            institutions=o.institutions, received=o.received, outside_platform=o.outside_platform, counts=o.counts,
            new_findings=o.new, resolved_findings=o.resolved, error=None))
        conn = self.ws.session.connection()
        for table in reversed(TEMP.sorted_tables):
            table.drop(conn, checkfirst=True)

    def run(self) -> Outcome:
        started = utcnow()
        steps = [
            ("prepare", self.prepare), ("dossiers", self.load_dossiers), ("entries", self.load_entries),
            ("index", lambda: (self.index(), self._analyze(dossier_t, entry_t, notified_t))),
            ("match", self.match), ("findings", self.findings),
            ("reviews", self.institution_reviews), ("diff", self.diff), ("merge", self.merge),
            ("save_reviews", self.save_reviews), ("finish", lambda: self.finish(started)),
        ]
        for name, step in steps:
            began = clock.perf_counter()
            step()
            self.timings[name] = clock.perf_counter() - began
        return self.outcome


def decile(values) -> float | None:
    """The 10th percentile (linear interpolation), or None for fewer than 5 institutions."""
    ordered = sorted(values)
    if len(ordered) < MIN_INSTITUTIONS_FOR_DECILE:
        return None
    position = 0.1 * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def reconcile(regulator_id: uuid.UUID, run_id: uuid.UUID, period_from: date, period_until: date,
              now: datetime | None = None, timings: dict | None = None) -> Outcome:
    """Run one reconciliation in a single transaction of the regulator's workspace."""
    now = now or utcnow()
    with workspace(regulator_id) as ws:
        reconciler = Reconciler(ws, regulator_id, run_id, period_from, period_until, now)
        outcome = reconciler.run()
        began = clock.perf_counter()
        ws.commit()
        reconciler.timings["commit"] = clock.perf_counter() - began
    if timings is not None:
        timings.update(reconciler.timings)
    return outcome
