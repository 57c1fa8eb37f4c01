"""The administrator's settings: saving, validation, “test connection”, the API, encryption."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.sso.conftest import USERS_A, audit_entries

FORM = {"enabled__present": "1", "allow_local_passwords__present": "1", "jit_provisioning__present": "1",
        "default_roles__present": "1"}


def _english(client, org="a"):
    client.get(f"/o/org-{org}/admin/sso")  # the signed-in session's CSRF token
    assert client.post("/lang", {"lang": "en", "next": "/"}).status_code == 302
    assert 'lang="en"' in client.get(f"/o/org-{org}/admin/sso").get_data(as_text=True)
    return client


def _settings_form(idp, **changes):
    form = {**FORM, "enabled": "1", "allow_local_passwords": "1", "jit_provisioning": "1",
            "issuer": idp.issuer + "/.well-known/openid-configuration", "client_id": "lekwijzer-a",
            "client_secret": "geheim-a", "scopes": "openid email profile groups", "role_claim": "groups",
            "role_mapping": "lw-privacy = privacy_officer\n# comment\nlw-admins = tenant_admin\n",
            "allowed_domains": "org-a.test, Org-A-Zorg.test", "display_name": "Account van A"}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def _config(app, org_id):
    from lekwijzer.db import db
    from lekwijzer.sso.models import SsoConfig
    from lekwijzer.tenancy import tenant_scope

    with app.app_context(), tenant_scope(org_id):
        config = db.session.scalar(sa.select(SsoConfig))
        if config is not None:
            db.session.expunge(config)
        return config


def test_the_administrator_sets_up_single_sign_on_and_people_can_sign_in(app, world, login, idps, sso_client):
    admin = login(app, world.user("a", "tenant_admin"))
    page = admin.get("/o/org-a/admin/sso")
    assert page.status_code == 200
    assert "http://localhost/sso/org-a/callback" in page.get_data(as_text=True)

    response = admin.post("/o/org-a/admin/sso", _settings_form(idps.one))
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    config = _config(app, world.orgs["a"].id)
    assert config.enabled and config.issuer == idps.one.issuer  # the discovery suffix was taken off
    assert config.role_mapping == [{"value": "lw-privacy", "role": "privacy_officer"},
                                   {"value": "lw-admins", "role": "tenant_admin"}]
    assert config.allowed_domains == ["org-a.test", "org-a-zorg.test"]
    assert config.version == 1

    # The secret is stored encrypted, and never in the audit trail.
    from lekwijzer.db import db

    with app.app_context():
        raw = db.session.execute(sa.text("SELECT client_secret_enc FROM sso_config")).scalar()
    assert raw and "geheim-a" not in raw
    with app.test_request_context():
        from lekwijzer.sso import crypto

        assert crypto.decrypt(raw) == "geheim-a"
    changes = [m for a, m, *_ in audit_entries(app, world, "a", "sso.settings_changed")]
    assert changes == [{"version": 1, "changed": "created", "enabled": True, "local_passwords": True}]
    assert "geheim" not in repr(audit_entries(app, world, "a"))

    # Saving again without a secret keeps it; nothing changed, no new version.
    again = admin.post("/o/org-a/admin/sso", _settings_form(idps.one, client_secret=""))
    assert again.status_code == 302
    assert _config(app, world.orgs["a"].id).version == 1
    assert _config(app, world.orgs["a"].id).client_secret_enc == raw
    # A real change is recorded with what changed (codes, never values).
    admin.post("/o/org-a/admin/sso", _settings_form(idps.one, client_secret="", allowed_domains="org-a.test"))
    assert _config(app, world.orgs["a"].id).version == 2
    assert [m["changed"] for a, m, *_ in audit_entries(app, world, "a", "sso.settings_changed")] == [
        "created", "domains"]

    response = sso_client().sign_in("org-a", "anna", USERS_A["anna"]["password"])
    assert response.status_code == 302 and response.headers["Location"] == "/o/org-a/"


@pytest.mark.parametrize("changes, field, text", [
    ({"client_secret": ""}, "client_secret", "client secret"),
    ({"allowed_domains": ""}, "allowed_domains", "e-mail domain"),
    ({"allowed_domains": "org-a.test, not a domain"}, "allowed_domains", "is not a domain"),
    ({"role_mapping": "lw-privacy = privacy-officer"}, "role_mapping", "Line 1"),
    ({"role_mapping": "lw-privacy privacy_officer"}, "role_mapping", "claim value = role"),
    ({"role_mapping": ""}, "role_mapping", "nobody can sign in"),
    ({"scopes": "email profile"}, "scopes", "openid"),
    ({"issuer": "login.example.test"}, "issuer", "web address"),
    ({"role_claim": "groups; drop"}, "role_claim", "claim name"),
])
def test_invalid_settings_are_explained_and_nothing_is_saved(app, world, login, idps, changes, field, text):
    admin = _english(login(app, world.user("a", "tenant_admin")))
    response = admin.post("/o/org-a/admin/sso", _settings_form(idps.one, **changes))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="error-summary"' in body and f'href="#field-{field}"' in body
    assert text in body
    assert _config(app, world.orgs["a"].id) is None
    assert audit_entries(app, world, "a", "sso.settings_changed") == []


def test_the_connection_test_says_what_is_wrong_in_plain_words(app, world, login, idps):
    admin = _english(login(app, world.user("a", "tenant_admin")))

    def test(**changes):
        response = admin.post("/o/org-a/admin/sso/test", _settings_form(idps.one, **changes))
        assert response.status_code == 200
        return response.get_data(as_text=True)

    good = test()
    assert "The provider can be used with these settings" in good
    assert "The provider accepts the client id and secret." in good
    assert "signing out of Lekwijzer also ends the session there" in good
    assert 'value="' + idps.one.issuer in good  # the form keeps what was typed

    assert "does not accept the client id or the client secret" in test(client_secret="verkeerd")
    assert f"The provider calls itself “{idps.one.issuer}”" in test(issuer=idps.one.issuer + "/")
    from tests.support.services import free_port

    closed = f"http://127.0.0.1:{free_port()}"
    assert f"Lekwijzer cannot connect to {closed}/.well-known/openid-configuration" in test(issuer=closed)
    assert "answered with HTTP status 404" in test(issuer=idps.one.issuer + "/realms/none")
    assert "does not list the claim “roles”" not in test(role_claim="groups")
    assert "does not list the claim “roles”" in test(role_claim="roles")
    # Testing saves nothing.
    assert _config(app, world.orgs["a"].id) is None
    assert [m["result"] for a, m, *_ in audit_entries(app, world, "a", "sso.connection_tested")][:2] == [
        "ok", "problems"]


def test_in_production_providers_must_be_https_and_on_the_internet(app, world, login, idps):
    admin = _english(login(app, world.user("a", "tenant_admin")))
    app.config["SSO_ALLOW_INSECURE"] = False
    response = admin.post("/o/org-a/admin/sso", _settings_form(idps.one))
    assert response.status_code == 422 and "must be an https:// address" in response.get_data(as_text=True)
    body = admin.post("/o/org-a/admin/sso/test", _settings_form(idps.one, issuer="https://127.0.0.1:9/x")).get_data(
        as_text=True)
    assert "is an address in an internal network" in body


def test_only_administrators_keep_the_settings(app, world, login, api):
    officer = login(app, world.user("a", "privacy_officer"))
    assert officer.get("/o/org-a/admin/sso").status_code == 403
    assert api(app, world, "a", "privacy_officer").get("/api/v1/sso/settings").status_code == 403
    admin = login(app, world.user("a", "tenant_admin"))
    assert 'href="/o/org-a/admin/sso"' in admin.get("/o/org-a/").get_data(as_text=True)  # in the navigation


def test_the_api_uses_the_same_rules_and_never_returns_the_secret(app, world, api, idps):
    client = api(app, world, "a", "tenant_admin")
    empty = client.get("/api/v1/sso/settings")
    assert empty.status_code == 200 and empty.json["enabled"] is False and empty.json["version"] == 0
    body = {"enabled": True, "issuer": idps.one.issuer, "client_id": "lekwijzer-a", "client_secret": "geheim-a",
            "scopes": "openid email profile groups", "role_claim": "groups",
            "role_mapping": [{"value": "lw-privacy", "role": "privacy_officer"}],
            "allowed_domains": ["org-a.test"], "default_roles": ["reporter"]}
    bad = client.put("/api/v1/sso/settings", json={**body, "role_mapping": [{"value": "x", "role": "god"}]})
    assert bad.status_code == 422
    saved = client.put("/api/v1/sso/settings", json=body)
    assert saved.status_code == 200, saved.json
    assert saved.json["has_client_secret"] is True and "client_secret" not in saved.json
    assert saved.json["redirect_uri"] == "http://localhost/sso/org-a/callback"
    assert saved.json["default_roles"] == ["reporter"]
    tested = client.post("/api/v1/sso/settings/test", json={})
    assert tested.status_code == 200 and tested.json["ok"] is True, tested.json
    assert {f["level"] for f in tested.json["findings"]} <= {"ok", "warning"}
    assert client.get("/api/v1/sso/identities").json == []


def test_an_administrator_can_remove_a_link(app, world, login, idps, sso_client):
    from tests.sso.conftest import configure_sso

    configure_sso(app, world, "a", idps.one)
    assert sso_client().sign_in("org-a", "anna", USERS_A["anna"]["password"]).status_code == 302
    admin = login(app, world.user("a", "tenant_admin"))
    page = admin.get("/o/org-a/admin/sso").get_data(as_text=True)
    assert "Anna Jansen" in page and "a-5f1c0d" in page
    import re

    action = re.search(r'action="(/o/org-a/admin/sso/identities/[^"]+/unlink)"', page).group(1)
    assert admin.post(action).status_code == 302
    assert "a-5f1c0d" not in admin.get("/o/org-a/admin/sso").get_data(as_text=True)
    assert [a for a, *_ in audit_entries(app, world, "a", "sso.identity_unlinked")] == ["sso.identity_unlinked"]
    # Anna is a member now, so her next sign-in links her account again.
    assert sso_client().sign_in("org-a", "anna", USERS_A["anna"]["password"]).status_code == 302
    assert "a-5f1c0d" in admin.get("/o/org-a/admin/sso").get_data(as_text=True)


def test_client_secrets_survive_a_key_rotation(app):
    from cryptography.fernet import Fernet

    from lekwijzer.config import ConfigError
    from lekwijzer.sso import crypto

    old, new, other = Fernet.generate_key().decode(), Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with app.test_request_context():
        app.config["ENCRYPTION_KEY"] = old
        token = crypto.encrypt("geheim")
        app.config["ENCRYPTION_KEY"] = f"{new},{old}"
        assert crypto.decrypt(token) == "geheim"
        rotated = crypto.reencrypt(token)
        app.config["ENCRYPTION_KEY"] = new
        assert crypto.decrypt(rotated) == "geheim"
        app.config["ENCRYPTION_KEY"] = other
        with pytest.raises(crypto.SecretUnreadable):
            crypto.decrypt(rotated)
        app.config["ENCRYPTION_KEY"] = "not-a-fernet-key"
        with pytest.raises(ConfigError):
            crypto.encrypt("x")
        with pytest.raises(ConfigError):
            crypto.keys_from_config({"LEKWIJZER_MODE": "production", "ENCRYPTION_KEY": ""})
