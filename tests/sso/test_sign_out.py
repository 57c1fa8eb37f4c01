"""Signing out ends the Lekwijzer session and, where the provider offers it, the provider's."""
from __future__ import annotations

import re
from html import unescape

from tests.sso.conftest import USERS_A, audit_entries, configure_sso
from tests.sso.idp import path_of, query_of

PW = USERS_A["anna"]["password"]


def _refresh_target(body: str) -> str:
    match = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', body)
    assert match, body[:800]
    return unescape(match.group(1))


def test_sign_out_ends_both_sessions(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    client = sso_client()
    assert client.sign_in("org-a", "anna", PW).status_code == 302
    assert client.web.get("/o/org-a/").status_code == 200
    # While signed in at the provider, a new sign-in goes straight through (single sign-on).
    again = client.provider.http.get(client.start("org-a"), allow_redirects=False)
    assert again.status_code in (302, 303)

    response = client.web.post("/logout")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    end_session = _refresh_target(body)
    assert end_session.startswith(idps.one.issuer + "/session/end?")
    params = query_of(end_session)
    assert params["post_logout_redirect_uri"] == "http://localhost/sso/org-a/signed-out"
    assert params["client_id"] == "lekwijzer-a"
    assert params["id_token_hint"].count(".") == 2
    assert f'href="{end_session}"'.replace("&", "&amp;") in body  # a link too, for when the redirect does not run
    assert client.web.get("/o/org-a/").status_code == 302  # the Lekwijzer session has ended
    assert ("user.signed_out", {}) in [(a, m) for a, m, *_ in audit_entries(app, world, "a")]

    back = client.provider.sign_out(end_session)
    assert back.startswith("http://localhost/sso/org-a/signed-out?state=")
    landing = client.web.get(path_of(back))
    assert landing.status_code == 302 and landing.headers["Location"] == "/login"
    assert "U bent uitgelogd bij Lekwijzer en bij het account van Instelling A." in client.web.get(
        "/login").get_data(as_text=True)

    # The provider's session is gone as well: it asks for the password again.
    page = client.provider.http.get(client.start("org-a"))
    assert page.status_code == 200 and 'name="password"' in page.text


def test_a_password_session_signs_out_locally_only(app, world, idps, login):
    configure_sso(app, world, "a", idps.one)
    client = login(app, world.user("a", "privacy_officer"))
    client.get("/o/org-a/")  # a page of the signed-in session (its CSRF token)
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
