"""Reconciliation: exactly the planted findings, history across runs, set-based execution."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from lekwijzer.db import db
from lekwijzer.tenancy import tenant_scope
from tests.regulator import scenario
from tests.regulator.conftest import reconcile, upload


def _describe_all(app, sector, regulator_id) -> set:
    return {sector.describe(f) for f in scenario.kept_findings(app, regulator_id)}


def _runs(app, regulator_id):
    from regulator.models import ReconciliationRun

    with app.app_context(), tenant_scope(regulator_id):
        return [(r.id, r.status, r.counts, r.new_findings, r.resolved_findings, r.outside_platform, r.error)
                for r in db.session.scalars(sa.select(ReconciliationRun).order_by(ReconciliationRun.requested_at))]


def test_the_planted_discrepancies_and_nothing_else(app, world, sector, login):
    """Through the pages, as an AP analyst would: upload the intake file, reconcile."""
    analyst = login(app, world.user("r", "analyst"))
    assert upload(analyst, "org-r", scenario.as_csv(sector.rows)).status_code == 200
    started = reconcile(analyst, "org-r")
    assert started.status_code == 302
    found = _describe_all(app, sector, world.orgs["r"].id)
    assert found - scenario.EXPECTED == set(), "findings nobody planted"
    assert scenario.EXPECTED - found == set(), "planted discrepancies not found"
    (run_id, status, counts, new, resolved, outside, error), = _runs(app, world.orgs["r"].id)
    assert (status, error, outside, resolved) == ("done", None, 1, 0)
    assert counts["matched"] == 18 and counts["field_mismatch"] == 3
    matched_rows = sum(1 for f in found if f[0] == "matched")
    assert sum(counts.values()) == len(found) - matched_rows + 18
    assert new == len(found)
    page = analyst.get(started.headers["Location"]).get_data(as_text=True)
    assert "18" in page
    # Matched notifications are listed as counts per institution and method, on request.
    listed = analyst.get("/o/org-r/ap/findings?kind=matched").get_data(as_text=True)
    assert listed.count("<tr class=\"utrecht-table__row\">") - 1 == 11  # header row + one per count
    assert "3 meldingen" in listed and "1 melding " in listed


@pytest.mark.pg
def test_the_planted_discrepancies_on_postgresql_under_row_level_security(pg_app, pg_world, pg_sector, login):
    """The same on PostgreSQL: the reconciliation reads registers as the oversight role (marked
    columns only) and writes only the regulator's own workspace."""
    analyst = login(pg_app, pg_world.user("r", "analyst"))
    assert upload(analyst, "org-r", scenario.as_csv(pg_sector.rows)).status_code == 200
    assert reconcile(analyst, "org-r").status_code == 302
    assert _describe_all(pg_app, pg_sector, pg_world.orgs["r"].id) == scenario.EXPECTED
    (_id, status, _counts, _new, _resolved, outside, error), = _runs(pg_app, pg_world.orgs["r"].id)
    assert (status, error, outside) == ("done", None, 1)


def _statuses(app, sector, regulator_id, run_id) -> dict:
    """{described finding: new | open | resolved} as of run `run_id`."""
    out = {}
    for f in scenario.kept_findings(app, regulator_id):
        state = "resolved" if f.status == "resolved" else ("new" if f.first_seen_run_id == run_id else "open")
        out[sector.describe(f)] = state
    return out


