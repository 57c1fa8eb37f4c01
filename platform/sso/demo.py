"""Demo: the largest institution has single sign-on settings, switched off.

The demo works without an identity provider. To try single sign-on, start the demo
provider (`node tests/oidc/idp.js tests/oidc/demo-idp.json`, port 4000), sign in as
beheer@lekwijzer.example, open Beheer → Single sign-on, tick “Inloggen via deze
identiteitsprovider” and save; then sign in with sanne@samenveiligvoorbeeld.example
(password: demo) from the sign-in page. See docs/sso.md.
"""
from __future__ import annotations

from ..demo import MAIN, DemoContext, demo_seeder
from . import service

DEMO_ISSUER = "http://127.0.0.1:4000"


@demo_seeder
def sso_settings(ctx: DemoContext) -> None:
    if ctx.org.slug != MAIN or service.current_config() is not None:
        return
    service.save_settings(ctx.org, {
        "enabled": False,
        "display_name": "SVV-account",
        "issuer": DEMO_ISSUER,
        "client_id": "lekwijzer-demo",
        "client_secret": "demo-client-secret",
        "scopes": "openid email profile groups",
        "role_claim": "groups",
        "role_mapping": [
            {"value": "SVV-Privacy", "role": "privacy_officer"},
            {"value": "SVV-FG", "role": "fg"},
            {"value": "SVV-Bestuur", "role": "board"},
            {"value": "SVV-Lekwijzer-Beheer", "role": "tenant_admin"},
            {"value": "SVV-Audit", "role": "auditor"},
        ],
        "default_roles": ["reporter"],
        "allowed_domains": ["samenveiligvoorbeeld.example"],
        "allow_local_passwords": True,
        "jit_provisioning": True,
    }, ctx.users["tenant_admin"].id if ctx.users.get("tenant_admin") else None)
