"""What single sign-on changes elsewhere: local passwords, entering an organisation, signing out.

Registered with the small hooks of `lekwijzer.auth.session` and `lekwijzer.edge`:

* an organisation that no longer accepts local passwords refuses them at the sign-in
  page (when none of the person's organisations accepts them), and
* does not let a session that was opened with a password (or through another
  organisation's provider) in: it sends the person to its own provider first;
* signing out of a session opened through a provider that offers RP-initiated logout
  continues at the provider (with id_token_hint and post_logout_redirect_uri).
"""
from __future__ import annotations

import logging
import secrets
import uuid

import sqlalchemy as sa
from flask import abort, redirect, render_template, request, session, url_for
from flask_babel import gettext

from ..auth.session import SignInRefusal, memberships_of, register_password_policy, register_sign_out_hook
from ..db import db
from ..edge import register_entry_check
from ..models import Org
from ..tenancy import set_tenant
from . import oidc, service
from .models import SsoRealm
from .oidc import ProviderProblem

log = logging.getLogger("lekwijzer.sso")


def sso_orgs_of_session() -> list[str]:
    return list((session.get("sso") or {}).get("orgs") or [])


def password_policy(user) -> SignInRefusal | None:
    """Refuse a local password when every organisation of the person requires single sign-on."""
    memberships = memberships_of(user)
    if not memberships:
        return None
    org_ids = [m.tenant_id for m in memberships]
    realms = {r.org_id: r for r in db.session.scalars(sa.select(SsoRealm).where(SsoRealm.org_id.in_(org_ids)))}
    if any(org_id not in realms or realms[org_id].passwords_allowed for org_id in org_ids):
        return None
    orgs = db.session.scalars(sa.select(Org).where(Org.id.in_(org_ids)).order_by(Org.name)).all()
    links = [(gettext("Sign in with your %(org)s account", org=org.name), url_for("sso.login", slug=org.slug))
             for org in orgs]
    message = gettext("Your organisation signs you in with its own account; a Lekwijzer password is not "
                      "accepted. Use the button below.") if len(orgs) == 1 else gettext(
        "Your organisations sign you in with their own accounts; a Lekwijzer password is not accepted.")
    return SignInRefusal("password_not_allowed", message, links, [o.id for o in orgs])


def require_own_provider(org: Org, membership) -> None:
    """An organisation without local passwords is entered only after signing in at its provider."""
    realm = db.session.get(SsoRealm, org.id)
    if realm is None or realm.passwords_allowed or not realm.enabled:
        return
    if str(org.id) in sso_orgs_of_session():
        return
    abort(redirect(url_for("sso.login", slug=org.slug, next=request.full_path.rstrip("?"))))


def provider_sign_out(snapshot: dict):
    """After the local sign-out: continue at the provider, when it offers that."""
    sso = snapshot.get("sso") or {}
    if not sso.get("org"):
        return None
    try:
        org = db.session.get(Org, uuid.UUID(sso["org"]))
    except ValueError:
        return None
    if org is None:
        return None
    set_tenant(org.id)
    config = service.current_config()
    if config is None or not config.enabled:
        return None
    try:
        metadata = oidc.metadata_for(config)
    except ProviderProblem as exc:
        log.info("sso: no provider sign-out for org %s: %s", org.id, type(exc).__name__)
        return None
    from .views import signed_out_uri

    url = oidc.end_session_url(metadata, client_id=config.client_id, id_token_hint=sso.get("idt"),
                               post_logout_redirect_uri=signed_out_uri(org), state=secrets.token_urlsafe(16))
    if not url:
        return None
    return render_template("sso/signing_out.html", org=org, url=url)


register_password_policy(password_policy)
register_entry_check(require_own_provider)
register_sign_out_hook(provider_sign_out)