def test_findings_keep_their_history_new_still_open_resolved_reopened(app, world, sector, login):
    from regulator.models import ReconciliationRun
    from tenants.register.models import Breach

    regulator = world.orgs["r"].id
    analyst = login(app, world.user("r", "analyst"))
    upload(analyst, "org-r", scenario.as_csv(sector.rows))
    reconcile(analyst, "org-r")
    first = _runs(app, regulator)[0][0]

    # A explains its late notification in the register; the AP receives a notification B never registered.
    with app.app_context():
        with tenant_scope(sector.orgs["a"]):
            db.session.scalar(sa.select(Breach).where(Breach.id == sector.entries["A3"])).delay_reason = \
                "De verwerker meldde het lek pas na vier dagen aan ons."
        extra = [scenario.received("AP-B-999", sector.kvk["b"], scenario.utc(2026, 5, 20, 10),
                                   aware_at=scenario.utc(2026, 5, 19, 9), incident_type="ransomware")]
    upload(analyst, "org-r", scenario.as_csv(sector.rows + extra), "tweede.csv")
    reconcile(analyst, "org-r")
    second = _runs(app, regulator)[1]
    states = _statuses(app, sector, regulator, second[0])
    assert states[("late_without_reason", "a", "A3", None)] == "resolved"
    assert states[("incomplete_entry", "a", "A3", "delay_reason")] == "resolved"
    assert states[("ap_received_but_not_in_register", "b", "AP-B-999", None)] == "new"
    still = {k for k, v in states.items() if v == "open"}
    assert still == scenario.EXPECTED - {("late_without_reason", "a", "A3", None),
                                          ("incomplete_entry", "a", "A3", "delay_reason")}
    assert (second[3], second[4]) == (1, 2)  # one new, two resolved

    # The reason is removed again: the same findings come back, reopened (same ids, history kept).
    with app.app_context():
        with tenant_scope(sector.orgs["a"]):
            db.session.scalar(sa.select(Breach).where(Breach.id == sector.entries["A3"])).delay_reason = None
    reconcile(analyst, "org-r")
    kept = {sector.describe(f): f for f in scenario.kept_findings(app, regulator)}
    late = kept[("late_without_reason", "a", "A3", None)]
    assert (late.status, late.reopened, late.first_seen_run_id, late.resolved_at) == ("open", 1, first, None)
    with app.app_context(), tenant_scope(regulator):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReconciliationRun)) == 3


def test_a_second_run_over_the_same_data_changes_nothing(app, world, sector, login):
    regulator = world.orgs["r"].id
    analyst = login(app, world.user("r", "analyst"))
    upload(analyst, "org-r", scenario.as_csv(sector.rows))
    reconcile(analyst, "org-r")
    before = {f.id: (f.finding_key, f.status, f.first_seen_run_id) for f in scenario.kept_findings(app, regulator)}
    reconcile(analyst, "org-r")
    after = {f.id: (f.finding_key, f.status, f.first_seen_run_id) for f in scenario.kept_findings(app, regulator)}
    assert before == after
    runs = _runs(app, regulator)
    assert (runs[1][3], runs[1][4]) == (0, 0)
    assert runs[1][2] == runs[0][2]


def test_a_run_over_a_shorter_period_leaves_findings_outside_it_alone(app, world, sector, login):
    regulator = world.orgs["r"].id
    analyst = login(app, world.user("r", "analyst"))
    upload(analyst, "org-r", scenario.as_csv(sector.rows))
    reconcile(analyst, "org-r")
    reconcile(analyst, "org-r", period=(date(2026, 1, 1), date(2026, 1, 31)))
    assert {f.status for f in scenario.kept_findings(app, regulator)} == {"open"}


def test_an_entry_the_ap_matched_twice_is_judged_once_by_its_first_notification(app, world, sector, login):
    """Two AP references on one register entry (it was notified twice): both notifications match
    it, and what is about the entry is found once, judged by the notification the AP received
    first — on time for M (the second came late), late for N (both came late)."""
    from tests.regulator.factory import day, entry, received

    regulator, g = world.orgs["r"].id, sector.orgs["g"]
    m_aware, n_aware = day(date(2026, 2, 10)), day(date(2026, 3, 12))
    with app.app_context(), tenant_scope(g):
        m = entry(aware=m_aware, corrective=False, notified=[
            ("initial", "AP-M-1", m_aware + timedelta(hours=30)),
            ("initial", "AP-M-2", m_aware + timedelta(hours=120))])
        n = entry(aware=n_aware, notified=[
            ("initial", "AP-N-1", n_aware + timedelta(hours=100)),
            ("initial", "AP-N-2", n_aware + timedelta(hours=130))])
        m_id, n_id = m.id, n.id
    kvk = sector.kvk["g"]
    rows = sector.rows + [
        received("AP-M-1", kvk, m_aware + timedelta(hours=30, minutes=5), aware_at=m_aware),
        received("AP-M-2", kvk, m_aware + timedelta(hours=120, minutes=5), aware_at=m_aware),
        received("AP-N-1", kvk, n_aware + timedelta(hours=100, minutes=6), aware_at=n_aware),
        received("AP-N-2", kvk, n_aware + timedelta(hours=130, minutes=6), aware_at=n_aware)]
    analyst = login(app, world.user("r", "analyst"))
    upload(analyst, "org-r", scenario.as_csv(rows))
    reconcile(analyst, "org-r")
    about = {}
    for f in scenario.kept_findings(app, regulator):
        if f.breach_id in (m_id, n_id):
            about.setdefault(("M" if f.breach_id == m_id else "N", f.kind, f.detail), []).append(f)
    assert sorted(about) == [("M", "incomplete_entry", "corrective_measure"),
                             ("M", "missing_corrective_measures", None),
                             ("N", "incomplete_entry", "delay_reason"), ("N", "late_without_reason", None)]
    assert all(len(found) == 1 for found in about.values())
    assert round(about[("N", "late_without_reason", None)][0].hours, 1) == 100.1  # the first notification
    matched = {sector.describe(f) for f in scenario.kept_findings(app, regulator) if f.kind == "matched"}
    assert ("matched", "g", "reference", 2 + 4) in matched


