"""The breach register page: breaches only, filters, search, sort, pagination, the 72-hour clock."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.listing.conftest import NOW, hours_ago, refs

URL = "/o/org-a/register"


def test_only_breaches_are_in_the_register_and_its_figures(app, world, register, po):
    kept = register.breach(title="Brief naar verkeerd adres", aware_at=hours_ago(5))
    register.incident(status="new", what="Laptop kwijt, nog niet beoordeeld")
    register.incident(status="not_breach", what="Storing printer, geen persoonsgegevens")
    # An entry whose incident was re-triaged as not a breach leaves the register.
    register.breach(title="Toch geen datalek", aware_at=hours_ago(6), incident_status="not_breach")
    html = po.get(URL).get_data(as_text=True)
    assert "Brief naar verkeerd adres" in html
    assert "Toch geen datalek" not in html and "Laptop kwijt" not in html and "Storing printer" not in html
    assert "1 datalek</caption>" in html.replace("\n", "").replace("  ", "") or "1 datalek" in html
    figures = re.search(r'<span class="lw-stat">(\d+)</span> datalekken in het register', html)
    assert figures and figures.group(1) == "1"
    assert kept


def _listed(client, query=""):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return refs(response.get_data(as_text=True))


def test_filters_each_narrow_the_list(app, world, register, po):
    r = register
    a = r.breach(reference="DL-T-9001", incident_type="sent_by_mistake", aware_at=hours_ago(10),
                 severity_score=Decimal("3.25"), severity_band="high", risk_outcome="risk", status="open")
    b = r.breach(reference="DL-T-9002", incident_type="ransomware", aware_at=hours_ago(400),
                 severity_score=Decimal("1.25"), severity_band="low", risk_outcome="unlikely_risk", status="closed",
                 decision=False)
    c = r.breach(reference="DL-T-9003", incident_type="phishing_social_engineering", aware_at=hours_ago(200),
                 risk_outcome="high_risk", decision=True, notified_at=hours_ago(100))  # late: 100 h after aware
    d = r.breach(reference="DL-T-9004", incident_type="sent_by_mistake", aware_at=hours_ago(100),
                 risk_outcome="risk")  # no decision, risk, not notified, past 72 h: overdue
    e = r.breach(reference="DL-T-9005", incident_type="misconfiguration", aware_at=hours_ago(5))  # not assessed yet
    assert all((a, b, c, d, e))
    assert _listed(po) == {"DL-T-9001", "DL-T-9002", "DL-T-9003", "DL-T-9004", "DL-T-9005"}
    assert _listed(po, "incident_type=sent_by_mistake") == {"DL-T-9001", "DL-T-9004"}
    assert _listed(po, "band=high") == {"DL-T-9001", "DL-T-9003"}
    assert _listed(po, "band=none") == {"DL-T-9005"}
    assert _listed(po, "risk_outcome=unlikely_risk") == {"DL-T-9002"}
    assert _listed(po, "risk_outcome=none") == {"DL-T-9005"}
    assert _listed(po, "status=closed") == {"DL-T-9002"}
    assert _listed(po, "status=open") == {"DL-T-9001", "DL-T-9003", "DL-T-9004", "DL-T-9005"}
    assert _listed(po, "notified=yes") == {"DL-T-9003"}
    assert _listed(po, "notified=no") == {"DL-T-9001", "DL-T-9002", "DL-T-9004", "DL-T-9005"}
    assert _listed(po, "overdue=1") == {"DL-T-9004"}
    assert _listed(po, "late=1") == {"DL-T-9003"}
    assert _listed(po, "running=1") == {"DL-T-9001", "DL-T-9005"}
    assert _listed(po, "q=9002") == {"DL-T-9002"}
    assert _listed(po, "status=open&incident_type=sent_by_mistake&overdue=1") == {"DL-T-9004"}


def test_search_matches_title_case_insensitively_and_wildcards_are_literal(app, world, register, po):
    register.breach(reference="DL-T-8001", title="Dossier jeugdige gemaild naar oud-pleegouder")
    register.breach(reference="DL-T-8002", title="100% van de cliëntenlijst zichtbaar")
    register.breach(reference="DL-T-8003", title="Rapportage per post kwijt")
    assert _listed(po, "q=PLEEGOUDER") == {"DL-T-8001"}
    assert _listed(po, "q=100%25") == {"DL-T-8002"}
    assert _listed(po, "q=%25") == {"DL-T-8002"}  # '%' is a character, not "anything"


def test_period_of_awareness_uses_dutch_days(app, world, register, po):
    amsterdam_midnight = datetime(2026, 3, 10, 0, 0, tzinfo=timezone(timedelta(hours=1)))  # CET
    register.breach(reference="DL-T-7001", aware_at=amsterdam_midnight - timedelta(minutes=30))  # 9 March, 23:30
    register.breach(reference="DL-T-7002", aware_at=amsterdam_midnight + timedelta(minutes=30))  # 10 March, 00:30
    register.breach(reference="DL-T-7003", aware_at=amsterdam_midnight + timedelta(days=1, minutes=-1))  # 10 March, 23:59
    assert _listed(po, "aware_from=2026-03-10&aware_until=2026-03-10") == {"DL-T-7002", "DL-T-7003"}
    assert _listed(po, "aware_until=2026-03-09") == {"DL-T-7001"}


def test_invalid_filters_are_refused_with_an_error_summary(app, world, register, po):
    register.breach(reference="DL-T-6001", aware_at=hours_ago(3))
    response = po.get(f"{URL}?aware_from=2026-05-01&aware_until=2026-04-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="error-summary"' in html and 'href="#field-aware_until"' in html
    assert "Het einde van de periode ligt vóór het begin." in html
    assert "DL-T-6001" not in html  # nothing listed on a bad filter
    response = po.get(f"{URL}?band=extreme&page=0")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kies een van de aangeboden mogelijkheden." in html and 'href="#field-band"' in html
    assert 'href="#field-page"' in html


def test_sorting_and_pagination_happen_in_the_database(app, world, register, po):
    for i in range(30):
        register.breach(reference=f"DL-T-{5000 + i}", title=f"Lek {i:02d}", aware_at=hours_ago(1000 - i),
                        severity_score=Decimal(i % 5), severity_band="low")
    statements = []
    from lekwijzer.db import db

    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        html = po.get(f"{URL}?sort=reference&order=asc&page=2&page_size=10").get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert re.findall(r"DL-T-\d{4}", html) == [f"DL-T-{5010 + i}" for i in range(10)]
    assert "pagina 2 van 3" in html
    listing = [s for s, _ in statements if "FROM breach" in s and "LIMIT" in s.upper()]
    assert listing, "the page's rows are fetched with LIMIT/OFFSET in SQL"
    # Newest awareness first by default; the sort link turns it round.
    html = po.get(URL).get_data(as_text=True)
    assert re.findall(r"DL-T-\d{4}", html)[:2] == ["DL-T-5029", "DL-T-5028"]
    assert 'aria-sort="descending"' in html
    html = po.get(f"{URL}?sort=aware&order=asc").get_data(as_text=True)
    assert re.findall(r"DL-T-\d{4}", html)[:2] == ["DL-T-5000", "DL-T-5001"]
    # Links keep the filters and the sort when paging.
    html = po.get(f"{URL}?band=low&sort=title&order=asc").get_data(as_text=True)
    assert "band=low" in html and "page=2" in html
    next_link = re.search(r'href="([^"]*page=2[^"]*)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "sort=title" in next_link and "band=low" in next_link


def test_each_row_shows_its_72_hour_clock(app, world, register, po):
    register.breach(reference="DL-T-4001", aware_at=hours_ago(10), risk_outcome="risk")
    register.breach(reference="DL-T-4002", aware_at=hours_ago(80), decision=True)
    register.breach(reference="DL-T-4003", aware_at=hours_ago(100), notified_at=hours_ago(20))
    register.breach(reference="DL-T-4004", aware_at=hours_ago(100), notified_at=hours_ago(60))
    register.breach(reference="DL-T-4005", aware_at=hours_ago(100), decision=False, risk_outcome="unlikely_risk")
    register.breach(reference="DL-T-4006", aware_at=hours_ago(100), risk_outcome="unlikely_risk")
    register.breach(reference="DL-T-4007")
    html = po.get(URL).get_data(as_text=True)

    def clock_of(ref):
        row = re.search(ref + r"(.*?)</tr>", html, re.S).group(1)
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))

    assert "Loopt" in clock_of("DL-T-4001") and "nog 61 uur" in clock_of("DL-T-4001")  # 62 h less a few seconds, rounded down
    assert "Termijn verstreken" in clock_of("DL-T-4002")
    assert "Te laat gemeld" in clock_of("DL-T-4003")
    assert "Op tijd gemeld" in clock_of("DL-T-4004")
    assert "Niet gemeld (besluit)" in clock_of("DL-T-4005")
    # No decision after 72 hours is overdue, whatever the risk (one clock: tenants/register/clock.py).
    assert "Termijn verstreken" in clock_of("DL-T-4006")
    assert "Termijn nog niet gestart" in clock_of("DL-T-4007")


CASES = [
    # aware (hours ago), decision, risk, notified (hours ago), status -> state (tenants/register/clock.py)
    (10, None, "risk", None, "open", "running"),
    (10, True, None, None, "open", "running"),
    (10, False, "unlikely_risk", None, "open", "not_required"),
    (71, None, "high_risk", None, "open", "running"),
    (73, None, "high_risk", None, "open", "overdue"),
    (73, True, "unlikely_risk", None, "open", "overdue"),
    # Past 72 hours with no decision is overdue whatever the risk: the AP expects a decision in time.
    (73, None, "unlikely_risk", None, "open", "overdue"),
    (73, None, None, None, "open", "overdue"),
    (73, None, "needs_more_info", None, "open", "overdue"),
    (73, False, "unlikely_risk", None, "open", "not_required"),
    (200, True, "risk", 100, "open", "late"),
    (200, True, "risk", 129, "open", "on_time"),
    (200, None, None, 127, "open", "late"),
    (200, True, "risk", 100, "closed", "late"),
    # Closed without a notification: neither overdue nor running any more.
    (200, True, "risk", None, "closed", "not_required"),
    (200, None, None, None, "closed", "not_required"),
    (10, None, None, None, "closed", "not_required"),
    (None, True, "risk", None, "open", "no_clock"),
]


def test_database_filters_agree_with_the_clock_shown(app, world, register, po):
    """overdue / notified late / within 72 h mean the same in SQL (filters, figures) and on screen."""
    from tenants.register import clock

    expected = {}
    for i, (aware, decision, risk, notified, status, state) in enumerate(CASES):
        ref = f"DL-T-{3000 + i}"
        aware_at = hours_ago(aware) if aware is not None else None
        notified_at = hours_ago(notified) if notified is not None else None
        register.breach(reference=ref, aware_at=aware_at, decision=decision, risk_outcome=risk,
                        notified_at=notified_at, status=status)
        assert clock.state(aware_at, NOW, notified_at=notified_at, notify_decision=decision,
                           closed=status == "closed").code == state, ref
        expected[ref] = state
    by_state = lambda s: {ref for ref, st in expected.items() if st == s}  # noqa: E731
    assert _listed(po, "overdue=1") == by_state("overdue")
    assert _listed(po, "late=1") == by_state("late")
    assert _listed(po, "running=1") == by_state("running")
    assert _listed(po, "notified=yes") == by_state("late") | by_state("on_time")
    html = po.get(URL).get_data(as_text=True)
    stat = dict((label, int(n)) for n, label in re.findall(r'<span class="lw-stat">(\d+)</span> ([^<]+)<', html))
    assert stat["termijn verstreken"] == len(by_state("overdue"))
    assert stat["binnen de 72 uur"] == len(by_state("running"))
    assert stat["te laat gemeld"] == len(by_state("late"))
    words = {"running": "Loopt", "overdue": "Termijn verstreken", "late": "Te laat gemeld", "on_time": "Op tijd gemeld",
             "not_required": "Niet gemeld (besluit)", "no_clock": "Termijn nog niet gestart"}
    for ref, state in expected.items():
        row = re.sub(r"<[^>]+>", " ", re.search(ref + r"(.*?)</tr>", html, re.S).group(1))
        assert words[state] in row, (ref, state)


def test_exactly_at_the_deadline_is_in_time(app, world, register, po):
    aware = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    register.breach(reference="DL-T-2001", aware_at=aware, notified_at=aware + timedelta(hours=72))
    register.breach(reference="DL-T-2002", aware_at=aware, notified_at=aware + timedelta(hours=72, seconds=1))
    assert _listed(po, "late=1") == {"DL-T-2002"}


def test_who_may_see_the_register_and_the_incident_log(app, world, login, register):
    register.breach(reference="DL-T-1001", aware_at=hours_ago(2))
    for role, register_status, log_status in (("privacy_officer", 200, 200), ("fg", 200, 200), ("board", 200, 403),
                                              ("auditor", 200, 403), ("reporter", 403, 403),
                                              ("tenant_admin", 403, 403)):
        client = login(app, world.user("a", role))
        assert client.get(URL).status_code == register_status, role
        assert client.get("/o/org-a/incidents").status_code == log_status, role
    # Another organisation's register is not there at all for a member of A.
    assert login(app, world.user("a", "privacy_officer")).get("/o/org-b/register").status_code == 404


def test_the_page_works_in_english(app, world, register, po):
    register.breach(reference="DL-T-1101", aware_at=hours_ago(100), risk_outcome="high_risk")
    po.get(URL)
    assert po.post("/lang", {"lang": "en", "next": URL}).status_code == 302
    html = po.get(URL).get_data(as_text=True)
    assert "Breach register" in html and "Overdue" in html and "High risk" in html
    assert "Datalekregister" not in html


def test_the_dashboard_panel_points_at_what_needs_doing(app, world, register, po):
    register.breach(reference="DL-T-1201", aware_at=hours_ago(100), risk_outcome="high_risk")
    register.breach(reference="DL-T-1202", aware_at=hours_ago(3))
    register.incident(status="new")
    html = po.get("/o/org-a/").get_data(as_text=True)
    assert "termijn verstreken: er had al gemeld moeten zijn bij de AP" in html
    assert "binnen de 72 uur: besluit over melden bij de AP" in html
    assert "1 incident wacht op beoordeling." in html
    assert "/o/org-a/register?overdue=1" in html


@pytest.mark.parametrize("query", ["page_size=7", "sort=secret", "order=sideways", "notified=maybe", "aware_from=gisteren"])
def test_each_bad_parameter_gives_422(app, world, po, query):
    assert po.get(f"{URL}?{query}").status_code == 422
