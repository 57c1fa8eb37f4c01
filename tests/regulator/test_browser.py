"""In Chromium: the AP's reconciliation overview, one institution's findings, the sector
statistics with charts, and an institution's benchmark — with screenshots."""
from __future__ import annotations

import pytest

from tests.conftest import DEMO_PASSWORD, screenshot
from tests.regulator import scenario
from tests.support.world import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page, base, email, password=PASSWORD):
    page.goto(f"{base}/login")
    page.fill("#field-email", email)
    page.fill("#field-password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.console_errors.clear()  # the sign-in page is not ours; our pages must be clean


def _no_console_errors(page):
    """No CSP violation or script error on our pages, and every resource they load exists."""
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
    assert page.failed == []


def _watch(page):
    page.failed = []
    page.on("response", lambda r: page.failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)


def test_on_the_demo_sector_the_ap_and_an_institution_see_their_pages(demo, live_server, page):
    """The demo's living sector (15 institutions): the four pages the issue asks for, photographed."""
    base = live_server.url
    _watch(page)
    _sign_in(page, base, "toezicht@lekwijzer.example", DEMO_PASSWORD)
    page.goto(f"{base}/o/autoriteit-persoonsgegevens/ap/")
    main = page.inner_text("main")
    assert "Laatste vergelijking" in main and "Gekoppeld" in main
    screenshot(page, "regulator-reconciliation-overview")
    page.click("text=Samen Veilig Voorbeeld (GI)")
    assert "Openstaande bevindingen" in page.inner_text("main")
    screenshot(page, "regulator-institution-findings")
    page.goto(f"{base}/o/autoriteit-persoonsgegevens/ap/statistics")
    charts = page.locator("img.lw-chart")
    assert charts.count() == 4
    for i in range(4):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100  # the SVG loaded and is drawn
        assert charts.nth(i).get_attribute("alt")
    screenshot(page, "regulator-sector-statistics")
    _no_console_errors(page)
    page.click("text=Uitloggen")

    _sign_in(page, base, "privacy@lekwijzer.example", DEMO_PASSWORD)
    page.goto(f"{base}/o/samen-veilig-voorbeeld/supervision/benchmark")
    main = page.inner_text("main")
    assert "Uw cijfers naast die van de sector" in main and "Mediaan" in main
    assert page.locator("img.lw-chart").bounding_box()["height"] > 100
    screenshot(page, "institution-benchmark")
    page.goto(f"{base}/o/samen-veilig-voorbeeld/supervision/")
    assert "De AP vraagt om uw volledige register" in page.inner_text("main")
    screenshot(page, "institution-supervision-findings")
    _no_console_errors(page)


def test_the_ap_uploads_and_reconciles_in_the_browser(live_server, page, app, world, sector, tmp_path):
    base = live_server.url
    intake = tmp_path / "ontvangen-meldingen.csv"
    intake.write_bytes(scenario.as_csv(sector.rows))

    _watch(page)
    _sign_in(page, base, world.user("r", "analyst").email)
    page.goto(f"{base}/o/org-r/ap/intake")
    page.set_input_files("#field-file", str(intake))
    page.click("main form[enctype] button[type=submit]")
    assert "ingelezen" in page.inner_text("main")

    page.goto(f"{base}/o/org-r/ap/")
    page.fill("#field-period_from", scenario.PERIOD[0].isoformat())
    page.fill("#field-period_until", scenario.PERIOD[1].isoformat())
    page.click("text=Vergelijken")
    page.goto(f"{base}/o/org-r/ap/")
    main = page.inner_text("main")
    assert "Laatste vergelijking" in main and "Ontvangen door de AP, maar niet in het register" in main
    assert page.locator("table caption").first.is_visible()
    screenshot(page, "scenario-reconciliation-overview")

    page.click("text=Instelling A")
    main = page.inner_text("main")
    assert "Te laat gemeld zonder vastgelegde reden" in main and "AP-A-777" in main
    screenshot(page, "scenario-institution-findings")

    # Matched notifications: a count per institution and matching method, on request.
    page.goto(f"{base}/o/org-r/ap/findings?kind=matched")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 11 and "3 meldingen (Op het meldnummer van de AP)" in rows.first.inner_text()
    screenshot(page, "scenario-matched-counts")

    page.goto(f"{base}/o/org-r/ap/statistics")
    page.click("text=Nu opnieuw berekenen")
    page.goto(f"{base}/o/org-r/ap/statistics?granularity=quarter")
    charts = page.locator("img.lw-chart")
    assert charts.count() == 4
    for i in range(4):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100  # the SVG loaded and is drawn
        assert charts.nth(i).get_attribute("alt")
    assert "*" in page.inner_text("#table-dimension")  # withheld small cells
    screenshot(page, "scenario-sector-statistics-small-cells-withheld")
    _no_console_errors(page)

    page.click("text=Uitloggen")
    with app.app_context():
        from lekwijzer.db import db
        from lekwijzer.jobs import enqueue

        enqueue("supervision.benchmark", tenant_id=None)
        db.session.commit()
    _sign_in(page, base, world.user("a", "privacy_officer").email)
    page.goto(f"{base}/o/org-a/supervision/benchmark")
    main = page.inner_text("main")
    assert "Uw cijfers naast die van de sector" in main and "Mediaan" in main
    chart = page.locator("img.lw-chart")
    assert chart.count() == 1 and chart.bounding_box()["height"] > 100
    page.goto(f"{base}/o/org-a/supervision/")
    assert "Te laat gemeld zonder vastgelegde reden" in page.inner_text("main")
    page.goto(f"{base}/o/org-a/supervision/transparency")
    screenshot(page, "institution-what-the-ap-sees")
    _no_console_errors(page)
