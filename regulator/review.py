"""Register quality: each institution's register as a whole, reviewed after the reconciliation.

The second step of the nightly job (`jobs.reconcile_job`), in its own transaction on the
oversight role, after the reconciliation (`reconcile.py`) has committed. It writes the
quality findings (`QUALITY_KINDS`) and one `institution_review` per institution, and
resolves only quality findings: what the reconciliation found is the reconciliation's.

1. *entries*: every register entry of the period beside its quality flags
   (`breach_quality`, computed from the text inside each institution's own tenant);
2. the quality findings of settled entries (closed, or older than the grace period) as one
   INSERT … SELECT: incomplete, description too short, risk without reasoning, not ended,
   no corrective measures;
3. per institution: one aggregate of the same entries, the notifications the AP received
   per 100 employees and per 1,000 clients against the sector's lowest decile (the counts
   come from the reconciliation), and the reporting policy and board reports
   (`tenants.oversight.governance`) — findings about the institution as a whole;
4. the merge into the kept findings of these kinds, the reviews, and the run's totals.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from lekwijzer.db import UTCDateTime, utcnow
from tenants.oversight import register
from tenants.oversight.benchmark import quantile
from tenants.oversight.governance import governance_for
from tenants.oversight.labels import QUALITY_KINDS
from tenants.oversight.models import InstitutionReview, ReconciliationFinding
from tenants.oversight.quality import ALWAYS

from .findings import FindingsStep, Merged, codes, current_t, key, run_step, temporary, when, yes
from .models import ReconciliationRun
from .reconcile import Reconciled

GRACE = timedelta(days=30)  # quality findings only for entries older than this (or closed)
MIN_INSTITUTIONS_FOR_DECILE = 5

TEMP = sa.MetaData()
# The quality flags the findings and the review test on every entry (the others are read only
# for the few incomplete entries, to say what is missing).
QUALITY_FLAGS = ["has_corrective_measure", "description_too_short", "risk_without_reasoning"]
entry_t = temporary(
    "rq_entry", TEMP,
    sa.Column("institution_id", sa.Uuid), sa.Column("breach_id", sa.Uuid), sa.Column("status", sa.String(48)),
    sa.Column("anchor_at", UTCDateTime()), sa.Column("ended_at", UTCDateTime()),
    sa.Column("has_quality", sa.Integer), sa.Column("completeness", sa.Integer),
    *[sa.Column(name, sa.Boolean) for name in QUALITY_FLAGS])
LACKING = ("incomplete_entry", "description_too_short", "risk_without_reasoning", "breach_not_ended",
           "missing_corrective_measures")


@dataclass
class Reviewed(Merged):
    institutions: int = 0
    reviews: list = field(default_factory=list)


class Review(FindingsStep):
    """One review of every register. Use `run()`; the steps are methods so the benchmark can
    time them."""

    KINDS = QUALITY_KINDS
    TEMP = TEMP
    OUTCOME = Reviewed

    def __init__(self, ws, regulator_id, run_id, period_from, period_until, now, reconciled: Reconciled,
                 started: datetime):
        super().__init__(ws, regulator_id, run_id, period_from, period_until, now)
        self.reconciled, self.started = reconciled, started

    def steps(self) -> list:
        return [
            ("prepare", self.prepare), ("entries", self.load_entries), ("findings", self.findings),
            ("institutions", self.institutions), ("diff", self.diff), ("merge", self.merge),
            ("save_reviews", self.save_reviews), ("finish", self.finish),
        ]

    def settled(self, e):
        return sa.or_(e.c.status == "closed", e.c.anchor_at < when(self.now - GRACE))

    # -- 1. the period's entries with their quality flags ---------------------------------------

    def load_entries(self) -> None:
        b, q = register.breaches().subquery("b"), register.quality().subquery("q")
        anchor = sa.func.coalesce(b.c.aware_at, b.c.created_at)
        self.insert(entry_t, sa.select(
            b.c.tenant_id, b.c.id, b.c.status, anchor, b.c.ended_at,
            sa.case((q.c.breach_id.is_not(None), 1), else_=0), q.c.completeness, *[q.c[name] for name in QUALITY_FLAGS])
            .select_from(b.outerjoin(q, sa.and_(q.c.tenant_id == b.c.tenant_id, q.c.breach_id == b.c.id)))
            .where(self.scoped(b.c.tenant_id), self.in_period(anchor)))

    # -- 2. quality findings about entries -------------------------------------------------------

    def findings(self) -> None:
        e = entry_t
        lacking = {
            "incomplete_entry": e.c.completeness < 100,
            "description_too_short": yes(e.c.description_too_short),
            "risk_without_reasoning": yes(e.c.risk_without_reasoning),
            "breach_not_ended": e.c.ended_at.is_(None),
            "missing_corrective_measures": sa.not_(yes(e.c.has_corrective_measure)),
        }
        flagged = (
            sa.select(e.c.institution_id, e.c.breach_id, e.c.anchor_at,
                      *[sa.case((condition, 1), else_=0).label(f"x_{name}") for name, condition in lacking.items()])
            .where(e.c.has_quality == 1, self.settled(e), sa.or_(*lacking.values()))
        ).cte("flagged").prefix_with("MATERIALIZED")
        kinds = codes(list(LACKING), "kinds")
        code, f = kinds.c.code, flagged.c
        which = sa.case(*[(code == name, f[f"x_{name}"] == 1) for name in LACKING], else_=sa.false())
        self.insert(current_t, sa.select(*self.finding(
            code, key(code, f.breach_id), institution=f.institution_id, breach=f.breach_id,
            detail=sa.case((code == "incomplete_entry", self._missing(f))), anchor=f.anchor_at))
            .select_from(flagged.join(kinds, sa.true())).where(which))

    @staticmethod
    def _missing(flagged):
        """What an incomplete entry lacks, from its full quality row (looked up for those only)."""
        q = register.quality().subquery("q")
        missing = None
        for part in ALWAYS:
            piece = sa.case((yes(q.c[f"has_{part}"]), ""), else_=f"{part},")
            missing = piece if missing is None else missing + piece
        missing = (missing
                   + sa.case((sa.and_(yes(q.c.delay_reason_needed), sa.not_(yes(q.c.has_delay_reason))),
                              "delay_reason,"), else_="")
                   + sa.case((sa.and_(yes(q.c.no_notification_reasoning_needed),
                                      sa.not_(yes(q.c.has_no_notification_reasoning))),
                              "no_notification_reasoning,"), else_=""))
        return (sa.select(sa.func.rtrim(missing, ","))
                .where(q.c.tenant_id == flagged.institution_id, q.c.breach_id == flagged.breach_id)
                .scalar_subquery())

    # -- 3. per institution: quality summary, notification rates, governance ----------------------

    def institutions(self) -> None:
        e, settled = entry_t, self.settled(entry_t)
        inst_rows = self.ws.execute(sa.select(self.inst).where(self.inst.c.kvk.is_not(None))).all()
        self.merged.institutions = len(inst_rows)

        def count_if(condition):
            return sa.func.sum(sa.case((condition, 1), else_=0))

        # institutions without entries in the period have no row here (their counts are 0)
        quality = {row.institution_id: row for row in self.ws.execute(
            sa.select(e.c.institution_id, sa.func.count().label("breaches"),
                      count_if(e.c.completeness == 100).label("complete"),
                      sa.func.avg(e.c.completeness).label("completeness"),
                      count_if(sa.and_(settled, yes(e.c.description_too_short))).label("too_short"),
                      count_if(sa.and_(settled, yes(e.c.risk_without_reasoning))).label("no_reasoning"),
                      count_if(sa.and_(settled, e.c.ended_at.is_(None))).label("not_ended"),
                      count_if(sa.and_(settled, e.c.has_quality == 1,
                                       sa.not_(yes(e.c.has_corrective_measure)))).label("no_corrective"))
            .group_by(e.c.institution_id))}
        received, noted = self.reconciled.received_by_institution, self.reconciled.noted_by_institution

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

            self.merged.reviews.append(dict(
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
                extra.append(self.institution_finding("policy_stale", row.id))
            if g.policy_fg_decides:
                extra.append(self.institution_finding("policy_fg_decides", row.id))
            if g.no_recent_board_report(self.now):
                extra.append(self.institution_finding("no_board_report", row.id))
            low = [name for name, flag in (("employees", low_emp), ("clients", low_cli)) if flag]
            if low:
                extra.append(self.institution_finding("under_reporting", row.id, ",".join(low), per_emp.get(row.id)))
        if extra:
            self.execute(sa.insert(current_t), extra)

    @staticmethod
    def institution_finding(kind, institution_id, detail=None, hours=None) -> dict:
        """A finding about an institution as a whole (a row for `rc_current`)."""
        return {"finding_key": f"{kind}|{institution_id}", "kind": kind, "institution_id": institution_id,
                "ap_reference": None, "breach_id": None, "match_method": None, "detail": detail,
                "hours": hours, "anchor_at": None, "notifications": None}

    # -- 4. reviews and the run's totals ------------------------------------------------------------

    def save_reviews(self) -> None:
        """With the open findings of every kind (the reconciliation's are committed already)."""
        f = ReconciliationFinding.__table__
        open_counts = dict(self.execute(
            sa.select(f.c.institution_id, sa.func.count())
            .where(f.c.tenant_id == self.reg, f.c.status == "open", f.c.kind.not_in(["matched", "withdrawn"]))
            .group_by(f.c.institution_id)).all())
        for review in self.merged.reviews:
            review["open_findings"] = int(open_counts.get(review["institution_id"], 0))
        if self.merged.reviews:
            self.execute(sa.insert(InstitutionReview.__table__), self.merged.reviews)

    def finish(self) -> None:
        rec, rev, run = self.reconciled, self.merged, ReconciliationRun.__table__
        finished = utcnow()
        self.execute(sa.update(run).where(run.c.tenant_id == self.reg, run.c.id == self.run_id).values(
            status="done", started_at=self.started, finished_at=finished,
            seconds=(finished - self.started).total_seconds(), institutions=rev.institutions,
            received=rec.received, outside_platform=rec.outside_platform, counts={**rec.counts, **rev.counts},
            new_findings=rec.new + rev.new, resolved_findings=rec.resolved + rev.resolved, error=None))
        self.drop_tables()


def decile(values) -> float | None:
    """The 10th percentile (linear interpolation), or None for fewer than 5 institutions."""
    ordered = sorted(values)
    return quantile(ordered, 0.1) if len(ordered) >= MIN_INSTITUTIONS_FOR_DECILE else None


def review(regulator_id: uuid.UUID, run_id: uuid.UUID, period_from: date, period_until: date,
           reconciled: Reconciled, started: datetime | None = None, now: datetime | None = None,
           timings: dict | None = None) -> Reviewed:
    """Review every register in a single transaction of the regulator's workspace, after the
    reconciliation of the same run (whose counts it uses), and finish the run."""
    now = now or utcnow()
    return run_step(regulator_id, lambda ws: Review(ws, regulator_id, run_id, period_from, period_until, now,
                                                    reconciled, started or now), timings)
