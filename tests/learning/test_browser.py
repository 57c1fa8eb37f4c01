"""In Chromium: the PDCA page, a board report and the commissioner's overview, with screenshots.

The institution is filled by the feature's own demo seeder (realistic Dutch data), so the
screenshots show what a demo user sees. Screenshots: test-artifacts/screenshots/.
"""
from __future__ import annotations

import random
import subprocess

import pytest

from tests.conftest import ARTIFACTS, screenshot
from tests.support.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo_institution(app, world):
    from lekwijzer.db import db
    from lekwijzer.demo import DemoContext
    from lekwijzer.models import Org, User
    from lekwijzer.tenancy import tenant_scope
    from tenants.learning.demo import seed_learning

    with app.app_context():
        org = db.session.get(Org, world.orgs["a"].id)
        users = {role: db.session.get(User, world.user("a", role).id) for role in ("privacy_officer", "board", "tenant_admin")}
        with tenant_scope(org.id):
            seed_learning(DemoContext(org, users, random.Random(2026)))
    return world


def _sign_in(page, live_server, user):
    page.goto(live_server.url + "/login")
    page.fill("#field-email", user.email)
    page.fill("#field-password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.console_errors.clear()  # the sign-in page is not ours; from here on every page is


def test_the_pdca_page(page, live_server, demo_institution):
    _sign_in(page, live_server, demo_institution.user("a", "privacy_officer"))
    page.goto(live_server.url + "/o/org-a/learning/")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Leren van datalekken (PDCA)"
    images = page.locator("figure.lw-figure img")
    assert images.count() == 4
    for i in range(4):  # every chart loaded (an SVG the browser could draw) and has a text alternative
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 200")
        assert images.nth(i).get_attribute("alt").startswith("Staafdiagram")
    assert page.locator("table caption").count() >= 6
    assert not page.console_errors
    screenshot(page, "learning-pdca-page")
    page.goto(live_server.url + "/o/org-a/learning/plans")
    page.locator("table a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".lw-rec").count() >= 1
    screenshot(page, "learning-improvement-plan")
    page.goto(live_server.url + "/o/org-a/learning/effectiveness")
    screenshot(page, "learning-effectiveness")
    page.goto(live_server.url + "/o/org-a/learning/policy")
    screenshot(page, "learning-policy")


def test_the_board_report(page, live_server, demo_institution, tmp_path):
    _sign_in(page, live_server, demo_institution.user("a", "board"))
    page.goto(live_server.url + "/o/org-a/learning/reports")
    assert page.locator("tbody tr").count() >= 1
    page.select_option("#field-period", index=1)
    page.click("form[action$='/learning/reports'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "PDF openen" in page.content()  # inline jobs: ready at once
    screenshot(page, "learning-board-report-page")
    page.check("#field-confirm-1")
    page.fill("#field-note", "Besproken in de vergadering van de raad van bestuur")
    page.click("form[action$='/sign-off'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Namens" not in page.content() and "Vastgesteld" in page.content()
    screenshot(page, "learning-board-report-signed")
    pdf_url = page.locator("a", has_text="PDF openen").get_attribute("href")
    response = page.request.get(live_server.url + pdf_url)
    assert response.headers["content-type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.body())
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "4", str(path),
                    str(ARTIFACTS / "screenshots" / "learning-board-report-signed-pdf")], check=True)


def test_the_commissioner_overview(page, live_server, demo_institution):
    _sign_in(page, live_server, demo_institution.user("c", "viewer"))
    page.goto(live_server.url + "/o/org-c/portal/")
    page.wait_for_load_state("networkidle")
    assert "Instelling A" in page.content() and "Instelling B" not in page.content()
    assert not page.console_errors
    screenshot(page, "commissioner-overview")
    page.click("text=Instelling A")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Instelling A"
    screenshot(page, "commissioner-institution")
