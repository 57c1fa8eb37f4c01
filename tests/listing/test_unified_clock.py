"""One 72-hour clock: the register list, its filters, figures, API and exports say what the
breach page says, by the rules of tenants/register/clock.py over the breach's derived columns."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from lekwijzer.db import db, utcnow
from lekwijzer.tenancy import tenant_scope
from tests.listing.conftest import hours_ago
from tests.listing.test_exports import export

URL = "/o/org-a/register"
# The words a person reads, per state, in Dutch.
DUTCH = {"no_clock": "Termijn nog niet gestart", "running": "Loopt", "overdue": "Termijn verstreken",
         "on_time": "Op tijd gemeld", "late": "Te laat gemeld", "not_required": "Niet gemeld (besluit)"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row_of(html: str, ref: str) -> str:
    return _text(re.search(ref + r"(.*?)</tr>", html, re.S).group(1))


def _badges(html: str) -> list[str]:
    return [_text(b).strip() for b in re.findall(r'<span class="lw-badge[^"]*lw-clock-badge[^"]*">(.*?)</span>', html)]


def test_every_state_has_one_dutch_and_one_english_word(app):
    from flask_babel import force_locale, gettext

    from tenants.register import clock

    assert set(clock.LABELS) == set(clock.TONES) == set(DUTCH)
    with app.test_request_context():
        for code, dutch in DUTCH.items():
            with force_locale("nl"):
                assert gettext(clock.LABELS[code]) == dutch
            with force_locale("en"):
                assert gettext(clock.LABELS[code]) == clock.LABELS[code]


@pytest.fixture
def states(register):
    """A breach in every state of the clock, made from facts; the expected state per reference."""
    cases = {
        "DL-T-0101": (dict(aware_at=hours_ago(10)), "running"),
        "DL-T-0102": (dict(aware_at=hours_ago(80), decision=True), "overdue"),
        # Past 72 hours, nothing decided and an unlikely risk: overdue (the AP expects a
        # decision within the 72 hours; the list used to call this "no decision yet").
        "DL-T-0103": (dict(aware_at=hours_ago(80), risk_outcome="unlikely_risk"), "overdue"),
        "DL-T-0104": (dict(aware_at=hours_ago(200), notified_at=hours_ago(100)), "late"),
        "DL-T-0105": (dict(aware_at=hours_ago(200), notified_at=hours_ago(150)), "on_time"),
        "DL-T-0106": (dict(aware_at=hours_ago(80), decision=False, risk_outcome="unlikely_risk"), "not_required"),
        "DL-T-0107": (dict(), "no_clock"),
        # Closed without a notification: the clock no longer runs, whatever was decided.
        "DL-T-0108": (dict(aware_at=hours_ago(300), status="closed", closed_at=hours_ago(10)), "not_required"),
        "DL-T-0109": (dict(aware_at=hours_ago(5), status="closed", closed_at=hours_ago(1)), "not_required"),
    }
    ids = {}
    for ref, (facts, _) in cases.items():
        ids[ref] = register.breach(reference=ref, **facts)
    return {ref: (ids[ref], state) for ref, (_, state) in cases.items()}


def test_the_list_and_the_breach_page_use_the_same_words(app, world, register, po, states):
    listed = po.get(URL).get_data(as_text=True)
    for ref, (breach_id, state) in states.items():
        row = _row_of(listed, ref)
        assert DUTCH[state] in row, (ref, state, row)
        others = [word for code, word in DUTCH.items() if code != state and word != DUTCH[state]]
        assert not any(word in row for word in others), (ref, row)
        page = po.get(f"/o/org-a/breaches/{breach_id}").get_data(as_text=True)
        clock_panel = page[page.index('id="clock"'):]
        clock_panel = clock_panel[:clock_panel.index("</section>")]
        assert _badges(clock_panel) == [DUTCH[state]], (ref, _badges(clock_panel))
    # The same in English.
    assert po.post("/lang", {"lang": "en", "next": URL}).status_code == 302
    listed = po.get(URL).get_data(as_text=True)
    page = po.get(f"/o/org-a/breaches/{states['DL-T-0103'][0]}").get_data(as_text=True)
    assert "Overdue" in _row_of(listed, "DL-T-0103") and "Overdue" in _badges(page)


def test_filters_figures_and_rows_agree_with_the_register_clock(app, world, register, po, api, states):
    def listed(query):
        return set(re.findall(r"DL-T-\d{4}", po.get(f"{URL}?{query}").get_data(as_text=True)))

    by_state = lambda s: {ref for ref, (_, st) in states.items() if st == s}  # noqa: E731
    assert listed("overdue=1") == by_state("overdue") == {"DL-T-0102", "DL-T-0103"}
    assert listed("running=1") == by_state("running")
    assert listed("late=1") == by_state("late")
    assert listed("notified=yes") == by_state("late") | by_state("on_time")
    client = api(app, world, "a", "privacy_officer")
    figures = client.get("/api/v1/register/figures").get_json()
    assert figures["overdue"] == 2 and figures["running"] == 1 and figures["notified_late"] == 1
    assert figures["notified"] == 2
    rows = {r["reference"]: r for r in client.get("/api/v1/register?page_size=100").get_json()}
    for ref, (breach_id, state) in states.items():
        assert rows[ref]["clock"] == state, ref
        assert rows[ref]["overdue"] is (state == "overdue") and rows[ref]["notified_late"] is (state == "late")
        # The breach's own API says the same.
        assert client.get(f"/api/v1/breaches/{breach_id}").get_json()["clock"]["code"] == state, ref
    assert rows["DL-T-0101"]["hours_left"] == 61 and rows["DL-T-0102"]["hours_left"] is None


def test_exports_name_the_same_state(app, world, register, po, states):
    data = export(po, "csv").get_data().decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(data), delimiter=";"))
    by_ref = {row["Intern kenmerk"]: row for row in table}
    for ref, (_, state) in states.items():
        row = by_ref[ref]
        assert row["72-uurstermijn"] == DUTCH[state], ref
        assert row["72 uur verstreken zonder melding of besluit om niet te melden"] == (
            "ja" if state == "overdue" else "nee"), ref
        assert row["Te laat gemeld (na 72 uur)"] == {"late": "ja", "on_time": "nee"}.get(state, ""), ref


def test_a_breach_handled_through_the_workflow_shows_the_same_state_everywhere(app, world, api, login, po):
    """No test helper in between: the breach workflow's API makes the breach, the list reads it."""
    from tests.register.conftest import Flow

    flow = Flow(app, world, api, login)
    undecided = flow.breach("assessed", aware_hours_ago=80, assessment={
        "risk_outcome": "unlikely_risk", "risk_reasoning": "Ontvanger is een collega met geheimhoudingsplicht."})
    decided = flow.breach("decided", aware_hours_ago=30)
    notified = flow.breach("notified", aware_hours_ago=20)
    refs = {bid: flow.get(bid)["reference"] for bid in (undecided, decided, notified)}
    html = po.get(URL).get_data(as_text=True)
    for bid, state in ((undecided, "overdue"), (decided, "running"), (notified, "on_time")):
        assert flow.get(bid)["clock"]["code"] == state
        assert DUTCH[state] in _row_of(html, refs[bid])
    assert set(re.findall(r"DL-\d{4}-\d{3}", po.get(f"{URL}?overdue=1").get_data(as_text=True))) == {refs[undecided]}
    # Deciding not to notify stops the clock in the list at once.
    flow.ok(flow.api("board").post(f"/api/v1/breaches/{undecided}/decisions/notify-ap", json={
        "choice": "no", "reasoning": "Geen risico: de ontvanger is een collega-hulpverlener met geheimhoudingsplicht.",
        "override_note": "Ernstscore hoog, maar de ontvanger heeft een eigen geheimhoudingsplicht.",
        "no_fg_advice_reason": "De FG is afwezig; het advies volgt."}), 201)
    assert flow.get(undecided)["clock"]["code"] == "not_required"
    html = po.get(URL).get_data(as_text=True)
    assert DUTCH["not_required"] in _row_of(html, refs[undecided])
    assert po.get(f"{URL}?overdue=1").get_data(as_text=True).count(refs[undecided]) == 0


def test_refresh_many_gives_what_refresh_gives(app, world, register):
    """Rows written around the service get the derived columns the workflow would give them."""
    from tenants.register import service
    from tenants.register.models import Breach

    ids = [register.breach(aware_at=hours_ago(h) if h else None, decision=d, notified_at=n, risk_outcome=r)
           for h, d, n, r in ((90, True, None, "risk"), (90, None, hours_ago(10), "high_risk"),
                              (20, False, None, "unlikely_risk"), (None, None, None, None))]
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        for breach_id in ids:
            breach = db.session.get(Breach, (world.orgs["a"].id, breach_id))
            stored = {name: getattr(breach, name) for name in service.derived(breach, service.load(breach))}
            assert stored == service.derived(breach, service.load(breach))
            assert stored["ap_deadline_at"] == (breach.aware_at + timedelta(hours=72) if breach.aware_at else None)
        first = db.session.get(Breach, (world.orgs["a"].id, ids[0]))
        assert first.notify_ap is True and first.ap_notified_at is None and first.risk_outcome == "risk"
        second = db.session.get(Breach, (world.orgs["a"].id, ids[1]))
        assert second.notified_late is True and second.ap_notified_at is not None
        assert utcnow() - second.ap_notified_at < timedelta(hours=11)
