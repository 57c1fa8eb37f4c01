"""Looked at in a real browser: the sign-in page and an empty dashboard, in Dutch and English."""
from __future__ import annotations

import pytest

from tests.conftest import screenshot
from tests.support.world import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang, heading, button, sign_out", [
    ("nl", "Inloggen bij Lekwijzer", "Inloggen", "Uitloggen"),
    ("en", "Sign in to Lekwijzer", "Sign in", "Sign out"),
])
def test_sign_in_and_empty_dashboard(live_server, world, page, lang, heading, button, sign_out):
    page.goto(live_server.url + "/login")
    if lang == "en":
        page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.locator("html").get_attribute("lang") == lang
    screenshot(page, f"shell-login-{lang}")

    # The skip link is the first thing a keyboard reaches.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"

    # A staff member of an institution that has registered nothing yet.
    page.get_by_label("E-mailadres" if lang == "nl" else "E-mail address").fill(world.user("b", "reporter").email)
    page.get_by_label("Wachtwoord" if lang == "nl" else "Password").fill(PASSWORD)
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_url(f"{live_server.url}/o/org-b/")
    assert page.get_by_role("heading", level=1).inner_text() == "Instelling B"
    assert page.get_by_role("button", name=sign_out).is_visible()
    screenshot(page, f"shell-dashboard-{lang}")
    assert page.console_errors == []  # nothing blocked by the CSP, no script errors


def test_a_wrong_password_shows_an_error_summary_that_takes_focus(live_server, world, page):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mailadres").fill(world.user("a", "reporter").email)
    page.get_by_label("Wachtwoord").fill("fout")
    page.get_by_role("button", name="Inloggen", exact=True).click()
    summary = page.get_by_role("alert")
    assert "klopt niet" in summary.inner_text()
    # app.js (deferred) moves focus to the summary once the page has loaded
    page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'",
                           timeout=5000)
    screenshot(page, "shell-login-error-nl")
