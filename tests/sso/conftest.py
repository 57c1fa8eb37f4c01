"""Two real identity providers (one per institution) and helpers to sign in through them.

The providers run for the whole session; every test gets them back in their initial
state (keys, published key set, clock, clients, accounts) and Lekwijzer's provider
caches emptied.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.sso.idp import IdpProcess, ProviderBrowser, new_key, path_of

LOCAL = "http://localhost"  # the Flask test client's origin

# People at the providers. Subjects are opaque ids, as at real providers.
USERS_A = {
    "anna": {"password": "anna-wachtwoord", "sub": "a-5f1c0d", "claims": {
        "email": "anna.jansen@org-a.test", "email_verified": True, "name": "Anna Jansen", "groups": ["lw-privacy"]}},
    "bram": {"password": "bram-wachtwoord", "sub": "a-77e0b2", "claims": {
        "email": "bram.de.vries@org-a.test", "email_verified": True, "name": "Bram de Vries",
        "groups": ["lw-admins", "staff"]}},
    "nora": {"password": "nora-wachtwoord", "sub": "a-0c4411", "claims": {
        "email": "nora.bakker@org-a.test", "email_verified": True, "name": "Nora Bakker", "groups": ["staff"]}},
    "eve": {"password": "eve-wachtwoord", "sub": "a-ee9999", "claims": {
        "email": "eve@elders.test", "email_verified": True, "name": "Eve Elders", "groups": ["lw-privacy"]}},
    "po": {"password": "po-wachtwoord", "sub": "a-po0001", "claims": {
        "email": "privacy_officer@org-a.test", "email_verified": True, "name": "Privacy_Officer A",
        "groups": ["lw-privacy"]}},
}
USERS_B = {
    "bob": {"password": "bob-wachtwoord", "sub": "b-31337", "claims": {
        "email": "bob.smit@org-b.test", "email_verified": True, "name": "Bob Smit",
        "groups": ["Lekwijzer-Meldingen"]}},
    "anna": {"password": "anna-b", "sub": "b-anna", "claims": {
        "email": "anna.b@org-b.test", "email_verified": True, "name": "Anna B", "groups": ["Lekwijzer-Meldingen"]}},
}
MAPPING_A = [{"value": "lw-privacy", "role": "privacy_officer"}, {"value": "lw-admins", "role": "tenant_admin"},
             {"value": "lw-fg", "role": "fg"}]
MAPPING_B = [{"value": "Lekwijzer-Meldingen", "role": "reporter"}]


def clients_for(client_id: str, secret: str, origins: list[str], slugs: list[str]) -> list[dict]:
    return [{
        "client_id": client_id, "client_secret": secret,
        "redirect_uris": [f"{o}/sso/{s}/callback" for o in origins for s in slugs],
        "post_logout_redirect_uris": [f"{o}/sso/{s}/signed-out" for o in origins for s in slugs],
    }]


class Idps:
    """Both providers and their defaults."""

    def __init__(self, one: IdpProcess, two: IdpProcess, keys: dict):
        self.one, self.two, self.keys = one, two, keys

    def clients(self, origins=(LOCAL,)):
        one = clients_for("lekwijzer-a", "geheim-a", list(origins), ["org-a"])
        two = clients_for("lekwijzer-b", "geheim-b", list(origins), ["org-b"]) + \
            clients_for("lekwijzer-a-nieuw", "geheim-a-nieuw", list(origins), ["org-a"])
        return one, two

    def reset(self, origins=(LOCAL,)):
        one, two = self.clients(origins)
        for idp, key, clients, users in ((self.one, "one", one, USERS_A), (self.two, "two", two, USERS_B)):
            idp.publish(None)
            idp.clock(0)
            idp.set_users(users)
            idp.keys = [self.keys[key]]
            idp.control("rotate", {"keys": {"keys": [self.keys[key]]}})
            idp.set_clients(clients)


@pytest.fixture
def world(app, monkeypatch):
    """The shared test world, built with a fast password hash (18 scrypt hashes take seconds)."""
    from werkzeug.security import generate_password_hash

    from lekwijzer.models import user as user_module
    from tests.conftest import _world

    monkeypatch.setattr(user_module, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(password, method="pbkdf2:sha256:1000"))
    return _world(app)


@pytest.fixture
def pg_world(pg_app, monkeypatch):
    from werkzeug.security import generate_password_hash

    from lekwijzer.models import user as user_module
    from tests.conftest import _world

    monkeypatch.setattr(user_module, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(password, method="pbkdf2:sha256:1000"))
    return _world(pg_app)


@pytest.fixture(scope="session")
def idp_processes():
    keys = {"one": new_key("one-2026-1"), "two": new_key("two-2026-1"), "next": new_key("one-2026-2"),
            "stranger": new_key("stranger-1")}
    one_clients, _ = Idps(None, None, keys).clients()
    one = IdpProcess("Instelling A – Inloggen", [keys["one"]]).start(one_clients, USERS_A)
    try:
        _, two_clients = Idps(None, None, keys).clients()
        # The second provider puts the claims in the ID token itself; the first only in userinfo.
        two = IdpProcess("Instelling B – Mijn account", [keys["two"]], conform_id_token_claims=False).start(
            two_clients, USERS_B)
    except Exception:
        one.stop()
        raise
    yield Idps(one, two, keys)
    one.stop()
    two.stop()


@pytest.fixture
def idps(idp_processes):
    from lekwijzer.sso import oidc

    idp_processes.reset()
    oidc.clear_caches()
    yield idp_processes
    oidc.clear_caches()


def configure_sso(app, world, key: str, idp: IdpProcess, *, client_id=None, secret=None, **overrides):
    """Give organisation `key` single sign-on through `idp` (as its administrator would)."""
    from lekwijzer.db import db
    from lekwijzer.models import Org
    from lekwijzer.sso import service
    from lekwijzer.tenancy import tenant_scope

    defaults = {
        "a": {"client_id": "lekwijzer-a", "client_secret": "geheim-a", "role_mapping": MAPPING_A,
              "allowed_domains": ["org-a.test"]},
        "b": {"client_id": "lekwijzer-b", "client_secret": "geheim-b", "role_mapping": MAPPING_B,
              "allowed_domains": ["org-b.test"]},
    }[key]
    data = {"enabled": True, "display_name": None, "issuer": idp.issuer, "scopes": "openid email profile groups",
            "role_claim": "groups", "default_roles": [], "allow_local_passwords": True, "jit_provisioning": True,
            **defaults}
    if client_id:
        data["client_id"] = client_id
    if secret:
        data["client_secret"] = secret
    data.update(overrides)
    with app.app_context():
        org = db.session.get(Org, world.orgs[key].id)
        with tenant_scope(org.id):
            config, _ = service.save_settings(org, data, None)
            return config.version


def audit_entries(app, world, key: str, action: str | None = None) -> list:
    from lekwijzer.db import db
    from lekwijzer.models import AuditEvent
    from lekwijzer.tenancy import tenant_scope

    with app.app_context():
        with tenant_scope(world.orgs[key].id):
            stmt = sa.select(AuditEvent).order_by(AuditEvent.seq)
            if action:
                stmt = stmt.where(AuditEvent.action == action)
            rows = db.session.scalars(stmt).all()
            return [(r.action, dict(r.meta or {}), r.actor_kind, r.actor_id) for r in rows]


def refusals(app, world, key: str) -> list[str]:
    return [meta.get("reason") for action, meta, *_ in audit_entries(app, world, key, "user.sign_in_refused")]


class SsoClient:
    """Lekwijzer's test client plus the person's browser at the provider."""

    def __init__(self, app):
        from tests.support.web import WebClient

        self.web = WebClient(app)
        self.provider = ProviderBrowser()

    def start(self, slug: str, **query) -> str:
        response = self.web.get(f"/sso/{slug}/login", query_string=query)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response.headers["Location"]

    def at_provider(self, authorize_url: str, login: str, password: str) -> str:
        return self.provider.authenticate(authorize_url, login, password)

    def finish(self, callback_url: str):
        assert callback_url.startswith(LOCAL), callback_url
        return self.web.get(path_of(callback_url))

    def sign_in(self, slug: str, login: str, password: str):
        return self.finish(self.at_provider(self.start(slug), login, password))


@pytest.fixture
def sso_client(app):
    def make():
        return SsoClient(app)
    return make
