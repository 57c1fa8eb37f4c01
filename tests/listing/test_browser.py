"""In Chromium, on the demo sector: the register, the incident log, and an export followed live."""
from __future__ import annotations

import re

import pytest

from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAIN = "samen-veilig-voorbeeld"


def sign_in(page, base, email="privacy@lekwijzer.example"):
    page.goto(f"{base}/login")
    page.fill("#field-email", email)
    page.fill("#field-password", "demo")
    page.click("main button[type=submit]")
    page.goto(f"{base}/o/{MAIN}/")
    if hasattr(page, "console_errors"):
        page.console_errors.clear()  # the sign-in page is not this feature's (its own tests watch it)


def test_register_and_incident_log_on_the_demo_sector(demo, live_server, page):
    base = live_server.url
    sign_in(page, base)
    screenshot(page, "listing-dashboard")
    assert page.locator("text=binnen de 72 uur: besluit over melden bij de AP").count() == 1
    page.click("nav.lw-nav >> text=Datalekregister")
    page.wait_for_selector("table.lw-list")
    assert "Datalekregister" in page.title()
    rows = page.locator("table.lw-list tbody tr")
    assert rows.count() == 25
    assert page.locator("text=Termijn verstreken").count() >= 1
    screenshot(page, "listing-register")
    # Filter: only overdue, through the form like a person would.
    page.check("#field-overdue")
    page.click("form.lw-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*overdue=1.*"))
    assert rows.count() == 1
    screenshot(page, "listing-register-overdue")
    # The breach page says the same as the list, in the same badge.
    assert rows.first.locator(".lw-clock-badge").inner_text() == "Termijn verstreken"
    rows.first.locator("th a").click()
    page.wait_for_selector("#clock")
    assert page.locator("#clock .lw-clock-badge").inner_text() == "Termijn verstreken"
    screenshot(page, "listing-breach-overdue")
    # Sort by severity, highest first.
    page.goto(f"{base}/o/{MAIN}/register")
    page.click("th >> text=Ernst")
    page.wait_for_url(re.compile(r".*sort=severity.*"))
    first = page.locator("table.lw-list tbody tr").first.inner_text()
    assert "Zeer hoog" in first
    page.click("nav.lw-nav >> text=Incidentenlogboek")
    page.wait_for_selector("text=wachten op beoordeling")
    first = page.locator("table tbody tr").first.inner_text()
    assert "Gemeld, wacht op beoordeling" in first
    screenshot(page, "listing-incident-log")
    # English too.
    page.click("button[lang=en]")
    page.goto(f"{base}/o/{MAIN}/register")
    assert page.locator("h1").inner_text() == "Breach register"
    screenshot(page, "listing-register-en")
    assert page.console_errors == []


@pytest.mark.redis
def test_an_export_is_followed_live_and_downloaded(demo, live_server, page, redis_url, queue_name):
    """With a worker queue: the page shows progress, polls by itself and then offers the file."""
    from rq import SimpleWorker

    from lekwijzer.jobs.queue import get_queue, redis_connection

    demo.config.update(JOBS_INLINE=False, REDIS_URL=redis_url, JOBS_QUEUE=queue_name)
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/o/{MAIN}/register?status=closed")
    page.click("button[value=xlsx]")
    page.wait_for_selector("#export-state")
    assert page.locator("#export-state-label").inner_text() == "In de wachtrij"
    assert page.locator("#export-refresh").is_visible()
    screenshot(page, "listing-export-queued")
    with demo.app_context():
        SimpleWorker([get_queue()], connection=redis_connection()).work(burst=True)
    # No click: the page's script notices and shows the download.
    page.wait_for_selector("a[download]", timeout=15000)
    screenshot(page, "listing-export-ready")
    with page.expect_download() as info:
        page.click("a[download]")
    download = info.value
    assert re.fullmatch(r"datalekregister-samen-veilig-voorbeeld-\d{8}-\d{4}\.xlsx", download.suggested_filename)
    page.goto(f"{base}/o/{MAIN}/register/exports")
    screenshot(page, "listing-exports")
    assert page.console_errors == []


def test_the_export_works_without_javascript(demo, live_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/o/{MAIN}/register")
        page.click("button[value=csv]")
        page.wait_for_selector("#export-state")
        assert page.locator("#export-state-label").inner_text() == "Gereed"
        with page.expect_download() as info:
            page.click("a[download]")
        assert info.value.suggested_filename.endswith(".csv")
    finally:
        context.close()
