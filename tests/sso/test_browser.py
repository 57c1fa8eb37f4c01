"""End to end in Chromium: sign-in page → provider's sign-in page → landing page → sign-out,
a refusal page, a second organisation with its own provider, and the settings page.
Screenshots are kept in test-artifacts/screenshots/sso-*.png.
"""
from __future__ import annotations

import re

import pytest

from tests.conftest import screenshot
from tests.sso.conftest import LOCAL, USERS_A, audit_entries, configure_sso, refusals

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _csp_violations(page) -> list[str]:
    return [m for m in page.console_errors if "Content Security Policy" in m]


@pytest.fixture
def sector(app, world, idps, live_server):
    idps.reset(origins=(LOCAL, live_server.url))
    configure_sso(app, world, "a", idps.one, display_name="Account van Instelling A")
    configure_sso(app, world, "b", idps.two)
    return live_server.url


def test_sign_in_through_the_provider_and_sign_out_of_both(app, world, idps, sector, page):
    page.goto(f"{sector}/login")
    assert page.get_by_role("heading", name="Met het account van uw organisatie").is_visible()
    page.fill("#field-sso_email", "anna.jansen@org-a.test")
    screenshot(page, "sso-1-sign-in-page")
    page.get_by_role("button", name="Verder").click()
    # Our own page moves on to the provider (a form may not lead off-site under our CSP).
    page.wait_for_url(re.compile(re.escape(idps.one.issuer) + r"/interaction/.+"))
    assert page.input_value("#login") == "anna.jansen@org-a.test"  # our login_hint: only the password to type
    page.fill("#password", "niet-mijn-wachtwoord")
    page.click("button[type=submit]")
    assert page.get_by_text("Onjuiste gebruikersnaam of wachtwoord.").is_visible()
    page.fill("#password", USERS_A["anna"]["password"])
    screenshot(page, "sso-2-provider-login")
    page.click("button[type=submit]")
    page.wait_for_url(f"{sector}/o/org-a/")
    assert page.get_by_text("Instelling A").first.is_visible()
    assert page.get_by_role("button", name="Uitloggen").is_visible()
    screenshot(page, "sso-3-landing")
    assert ("member.added", {"roles": "privacy_officer", "source": "sso"}) in [
        (a, m) for a, m, *_ in audit_entries(app, world, "a")]

    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(re.compile(re.escape(idps.one.issuer) + r"/session/end.*"))
    page.get_by_role("button", name="Ja, afmelden").click()
    page.wait_for_url(f"{sector}/login")
    assert page.get_by_text("U bent uitgelogd bij Lekwijzer en bij het account van Instelling A.").is_visible()
    screenshot(page, "sso-5-signed-out")
    page.goto(f"{sector}/o/org-a/")
    assert page.url.startswith(f"{sector}/login")
    # Signing in again asks for the password at the provider: its session ended too.
    page.goto(f"{sector}/sso/org-a/login")
    page.wait_for_url(re.compile(re.escape(idps.one.issuer) + r"/interaction/.+"))
    assert page.locator("#password").is_visible()
    assert _csp_violations(page) == []


def test_a_refusal_is_a_clear_page(app, world, idps, sector, page):
    page.goto(f"{sector}/sso/org-a/login")
    page.fill("#login", "nora")
    page.fill("#password", "nora-wachtwoord")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(sector) + r"/sso/org-a/callback.*"))
    assert page.get_by_role("heading", name="U hebt geen rol in Lekwijzer").is_visible()
    assert page.get_by_role("alert").first.is_visible()
    assert page.locator("code", has_text="no_mapped_role").is_visible()
    screenshot(page, "sso-4-refused")
    assert refusals(app, world, "a") == ["no_mapped_role"]
    page.goto(f"{sector}/o/org-a/")
    assert page.url.startswith(f"{sector}/login")
    assert _csp_violations(page) == []


def test_a_second_organisation_signs_in_with_its_own_provider(app, world, idps, sector, page):
    page.goto(f"{sector}/sso/org-b/login")  # the organisation's own sign-in link
    page.wait_for_url(re.compile(re.escape(idps.two.issuer) + r"/interaction/.+"))
    assert page.title().startswith("Inloggen – Instelling B")
    page.fill("#login", "bob")
    page.fill("#password", "bob-wachtwoord")
    page.click("button[type=submit]")
    page.wait_for_url(f"{sector}/o/org-b/")
    screenshot(page, "sso-6-second-organisation")
    page.goto(f"{sector}/o/org-a/")
    assert "bestaat niet" in page.content()  # Bob is not a member of A
    assert _csp_violations(page) == []


def test_the_administrator_tests_the_connection(app, world, idps, sector, page):
    page.goto(f"{sector}/login")
    page.fill("#field-email", world.user("a", "tenant_admin").email)
    page.fill("#field-password", "correct horse battery staple")
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_url(f"{sector}/o/org-a/")
    page.get_by_role("link", name="Single sign-on").click()
    page.wait_for_url(f"{sector}/o/org-a/admin/sso")
    page.fill("#field-client_secret", "geheim-a")
    page.get_by_role("button", name="Verbinding testen").click()
    page.wait_for_url(f"{sector}/o/org-a/admin/sso/test")
    assert page.get_by_text("De provider accepteert de client-ID en het clientgeheim.").is_visible()
    screenshot(page, "sso-7-settings-connection-test")
    assert _csp_violations(page) == []
