"""Reconciliation: what the AP received against what the institutions' registers say.

Set-based, in the database. One transaction on the oversight role (the regulator's
workspace: `tenants.oversight.workspace`) runs a fixed number of statements whatever the
number of rows — no Python loop over notifications or register entries:

1. *dossiers*: the received notifications grouped per AP reference (an initial
   notification and its supplements, amendments and withdrawal are one dossier),
   joined to the institutions by KvK number;
2. *entries*: one join of every register entry with when it was first notified (and
   whether withdrawn), from the institutions' `ap_notification` metadata — read once, for
   the matching and for the findings (board decisions, communications and the recorded
   delay reason, which one finding each needs for a few entries, are looked up by that
   finding);
3. matching, in the order of domain.md: (a) the AP reference; (b) the organisation and
   |notified − received| ≤ 24 h; (c) the organisation, |aware − aware| ≤ 48 h and the
   same type of incident. Stages (b) and (c) take mutual nearest pairs, in rounds while
   they find new pairs, so one dossier never claims two entries or the other way round;
4. every finding of domain.md as INSERT … SELECT into this run's findings: one pass over
   the dossiers no stage matched, one count of the matches per institution and method
   (`matched` is the expected case: counted, not listed), and one pass over every entry
   beside its matches for all findings about an entry or a match;
5. per institution, the notifications the AP received and those the register records
   (for the register-quality review, `review.py`, which runs next in its own transaction);
6. the merge into the kept findings of these kinds (`findings.FindingsStep`): new findings
   inserted, resolved ones that reappear reopened, changed ones updated, open ones that
   no longer appear resolved. History survives runs.

Register entries are read only through `tenants.oversight.register` (columns released
for oversight). What needs text (was a delay reason written?) comes from
`breach_quality`, which each institution's own tenant computes (`tenants.oversight.quality`).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from lekwijzer.db import UTCDateTime, utcnow
from tenants.oversight import register
from tenants.oversight.labels import RECONCILIATION_KINDS
from tenants.oversight.quality import LATE_AFTER_HOURS
from tenants.oversight.sqlfuncs import exceeds_hours, hours_between, within_hours

from .findings import FindingsStep, Merged, codes, current_t, key, run_step, temporary, when, yes
from .models import ReceivedNotification

TIME_WINDOW_HOURS = 24
AWARENESS_WINDOW_HOURS = 48
MAX_ROUNDS = 20  # mutual-nearest rounds; each round takes at least one pair per tie group

# --- the run's temporary tables (the regulator's own working data, dropped at the end) ---

TEMP = sa.MetaData()
_when = UTCDateTime

dossier_t = temporary(
    "rc_dossier", TEMP,
    # Numbered by the statement that fills it; unique by the index built after the fill
    # (TEMP_INDEXES): a primary key maintained row by row made the fill 0.5 s slower.
    sa.Column("id", sa.Integer), sa.Column("institution_id", sa.Uuid), sa.Column("kvk", sa.String(8)),
    sa.Column("ap_reference", sa.String(64)), sa.Column("received_at", _when()),
    sa.Column("aware_at", _when()), sa.Column("incident_type", sa.String(48)),
    sa.Column("persons_min", sa.Integer), sa.Column("persons_max", sa.Integer),
    sa.Column("withdrawn", sa.Integer))
# The notified entries alone, narrow, for the rounds of the time stage (each round reads
# them all: from rc_entry, three times as wide, the rounds took 1.4 s longer).
notified_t = temporary(
    "rc_notified", TEMP,
    sa.Column("institution_id", sa.Uuid), sa.Column("breach_id", sa.Uuid), sa.Column("notified_at", _when()))
match_t = temporary(
    "rc_match", TEMP,
    sa.Column("dossier_id", sa.Integer), sa.Column("institution_id", sa.Uuid), sa.Column("breach_id", sa.Uuid),
    # When the AP received the dossier (its period); the dossier's other fields are joined
    # by the findings that compare them: carried through the matching stages' sorts instead,
    # they cost more than that join (1.3 s a run at a million rows).
    sa.Column("method", sa.String(48)), sa.Column("received_at", _when()))
entry_t = temporary(
    "rc_entry", TEMP,
    sa.Column("institution_id", sa.Uuid), sa.Column("breach_id", sa.Uuid),
    sa.Column("anchor_at", _when()), sa.Column("aware_at", _when()), sa.Column("incident_type", sa.String(48)),
    sa.Column("persons_min", sa.Integer), sa.Column("persons_max", sa.Integer),
    sa.Column("risk_outcome", sa.String(48)), sa.Column("subject_status", sa.String(48)),
    sa.Column("notified_at", _when()), sa.Column("reg_withdrawn", sa.Integer))

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
class Reconciled(Merged):
    """The reconciliation's outcome, and what the register-quality review needs of it."""
    received: int = 0
    outside_platform: int = 0
    received_by_institution: dict = field(default_factory=dict)  # dossiers received in the period
    noted_by_institution: dict = field(default_factory=dict)  # entries the register says were notified


