"""The institution's side: its own findings and answers, transparency, benchmark, register requests."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from lekwijzer.db import db
from lekwijzer.tenancy import tenant_scope
from tests.regulator import scenario
from tests.regulator.conftest import reconcile, upload


def _reconciled(app, world, sector, login):
    analyst = login(app, world.user("r", "analyst"))
    upload(analyst, "org-r", scenario.as_csv(sector.rows))
    reconcile(analyst, "org-r")
    return analyst


def _finding_id(app, world, sector, described):
    for f in scenario.kept_findings(app, world.orgs["r"].id):
        if sector.describe(f) == described:
            return f.id
    raise AssertionError(f"no finding {described}")


@pytest.mark.pg
def test_an_institution_sees_its_own_findings_and_nobody_elses(pg_app, pg_world, pg_sector, login, api):
    _reconciled(pg_app, pg_world, pg_sector, login)
    mine = _finding_id(pg_app, pg_world, pg_sector, ("late_without_reason", "a", "A3", None))
    theirs = _finding_id(pg_app, pg_world, pg_sector, ("register_notify_yes_never_sent", "b", "B5", None))
    a = login(pg_app, pg_world.user("a", "privacy_officer"))
    assert a.get(f"/o/org-a/supervision/findings/{mine}").status_code == 200
    assert a.get(f"/o/org-a/supervision/findings/{theirs}").status_code == 404
    page = a.get("/o/org-a/supervision/").get_data(as_text=True)
    assert str(mine) in page and str(theirs) not in page
    profile = api(pg_app, pg_world, "a", "privacy_officer").get("/api/v1/supervision/transparency").json
    kinds = {f["kind"] for f in profile["findings"]}
    assert "register_notify_yes_never_sent" not in kinds  # that one is B's
    assert {f["id"] for f in profile["findings"]} >= {str(mine)}
    # The database itself keeps B's finding from A, whatever the application asks for.
    import psycopg

    with pg_app.app_context():
        url = pg_app.config["SQLALCHEMY_DATABASE_URI"]
    with psycopg.connect(url) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(pg_world.orgs["a"].id),))
        rows = conn.execute("SELECT id, institution_id FROM reconciliation_finding").fetchall()
        assert rows and {r[1] for r in rows} == {pg_world.orgs["a"].id}
        # A may read the findings about it, never change them (they are the regulator's rows).
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE reconciliation_finding SET status = 'resolved'")


def test_answering_a_finding_the_regulator_sees_the_answer_never_the_note(app, world, sector, login):
    analyst = _reconciled(app, world, sector, login)
    finding = _finding_id(app, world, sector, ("late_without_reason", "a", "A3", None))
    a = login(app, world.user("a", "privacy_officer"))
    form = a.get(f"/o/org-a/supervision/findings/{finding}")
    assert form.status_code == 200
    response = a.post(f"/o/org-a/supervision/findings/{finding}",
                      data={"code": "reason_on_file", "note": "NOTITIE-ALLEEN-VOOR-ONS"})
    assert response.status_code == 302
    seen = analyst.get("/o/org-r/ap/institutions/org-a").get_data(as_text=True)
    assert "NOTITIE-ALLEEN-VOOR-ONS" not in seen
    assert "De reden staat in ons dossier" in seen  # the chosen answer, in the AP's language
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        from lekwijzer.models import AuditEvent

        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "finding.answered" in actions


def test_answers_are_validated_and_only_the_privacy_officer_answers(app, world, sector, login):
    _reconciled(app, world, sector, login)
    finding = _finding_id(app, world, sector, ("description_too_short", "a", "A6", None))
    fg = login(app, world.user("a", "fg"))
    assert fg.get(f"/o/org-a/supervision/findings/{finding}").status_code == 200
    assert fg.post(f"/o/org-a/supervision/findings/{finding}", data={"code": "disagree"}).status_code == 403
    assert login(app, world.user("a", "reporter")).get("/o/org-a/supervision/").status_code == 403
    po = login(app, world.user("a", "privacy_officer"))
    po.get(f"/o/org-a/supervision/findings/{finding}")
    bad = po.post(f"/o/org-a/supervision/findings/{finding}", data={"code": "ignore_it"})
    assert bad.status_code == 422
    assert 'id="error-summary"' in bad.get_data(as_text=True)
    from tenants.oversight.models import FindingResponse

    with app.app_context(), tenant_scope(world.orgs["a"].id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FindingResponse)) == 0


def _profile_section(html: str) -> str:
    match = re.search(r'<section class="lw-profile".*?</section>', html, re.S)
    assert match, "no profile section"
    return match.group(0)


def test_the_institution_sees_exactly_what_the_regulator_sees(app, world, sector, login, api):
    analyst = _reconciled(app, world, sector, login)
    finding = _finding_id(app, world, sector, ("incomplete_entry", "a", "A5", "cause,consequences"))
    po = login(app, world.user("a", "privacy_officer"))
    po.get(f"/o/org-a/supervision/findings/{finding}")
    po.post(f"/o/org-a/supervision/findings/{finding}", data={"code": "will_correct", "note": "intern"})
    regulator_view = _profile_section(analyst.get("/o/org-r/ap/institutions/org-a").get_data(as_text=True))
    own_view = _profile_section(po.get("/o/org-a/supervision/transparency").get_data(as_text=True))
    assert regulator_view == own_view
    assert "Instelling A" in own_view and "Ontbreekt:" in own_view
    by_api_regulator = api(app, world, "r", "analyst").get("/api/v1/ap/institutions/11111111").json
    by_api_own = api(app, world, "a", "privacy_officer").get("/api/v1/supervision/transparency").json
    assert by_api_regulator == by_api_own
    assert any(f["response"] == "will_correct" for f in by_api_own["findings"])


def test_the_benchmark_shows_own_figures_beside_the_sectors_percentiles(app, world, sector, login, api):
    _reconciled(app, world, sector, login)  # also refreshes every institution's quality flags
    from lekwijzer.jobs import enqueue

    with app.app_context():
        enqueue("supervision.benchmark", tenant_id=None)
        db.session.commit()
    client = api(app, world, "a", "privacy_officer")
    body = client.get("/api/v1/supervision/benchmark").json
    figures = {f["metric"]: f for f in body["figures"]}
    assert figures["notifications_per_100_employees"]["own"] == 0.8  # A: 4 notifications, 500 employees
    sector_notes = figures["notifications_per_100_employees"]["sector"]
    assert sector_notes["institutions"] == 9 and sector_notes["p10"] <= sector_notes["p50"] <= sector_notes["p90"]
    assert figures["completeness"]["sector"]["institutions"] == 9
    # Measures are due for every institution here; each published figure rests on 5 or more.
    assert all(f["sector"] is None or f["sector"]["institutions"] >= 5 for f in body["figures"])
    page = login(app, world.user("a", "fg")).get("/o/org-a/supervision/benchmark")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Instelling B" not in html and "Instelling C" not in html
    chart = login(app, world.user("a", "fg")).get("/o/org-a/supervision/benchmark.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"


def test_a_benchmark_figure_of_fewer_than_five_institutions_is_not_published(app, world, login):
    """Only A and B have registers here: no sector figure at all."""
    from lekwijzer.jobs import enqueue
    from tests.regulator.factory import entry

    with app.app_context():
        for key in ("a", "b"):
            with tenant_scope(world.orgs[key].id):
                aware = scenario.utc(2026, 3, 1, 10)
                entry(aware=aware, notified=[("initial", f"AP-{key}", aware + timedelta(hours=30))])
        enqueue("supervision.benchmark", tenant_id=None)
        db.session.commit()
    page = login(app, world.user("a", "privacy_officer")).get("/o/org-a/supervision/benchmark")
    assert page.get_data(as_text=True).count("Niet gepubliceerd") == 6


def _audit_actions(app, org_id) -> list[str]:
    from lekwijzer.models import AuditEvent

    with app.app_context(), tenant_scope(org_id):
        return db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.seq)).all()


def test_a_register_request_is_reviewed_released_and_audited_in_both_chains(app, world, sector, login):
    analyst = login(app, world.user("r", "analyst"))
    analyst.get("/o/org-r/ap/requests")
    today = date.today()
    sent = analyst.post("/o/org-r/ap/requests", data={
        "institution": "11111111", "case_reference": "AP-ONDERZOEK-2026-17", "legal_basis": "art58_1_a",
        "period_from": "2026-01-01", "period_until": "2026-06-30", "file_format": "xlsx",
        "due_date": (today + timedelta(days=14)).isoformat()})
    assert sent.status_code == 302
    from tenants.oversight.models import RegisterRequest

    with app.app_context(), tenant_scope(world.orgs["r"].id):
        request_id = db.session.scalar(sa.select(RegisterRequest.id))
    assert analyst.get(f"/o/org-r/ap/requests/{request_id}/download").status_code == 404  # not released yet

    po = login(app, world.user("a", "privacy_officer"))
    overview = po.get("/o/org-a/supervision/").get_data(as_text=True)
    assert "AP-ONDERZOEK-2026-17" in overview
    po.get(f"/o/org-a/supervision/requests/{request_id}")
    assert po.post(f"/o/org-a/supervision/requests/{request_id}/prepare").status_code == 302
    review = po.get(f"/o/org-a/supervision/requests/{request_id}/download")
    assert review.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(review.data)).active
    assert sheet.max_row == 1 + 6  # header and A's six entries of the first half of 2026
    assert analyst.get(f"/o/org-r/ap/requests/{request_id}/download").status_code == 404  # reviewed, not released
    po.get(f"/o/org-a/supervision/requests/{request_id}")
    assert po.post(f"/o/org-a/supervision/requests/{request_id}/release").status_code == 302
    got = analyst.get(f"/o/org-r/ap/requests/{request_id}/download")
    assert got.status_code == 200 and got.data == review.data
    assert "attachment" in got.headers["Content-Disposition"]
    # Another institution never reaches the request or its export.
    b = login(app, world.user("b", "privacy_officer"))
    assert b.get(f"/o/org-b/supervision/requests/{request_id}").status_code == 404
    assert b.get(f"/o/org-b/supervision/requests/{request_id}/download").status_code == 404

    regulator_chain = _audit_actions(app, world.orgs["r"].id)
    institution_chain = _audit_actions(app, world.orgs["a"].id)
    assert [a for a in regulator_chain if a.startswith("register_")] == [
        "register_request.created", "register_request.released", "register_release.downloaded"]
    assert [a for a in institution_chain if a.startswith("register_")] == [
        "register_request.received", "register_release.prepared", "register_release.ready",
        "register_release.released", "register_release.downloaded_by_regulator"]


def test_a_register_request_can_be_declined_with_a_reason_the_regulator_sees(app, world, login, api):
    analyst = api(app, world, "r", "analyst")
    created = analyst.post("/api/v1/ap/register-requests", json={
        "institution": "22222222", "case_reference": "AP-2026-3", "legal_basis": "awb_5_16",
        "period_from": "2026-01-01", "period_until": "2026-03-31",
        "due_date": (date.today() + timedelta(days=7)).isoformat()})
    assert created.status_code == 201
    request_id = created.json["id"]
    board = api(app, world, "b", "board")
    assert board.post(f"/api/v1/supervision/register-requests/{request_id}/decline", json={"reason": "nope"}
                      ).status_code == 422
    answer = board.post(f"/api/v1/supervision/register-requests/{request_id}/decline",
                        json={"reason": "sent_another_way"})
    assert answer.status_code == 200 and answer.json["status"] == "declined"
    listed = {r["id"]: r for r in analyst.get("/api/v1/ap/register-requests").json}
    assert listed[request_id]["status"] == "declined"
    assert analyst.get(f"/api/v1/ap/register-requests/{request_id}/export").status_code == 404
    fg = api(app, world, "b", "fg")
    assert fg.post(f"/api/v1/supervision/register-requests/{request_id}/release", json={}).status_code == 403
    assert "register_request.declined" in _audit_actions(app, world.orgs["r"].id)


def test_mail_about_a_register_request_carries_a_link_and_no_contents(app, world, login, smtp):
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    analyst = login(app, world.user("r", "analyst"))
    analyst.get("/o/org-r/ap/requests")
    analyst.post("/o/org-r/ap/requests", data={
        "institution": "11111111", "case_reference": "ZAAK-GEHEIM-42", "legal_basis": "art58_1_a",
        "period_from": "2026-01-01", "period_until": "2026-06-30", "file_format": "csv",
        "due_date": (date.today() + timedelta(days=9)).isoformat()})
    messages = smtp.wait_for(2)
    recipients = sorted(rcpt for rcpts, _msg in messages for rcpt in rcpts)
    assert recipients == ["board@org-a.test", "privacy_officer@org-a.test"]
    for _rcpts, message in messages:
        text = message.get_body().get_content()
        assert "ZAAK-GEHEIM-42" not in text and "ZAAK-GEHEIM-42" not in message["Subject"]
        assert "/o/org-a/supervision/requests/" in text
        assert "De AP vraagt om uw register" in message["Subject"]
