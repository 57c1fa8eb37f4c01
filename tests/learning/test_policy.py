"""The reporting-policy register: versions, reviews, staleness, reminders by mail (a link, nothing more)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from lekwijzer.db import db
from tests.learning.conftest import count

POLICY = "/o/org-a/learning/policy"


def test_status_of_the_current_version():
    from tenants.learning.policy import ReviewRow, VersionRow, compute_status

    v1 = VersionRow("v1", date(2023, 3, 1), date(2024, 3, 1), "board", True)
    v2 = VersionRow("v2", date(2025, 1, 10), date(2026, 1, 10), "fg", False)
    status = lambda today, reviews=(): compute_status([v1, v2], list(reviews), 12, 30, today)  # noqa: E731
    assert status(date(2022, 1, 1))["status"] == "none"
    assert status(date(2023, 12, 1))["status"] == "current"
    assert status(date(2024, 2, 15))["status"] == "review_due"
    assert status(date(2024, 3, 2))["status"] == "stale"  # a year after adoption, not reviewed
    s = status(date(2025, 6, 1))
    assert (s["policy_id"], s["status"], s["fg_decides"], s["fg_not_involved"]) == ("v2", "current", True, True)
    assert status(date(2026, 1, 9))["status"] == "review_due"
    assert status(date(2026, 1, 11))["status"] == "stale"
    # A review within the interval keeps the version current, and sets the next date.
    reviewed = [ReviewRow("v2", date(2025, 12, 20), "unchanged", date(2026, 12, 1))]
    s = status(date(2026, 2, 1), reviewed)
    assert (s["status"], s["last_reviewed"], s["review_due"]) == ("current", date(2025, 12, 20), date(2026, 12, 1))
    # Past its own review date, but still inside the interval: overdue, not yet stale.
    early = [ReviewRow("v2", date(2025, 6, 1), "revision_needed", date(2025, 9, 1))]
    s = status(date(2025, 10, 1), early)
    assert (s["status"], s["revision_needed"]) == ("review_overdue", True)


def _version(**over):
    data = {"version_label": "3.0", "adopted_on": "2025-02-01", "adopted_by_body": "board",
            "adopted_by_name": "Raad van bestuur", "fg_involved": "true", "decision_role": "board",
            "document_reference": "Intranet / Beleid / Meldbeleid datalekken v3.0", "summary": "Nieuwe rolverdeling"}
    data.update(over)
    return data


def test_versions_and_reviews_are_registered_with_their_rules(app, world, client_on, in_tenant):
    from tenants.learning.models import PolicyReview, ReportingPolicy

    c = client_on("a", "privacy_officer", POLICY)
    future = (date.today() + timedelta(days=3)).isoformat()
    for bad, field in [(_version(adopted_on=future), "adopted_on"),
                       (_version(next_review_on="2025-01-01"), "next_review_on"),
                       (_version(decision_role="whoever"), "decision_role"),
                       ({k: v for k, v in _version().items() if k != "fg_involved"}, "fg_involved")]:
        r = c.post(POLICY + "/versions", bad)
        assert r.status_code == 422 and f'href="#field-{field}"' in r.get_data(as_text=True), field
    with in_tenant():
        assert count(ReportingPolicy) == 0
    assert c.post(POLICY + "/versions", _version()).status_code == 302
    assert c.post(POLICY + "/versions", _version()).status_code == 422  # the same version number again
    with in_tenant():
        row = db.session.scalar(sa.select(ReportingPolicy))
        policy_id = row.id
        assert row.next_review_on == date(2026, 2, 1)  # default: the review interval (12 months)
    r = c.post(f"{POLICY}/versions/{policy_id}/reviews", {"reviewed_on": "2024-12-01", "outcome": "unchanged"})
    assert r.status_code == 422  # before the adoption
    r = c.post(f"{POLICY}/versions/{policy_id}/reviews", {"reviewed_on": date.today().isoformat(), "outcome": "unchanged"})
    assert r.status_code == 302
    with in_tenant():
        assert count(PolicyReview) == 1
    page = c.get(POLICY).get_data(as_text=True)
    assert "Actueel" in page and "3.0" in page


def test_a_policy_in_which_the_fg_decides_is_flagged(app, world, client_on):
    c = client_on("a", "tenant_admin", POLICY)
    assert c.post(POLICY + "/versions", _version(decision_role="fg", fg_involved="false",
                                                  adopted_on=date.today().isoformat())).status_code == 302
    page = c.get(POLICY).get_data(as_text=True)
    assert "Volgens dit beleid beslist de FG over melden." in page
    assert "Het beleid betrekt de FG niet bij de afhandeling van datalekken." in page
    dashboard = c.get("/o/org-a/").get_data(as_text=True)
    assert "FG beslist" in dashboard
    assert client_on("a", "fg", POLICY).post(POLICY + "/versions", _version(version_label="9")).status_code == 403


def _run_the_clock(app):
    from lekwijzer.jobs.clock import tick

    with app.app_context():
        tick()


def test_reminders_go_out_once_with_a_link_only(app, world, smtp, in_tenant):
    from tenants.learning.models import BoardReport, ReportingPolicy

    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, BASE_URL="https://lw.test")
    secret = "INHOUD-VAN-HET-BELEID-Q7"
    with in_tenant("a"):
        db.session.add(ReportingPolicy(version_label="2.1", adopted_on=date.today() - timedelta(days=340),
                                       adopted_by_body="board", fg_involved=True, decision_role="board",
                                       next_review_on=date.today() + timedelta(days=10), summary=secret))
    with in_tenant("b"):  # B signed a report last month and has a fresh policy: nothing to remind
        db.session.add(ReportingPolicy(version_label="1", adopted_on=date.today() - timedelta(days=20),
                                       adopted_by_body="board", fg_involved=True, decision_role="board",
                                       next_review_on=date.today() + timedelta(days=340)))
        db.session.add(BoardReport(period_start=date(2025, 1, 1), period_end=date(2025, 6, 30), status="ready",
                                   signed_at=datetime.now(timezone.utc) - timedelta(days=30)))
    _run_the_clock(app)
    messages = smtp.wait_for(4)
    got = sorted((rcpt[0], " ".join(msg["Subject"].split())) for rcpt, msg in messages)  # unfold the header
    a = {role: world.user("a", role).email for role in ("privacy_officer", "tenant_admin", "board")}
    policy_subject = "Het meldbeleid voor datalekken moet binnenkort worden geëvalueerd"
    report_subject = "Er is het afgelopen halfjaar geen bestuursrapportage datalekken vastgesteld"
    expected = sorted([(a["privacy_officer"], policy_subject), (a["tenant_admin"], policy_subject),
                       (a["board"], report_subject), (a["privacy_officer"], report_subject)])
    assert [(to, s.split(" (LW")[0].replace("[Lekwijzer] ", "")) for to, s in got] == expected
    for _, msg in messages:
        body = msg.get_content()
        assert secret not in body and "2.1" not in body
        assert "https://lw.test/o/org-a/learning/" in body
    # The next tick (or a second clock) sends nothing new.
    from lekwijzer.jobs.clock import tick

    with app.app_context():
        from lekwijzer.models import OutboxJob

        db.session.execute(sa.delete(OutboxJob).where(OutboxJob.job == "learning.reminders"))
        db.session.commit()
        tick()
    import time

    time.sleep(0.5)
    assert len(smtp.messages) == 4


def test_a_stale_policy_is_reported_as_such_to_the_board_too(app, world, smtp, in_tenant):
    from tenants.learning.models import ReportingPolicy
    from tenants.learning.reminders import POLICY_OVERDUE, due

    with in_tenant("a"):
        db.session.add(ReportingPolicy(version_label="2019", adopted_on=date(2019, 5, 1), adopted_by_body="management_team",
                                       fg_involved=True, decision_role="board", next_review_on=date(2020, 5, 1)))
    with in_tenant("a"):
        kinds = [k for k, _, _ in due(date.today())]
    assert POLICY_OVERDUE in kinds