def _count_statements(app, action) -> int:
    with app.app_context():
        engine = db.engines["oversight"]
    count = {"n": 0}

    def counter(*_args, **_kw):
        count["n"] += 1

    event.listen(engine, "before_cursor_execute", counter)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count["n"]


def test_reconciliation_is_set_based_the_statements_do_not_grow_with_the_data(app, world, sector, login):
    """Twelve times the register entries and notifications: the same number of statements —
    the work is done by joins in the database, not by a loop over rows in Python."""
    from tenants.oversight.models import ReconciliationFinding
    from tests.regulator.factory import entry, received

    analyst = login(app, world.user("r", "analyst"))
    upload(analyst, "org-r", scenario.as_csv(sector.rows))
    small = _count_statements(app, lambda: reconcile(analyst, "org-r"))
    with app.app_context():
        with tenant_scope(sector.orgs["g"]):
            for n in range(200):
                aware = scenario.utc(2026, 1, 5, 8) + timedelta(hours=17 * n)
                ref = f"AP-EXTRA-{n}"
                entry(aware=aware, notified=[("initial", ref, aware + timedelta(hours=20))])
                sector.rows.append(received(ref, sector.kvk["g"], aware + timedelta(hours=20, minutes=4),
                                            aware_at=aware))
    upload(analyst, "org-r", scenario.as_csv(sector.rows), "groter.csv")
    large = _count_statements(app, lambda: reconcile(analyst, "org-r"))
    with app.app_context(), tenant_scope(world.orgs["r"].id):
        matched = db.session.scalar(sa.select(sa.func.sum(ReconciliationFinding.notifications))
                                    .where(ReconciliationFinding.kind == "matched"))
    assert matched == 18 + 200
    # The same statements; only the three conditional writes of each step's merge (reopen,
    # update, resolve; the reconciliation and the review each merge their own kinds) run or
    # not depending on whether anything changed — never once per row.
    assert small < 100 and abs(large - small) <= 6


def test_without_the_learning_features_answers_governance_is_unknown_and_raises_nothing(app, world, sector, login):
    """Until the reporting-policy and board-report tables exist, nobody can tell: no finding,
    and the review says 'unknown' rather than 'no'."""
    from tenants.oversight import governance
    from tenants.oversight.models import InstitutionReview

    previous = governance.set_provider(None)
    try:
        analyst = login(app, world.user("r", "analyst"))
        upload(analyst, "org-r", scenario.as_csv(sector.rows))
        reconcile(analyst, "org-r")
    finally:
        governance.set_provider(previous)
    kinds = {f.kind for f in scenario.kept_findings(app, world.orgs["r"].id)}
    assert kinds.isdisjoint({"policy_stale", "policy_fg_decides", "no_board_report"})
    with app.app_context(), tenant_scope(world.orgs["r"].id):
        review = db.session.scalar(sa.select(InstitutionReview).where(
            InstitutionReview.institution_id == sector.orgs["d"]))
        assert (review.policy_stale, review.policy_fg_decides, review.reports_known) == (None, None, False)
    page = analyst.get("/o/org-r/ap/institutions/org-dx").get_data(as_text=True)
    assert "onbekend" in page


def test_the_nightly_sweep_reconciles_and_publishes_statistics(app, world, sector, login):
    from lekwijzer.jobs import enqueue
    from regulator.models import ReconciliationRun, StatisticsSnapshot

    analyst = login(app, world.user("r", "analyst"))
    upload(analyst, "org-r", scenario.as_csv(sector.rows))
    with app.app_context():
        enqueue("regulator.sweep", tenant_id=None)
        db.session.commit()
    with app.app_context(), tenant_scope(world.orgs["r"].id):
        runs = db.session.execute(sa.select(ReconciliationRun.status, ReconciliationRun.period_from)).all()
        snapshots = db.session.scalars(sa.select(StatisticsSnapshot.granularity)).all()
    assert [tuple(r) for r in runs] == [("done", date(2026, 1, 16))]  # from the first notification received
    assert sorted(snapshots) == ["quarter", "year"]
