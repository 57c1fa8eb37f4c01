"""The incident log: every reported incident, the triage queue first, for the privacy officer."""
from __future__ import annotations

import re

from tests.listing.conftest import hours_ago

URL = "/o/org-a/incidents"


def _order(html):
    return re.findall(r"(INC-[\w-]+)", html)


def test_triage_queue_first_then_newest_first(app, world, register, po):
    register.incident(status="not_breach", what="INC-old-no-breach printer", reported_at=hours_ago(50))
    register.incident(status="new", what="INC-queue-older laptop", reported_at=hours_ago(30))
    register.incident(status="not_breach", what="INC-recent-no-breach wifi", reported_at=hours_ago(1))
    register.incident(status="new", what="INC-queue-newer usb", reported_at=hours_ago(5))
    html = po.get(URL).get_data(as_text=True)
    assert _order(html) == ["INC-queue-newer", "INC-queue-older", "INC-recent-no-breach", "INC-old-no-breach"]
    assert "2 incidenten wachten op beoordeling." in html
    assert "Gemeld, wacht op beoordeling" in html and "Beveiligingsincident, geen datalek" in html


def test_breaches_show_their_register_reference_and_the_filter_works(app, world, register, po):
    register.breach(reference="DL-T-0501", aware_at=hours_ago(4))
    register.incident(status="not_breach", what="INC-other")
    html = po.get(URL).get_data(as_text=True)
    assert "DL-T-0501" in html and "INC-other" in html
    html = po.get(f"{URL}?status=not_breach").get_data(as_text=True)
    assert "INC-other" in html and "DL-T-0501" not in html
    html = po.get(f"{URL}?status=breach").get_data(as_text=True)
    assert "DL-T-0501" in html and "INC-other" not in html


def test_long_reports_are_shortened_in_the_list(app, world, register, po):
    register.incident(status="new", what="INC-long " + "woord " * 100)
    html = po.get(URL).get_data(as_text=True)
    row = re.search(r"INC-long[^<]*", html).group(0)
    assert len(row) <= 141 and row.endswith("…")


def test_bad_filters_give_422(app, world, po):
    response = po.get(f"{URL}?status=weird&reported_from=2026-02-01&reported_until=2026-01-01")
    assert response.status_code == 422
    assert 'id="error-summary"' in response.get_data(as_text=True)
    response = po.get(f"{URL}?reported_from=2026-02-01&reported_until=2026-01-01")
    assert "Het einde van de periode ligt vóór het begin." in response.get_data(as_text=True)