class Reconciler(FindingsStep):
    """One reconciliation. Use `run()`; the steps are methods so the benchmark can time them."""

    KINDS = RECONCILIATION_KINDS
    TEMP = TEMP
    OUTCOME = Reconciled

    def steps(self) -> list:
        return [
            ("prepare", self.prepare), ("dossiers", self.load_dossiers), ("entries", self.load_entries),
            ("index", lambda: (self.index(TEMP_INDEXES), self.analyze(dossier_t, entry_t, notified_t))),
            ("match", self.match), ("findings", self.findings), ("tally", self.tally),
            ("diff", self.diff), ("merge", self.merge), ("finish", self.drop_tables),
        ]

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
        self.insert(dossier_t, select)

    # -- 2. one row per register entry: what matching and the findings need -------------------

    def load_entries(self) -> None:
        """Every register entry of the institutions in scope with when it was first notified
        (and whether withdrawn), from the institutions' `ap_notification` metadata. One table
        for the matching stages (b) and (c) and for the findings: the entries are read from
        the registers once, not once for matching and again after."""
        b = register.breaches().subquery("b")
        n = register.notifications().subquery("n")
        initial_at = sa.func.min(sa.case((n.c.kind == "initial", n.c.submitted_at)))
        r = (sa.select(n.c.tenant_id, n.c.breach_id,
                       sa.func.coalesce(initial_at, sa.func.min(n.c.submitted_at)).label("notified_at"),
                       sa.func.max(sa.case((n.c.kind == "withdrawal", 1), else_=0)).label("withdrawn"))
             .group_by(n.c.tenant_id, n.c.breach_id).subquery("r"))
        # Not joined here: board decisions, communications and quality (each is needed by one
        # finding about a few entries, which looks them up itself), and the matches (the findings read
        # every entry beside its matches in one pass, `_register_findings`).

        select = (
            sa.select(
                b.c.tenant_id, b.c.id, sa.func.coalesce(b.c.aware_at, b.c.created_at), b.c.aware_at,
                b.c.incident_type, b.c.persons_min, b.c.persons_max, b.c.risk_outcome,
                b.c.subject_communication_status, r.c.notified_at, r.c.withdrawn)
            .select_from(b.outerjoin(r, sa.and_(r.c.tenant_id == b.c.tenant_id, r.c.breach_id == b.c.id)))
            .where(self.scoped(b.c.tenant_id))
        )
        self.insert(entry_t, select)
        e = entry_t
        self.insert(notified_t, sa.select(e.c.institution_id, e.c.breach_id, e.c.notified_at)
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
        return self.insert(match_t, select)

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
        return self.insert(match_t, select)

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
        self.analyze(match_t)
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
        self.insert(current_t, sa.select(*self.finding(
            kind, key(kind, d.c.kvk, d.c.ap_reference), institution=d.c.institution_id,
            reference=d.c.ap_reference, detail=sa.case((withdrawn, "not_matched")),
            anchor=d.c.received_at))
            .where(self.in_period(d.c.received_at), d.c.institution_id.is_not(None), self._unmatched_dossier(d)))
        self.insert(current_t, sa.select(*self.finding(
            "matched", key("matched", m.c.institution_id, m.c.method), institution=m.c.institution_id,
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
        # decided to notify, but nothing was ever sent (and the 72 hours have passed); decisions
        # are looked up (index on the breach) only for entries nobody notified, and the moment
        # of the first one only when the moment of awareness is unknown
        said_yes = register.notify_decisions(True).subquery("yes")
        this_breach = sa.and_(said_yes.c.tenant_id == e.c.institution_id, said_yes.c.breach_id == e.c.breach_id,
                              said_yes.c.decided_at.is_not(None))
        decided_at = sa.select(sa.func.min(said_yes.c.decided_at)).where(this_breach).scalar_subquery()
        # a scalar subquery, not EXISTS: PostgreSQL may hash an EXISTS over every decision
        # (two passes over a million) where a look-up for the few entries concerned suffices
        decided = sa.select(sa.literal(1)).where(this_breach).limit(1).scalar_subquery().is_not(None)
        waiting_since = sa.func.coalesce(e.c.aware_at, decided_at)
        waiting = hours_between(waiting_since, when(self.now))
        # notified more than 72 hours after awareness without a recorded reason; the moment of
        # notification is when the AP received it, else what the register says
        notified = sa.func.coalesce(m.c.received_at, e.c.notified_at)
        late = hours_between(e.c.aware_at, notified)
        # whether the register gives a reason for the delay: a flag its own tenant computed from
        # the text (`breach_quality`), looked up (unique index) only for entries notified late
        q = register.quality().subquery("q")
        reasoned = yes(sa.select(q.c.has_delay_reason).where(
            q.c.tenant_id == e.c.institution_id, q.c.breach_id == e.c.breach_id).scalar_subquery())
        comms = register.communications().subquery("comms")
        told = sa.exists().where(comms.c.tenant_id == e.c.institution_id, comms.c.breach_id == e.c.breach_id)
        about_entry = {
            # the register says notified, but the AP has no such notification
            "register_says_notified_but_ap_missing": sa.and_(
                e.c.notified_at.is_not(None), unmatched, self.in_period(e.c.notified_at)),
            "register_notify_yes_never_sent": sa.and_(
                e.c.notified_at.is_(None), unmatched, self.in_period(e.c.anchor_at), decided,
                exceeds_hours(waiting_since, when(self.now), LATE_AFTER_HOURS)),
            "late_without_reason": sa.and_(
                notified.is_not(None), e.c.aware_at.is_not(None),
                exceeds_hours(e.c.aware_at, notified, LATE_AFTER_HOURS),
                self.in_period(notified), sa.not_(reasoned), first),
            # high risk, but the people affected were not informed (and no Art. 34(3) ground)
            "high_risk_without_subject_communication": sa.and_(
                e.c.risk_outcome == "high_risk",
                sa.or_(e.c.subject_status.is_(None), e.c.subject_status == "not_required_not_high_risk"),
                sa.not_(told), self.in_period(e.c.anchor_at), first),
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
        checks = {**about_entry, **{name: sa.and_(differs, received) for name, differs in about_match.items()}}
        # The same conditions, factored for the filter that every row passes through, what is
        # rarely true first (PostgreSQL evaluates AND and OR left to right and stops early).
        any_check = sa.or_(*about_entry.values(), sa.and_(sa.or_(*about_match.values()), received))
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
        kinds = codes(list(checks), "kinds")
        which = sa.case(*[(kinds.c.code == name, flagged.c[f"x_{name}"] == 1) for name in checks], else_=sa.false())
        code, f = kinds.c.code, flagged.c
        withdrawn = code == "withdrawn"
        mismatch = code.in_([name for name in about_match if name != "withdrawn"])
        on_match = sa.or_(mismatch, withdrawn)
        kind = sa.case((mismatch, "field_mismatch"), else_=code)
        finding_key = sa.case((mismatch, key("field_mismatch", f.kvk, f.ap_reference, code)),
                              (withdrawn, key("withdrawn", f.kvk, f.ap_reference)), else_=key(code, f.breach_id))
        detail = sa.case((mismatch, code), (withdrawn, f.withdrawn_detail))
        hours = sa.case((code == "register_notify_yes_never_sent", f.waiting), (code == "late_without_reason", f.late))
        anchor = sa.case((code == "register_says_notified_but_ap_missing", f.notified_at),
                         (code == "late_without_reason", f.ap_or_register_at),
                         (on_match, f.received_at), else_=f.anchor_at)
        self.insert(current_t, sa.select(*self.finding(
            kind, finding_key, institution=f.institution_id, reference=sa.case((on_match, f.ap_reference)),
            breach=f.breach_id, method=sa.case((on_match, f.method)), detail=detail, hours=hours, anchor=anchor))
            .select_from(flagged.join(kinds, sa.true())).where(which))

    # -- 5. per institution: what the AP received, what the register says was notified ----------

    def tally(self) -> None:
        """Counted here, where the dossiers and entries already are, for the review."""
        e, d, o = notified_t, dossier_t, self.merged  # the notified entries: the narrow copy
        o.noted_by_institution = {i: int(n) for i, n in self.execute(
            sa.select(e.c.institution_id, sa.func.count())
            .where(self.in_period(e.c.notified_at)).group_by(e.c.institution_id)).all()}
        received = {i: int(n) for i, n in self.execute(
            sa.select(d.c.institution_id, sa.func.count())
            .where(self.in_period(d.c.received_at)).group_by(d.c.institution_id)).all()}
        o.outside_platform = received.pop(None, 0)  # dossiers of organisations not on the platform
        o.received_by_institution = received
        o.received = sum(received.values()) + o.outside_platform


def reconcile(regulator_id: uuid.UUID, run_id: uuid.UUID, period_from: date, period_until: date,
              now: datetime | None = None, timings: dict | None = None) -> Reconciled:
    """Run one reconciliation in a single transaction of the regulator's workspace."""
    now = now or utcnow()
    return run_step(regulator_id, lambda ws: Reconciler(ws, regulator_id, run_id, period_from, period_until, now),
                    timings)
