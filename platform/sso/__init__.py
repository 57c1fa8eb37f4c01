"""Single sign-on: OpenID Connect per organisation.

An organisation's administrator keeps its provider settings (`admin.py`, `api.py`);
people sign in through that provider (`views.py`) with the authorization code flow,
PKCE, state and nonce, and full ID-token validation (`oidc.py`); their (issuer, subject)
identity, account, membership and roles follow from the verified claims (`service.py`).
Every way in ends in `lekwijzer.auth.session.sign_in`. See policy.py for what it changes
for local passwords, entering an organisation and signing out.

Configuration (environment → app config):
  LEKWIJZER_ENCRYPTION_KEY     Fernet key(s) for client secrets (required in production)
  LEKWIJZER_SSO_ALLOW_INSECURE http:// and internal addresses for providers (default: on,
                               except in production)
  LEKWIJZER_SSO_CLOCK_LEEWAY   seconds of clock difference accepted in tokens (60)
  LEKWIJZER_SSO_HTTP_TIMEOUT   seconds to wait for the provider (10)
"""
from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import AppGroup

from ..config import _bool
from ..roles import register_permissions

register_permissions({"sso.manage": {"tenant_admin"}})


def _configure(app: Flask) -> None:
    env = os.environ
    production = app.config["LEKWIJZER_MODE"] == "production"
    app.config.setdefault("SSO_ALLOW_INSECURE", _bool(env.get("LEKWIJZER_SSO_ALLOW_INSECURE"), not production))
    app.config.setdefault("SSO_CLOCK_LEEWAY", int(env.get("LEKWIJZER_SSO_CLOCK_LEEWAY", "60")))
    app.config.setdefault("SSO_HTTP_TIMEOUT", float(env.get("LEKWIJZER_SSO_HTTP_TIMEOUT", "10")))
    app.config.setdefault("SSO_FLOW_SECONDS", 600)  # from starting to sign in to coming back
    app.config.setdefault("SSO_METADATA_SECONDS", 300)
    app.config.setdefault("SSO_JWKS_SECONDS", 3600)
    from .crypto import keys_from_config

    keys_from_config(app.config)  # a malformed key stops the start, not the first sign-in


def init_app(app: Flask) -> None:
    _configure(app)
    from ..apiblueprint import register
    from . import admin, api, demo, policy, views  # noqa: F401  (they register hooks, nav, demo data)

    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    register(api.blp)
    app.cli.add_command(cli)


cli = AppGroup("sso", help="Single sign-on: encryption keys for client secrets.")


@cli.command("new-key")
def new_key_command():
    """Print a new key for LEKWIJZER_ENCRYPTION_KEY."""
    from .crypto import new_key

    click.echo(new_key())


@cli.command("reencrypt")
def reencrypt_command():
    """Encrypt every stored client secret again with the first key (after adding a new one)."""
    import sqlalchemy as sa

    from ..db import db
    from ..models import Org
    from ..tenancy import tenant_scope
    from .crypto import reencrypt
    from .models import SsoConfig

    count = 0
    for org_id in db.session.scalars(sa.select(Org.id)).all():
        with tenant_scope(org_id):
            for config in db.session.scalars(sa.select(SsoConfig)):
                if config.client_secret_enc:
                    config.client_secret_enc = reencrypt(config.client_secret_enc)
                    count += 1
    click.echo(f"{count} client secret(s) encrypted with the current key.")


@cli.command("allow-passwords")
@click.argument("slug")
def allow_passwords_command(slug):
    """Break glass: let an organisation's members sign in with passwords again (provider down)."""
    import sqlalchemy as sa

    from .. import audit
    from ..db import db
    from ..models import Org
    from ..tenancy import tenant_scope
    from . import service

    org = db.session.scalar(sa.select(Org).where(Org.slug == slug))
    if org is None:
        raise click.ClickException(f"no organisation {slug!r}")
    with tenant_scope(org.id):
        config = service.current_config()
        if config is None or config.allow_local_passwords:
            click.echo("Passwords are already accepted.")
            return
        config.allow_local_passwords = True
        config.version += 1
        service.sync_directory(org, config)
        audit.record("sso.settings_changed", "sso_config", config.id, actor=("system", None),
                     meta={"version": config.version, "changed": "passwords", "enabled": config.enabled,
                           "local_passwords": True, "by": "operator_cli"})
    click.echo(f"{org.name}: passwords are accepted again (audited).")
