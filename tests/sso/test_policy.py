"""Home-realm discovery, organisations without local passwords, the sign-in page."""
from __future__ import annotations

import re
from html import unescape

import sqlalchemy as sa

from tests.sso.conftest import USERS_A, audit_entries, configure_sso
from tests.sso.idp import query_of
from tests.support.web import WebClient
from tests.support.world import PASSWORD


def test_the_sign_in_page_offers_single_sign_on_only_when_an_organisation_uses_it(app, world, idps):
    client = WebClient(app)
    assert 'action="/sso/find"' not in client.get("/login").get_data(as_text=True)
    configure_sso(app, world, "a", idps.one)
    page = client.get("/login").get_data(as_text=True)
    assert 'action="/sso/find"' in page and 'method="get"' in page
    assert 'for="field-sso_email"' in page  # labelled


def test_home_realm_discovery_sends_people_to_their_organisations_provider(app, world, idps):
    configure_sso(app, world, "a", idps.one, display_name="Account van Instelling A")
    client = WebClient(app)
    response = client.get("/sso/find", query_string={"email": "Anna.Jansen@ORG-A.test", "next": "/o/org-a/"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    refresh = unescape(re.search(r'content="0; url=([^"]+)"', body).group(1))
    assert refresh.startswith("/sso/org-a/login?")
    assert query_of(refresh) == {"login_hint": "Anna.Jansen@ORG-A.test", "next": "/o/org-a/"}
    assert "Account van Instelling A" in body
    # The way on is a link (not a form), which the page's CSP lets lead to another site.
    assert f'href="{refresh}"'.replace("&", "&amp;") in body
    start = client.get(refresh)
    assert start.status_code == 302 and start.headers["Location"].startswith(idps.one.issuer)
    assert query_of(start.headers["Location"])["login_hint"] == "Anna.Jansen@ORG-A.test"


def test_discovery_for_an_unknown_domain_or_a_malformed_address_says_so(app, world, idps):
    configure_sso(app, world, "a", idps.one)
    client = WebClient(app)
    unknown = client.get("/sso/find", query_string={"email": "iemand@elders.test"})
    assert unknown.status_code == 404
    assert 'id="error-sso_email"' in unknown.get_data(as_text=True)
    malformed = client.get("/sso/find", query_string={"email": "geen-adres"})
    assert malformed.status_code == 422
    assert 'aria-invalid="true"' in malformed.get_data(as_text=True)


def test_discovery_lists_every_organisation_that_claims_a_domain(app, world, idps):
    configure_sso(app, world, "a", idps.one, allowed_domains=["gedeeld.test"])
    configure_sso(app, world, "b", idps.two, allowed_domains=["gedeeld.test"])
    body = WebClient(app).get("/sso/find", query_string={"email": "x@gedeeld.test"}).get_data(as_text=True)
    assert "http-equiv" not in body  # no automatic choice
    assert "/sso/org-a/login" in body and "/sso/org-b/login" in body


def test_an_organisation_without_local_passwords_refuses_them(app, world, idps):
    configure_sso(app, world, "a", idps.one, allow_local_passwords=False)
    client = WebClient(app)
    client.get("/login")
    response = client.post("/login", {"email": world.user("a", "board").email, "password": PASSWORD})
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert 'href="/sso/org-a/login"' in body
    assert client.get("/o/org-a/").status_code == 302  # not signed in
    refused = [m for a, m, *_ in audit_entries(app, world, "a", "user.sign_in_refused")]
    assert refused == [{"method": "password", "reason": "password_not_allowed"}]
    # A wrong password still gets the usual answer (no hint that the account exists).
    wrong = client.post("/login", {"email": world.user("a", "board").email, "password": "fout"})
    assert wrong.status_code == 422 and 'href="/sso/org-a/login"' not in wrong.get_data(as_text=True)
    # Organisation B still accepts passwords.
    assert WebClient(app).login(world.user("b", "board").email, PASSWORD)


def test_a_password_session_does_not_enter_an_organisation_that_requires_its_provider(app, world, idps, sso_client):
    """Someone in A (provider only) and B (passwords too) may use a password for B, not for A."""
    from lekwijzer.db import db
    from lekwijzer.models import Membership
    from lekwijzer.tenancy import tenant_scope

    person = world.user("b", "fg")
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        db.session.add(Membership(tenant_id=world.orgs["a"].id, user_id=person.id, roles=["fg"]))
    configure_sso(app, world, "a", idps.one, allow_local_passwords=False)
    client = WebClient(app).login(person.email, PASSWORD)
    assert client.get("/o/org-b/").status_code == 200
    entering_a = client.get("/o/org-a/admin/audit")
    assert entering_a.status_code == 302
    assert entering_a.headers["Location"].startswith("/sso/org-a/login?next=")
    # After signing in at A's provider, A opens (and B stays open: same person, same browser).
    users = {**USERS_A, "fg-b": {"password": "fg-pw", "sub": "a-fg-b", "claims": {
        "email": person.email, "email_verified": True, "name": person.name, "groups": ["lw-fg"]}}}
    idps.one.set_users(users)
    configure_sso(app, world, "a", idps.one, allow_local_passwords=False, allowed_domains=["org-a.test", "org-b.test"])
    sso = sso_client()
    sso.web = client
    callback = sso.at_provider(sso.web.get("/sso/org-a/login?next=/o/org-a/admin/audit").headers["Location"],
                               "fg-b", "fg-pw")
    done = sso.finish(callback)
    assert done.status_code == 302 and done.headers["Location"] == "/o/org-a/admin/audit"
    assert client.get("/o/org-a/admin/audit").status_code == 200
    assert client.get("/o/org-b/").status_code == 200


def test_passwords_can_only_be_switched_off_with_single_sign_on_on(app, world, login):
    admin = login(app, world.user("a", "tenant_admin"))
    admin.get("/o/org-a/admin/sso")
    response = admin.post("/o/org-a/admin/sso", {"enabled__present": "1", "allow_local_passwords__present": "1",
                                                 "jit_provisioning__present": "1", "issuer": "", "client_id": ""})
    assert response.status_code == 422
    assert 'id="error-allow_local_passwords"' in response.get_data(as_text=True)
    from lekwijzer.db import db
    from lekwijzer.sso.models import SsoRealm

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SsoRealm)) == 0


def test_an_organisation_without_single_sign_on_says_so(app, world, idps):
    client = WebClient(app)
    response = client.get("/sso/org-a/login")
    assert response.status_code == 404
    assert "logt niet in via een eigen identiteitsprovider" in response.get_data(as_text=True)
    configure_sso(app, world, "a", idps.one, enabled=False, allow_local_passwords=True)
    assert client.get("/sso/org-a/login").status_code == 404
    assert client.get("/sso/org-a/callback?state=x&code=y").status_code == 404
    assert client.get("/sso/nergens/login").status_code == 404


def test_the_operator_can_let_passwords_in_again_when_the_provider_is_down(app, world, idps):
    from lekwijzer.sso import cli

    configure_sso(app, world, "a", idps.one, allow_local_passwords=False)
    client = WebClient(app)
    client.get("/login")
    assert client.post("/login", {"email": world.user("a", "board").email, "password": PASSWORD}).status_code == 403
    result = app.test_cli_runner().invoke(cli, ["allow-passwords", "org-a"])
    assert result.exit_code == 0, result.output
    assert WebClient(app).login(world.user("a", "board").email, PASSWORD)
    changes = [m for a, m, *_ in audit_entries(app, world, "a", "sso.settings_changed")]
    assert changes[-1]["by"] == "operator_cli" and changes[-1]["local_passwords"] is True
