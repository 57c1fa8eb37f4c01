"""Signing in and out through an organisation's identity provider.

These pages come before anyone is signed in, so they cannot sit behind the organisation
edge: the organisation is taken from the URL (``/sso/<slug>/…``), never from the session,
and its tenant is entered explicitly. A sign-in started for one organisation can only
finish for that organisation, with that organisation's settings as they are now.

* ``/sso/find``           home-realm discovery: which organisation signs in this address
* ``/sso/<slug>/login``   start: state, nonce and PKCE verifier into the signed session
* ``/sso/<slug>/callback`` finish: every check, then `sign_in(user, "sso")`
* ``/sso/<slug>/signed-out`` where the provider sends people back after signing out

Chrome applies the page's ``form-action 'self'`` to redirects that follow a form
submission, so a form that leads to an outside provider would be blocked. People
therefore reach the provider by following a link (or our page's instant redirect),
never by submitting a form.
"""
from __future__ import annotations

import logging
import secrets
import time

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, session,
                   url_for)
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, fields, validate

from .. import audit
from ..auth.session import sign_in
from ..auth.views import safe_next
from ..db import db
from ..extensions import limiter
from ..forms import load_form
from ..models import Org
from ..tenancy import set_tenant, tenant_scope
from . import oidc, service
from .crypto import SecretUnreadable
from .models import SsoConfig
from .oidc import ProviderProblem, Refused
from .policy import sso_orgs_of_session
from .refusals import reason as reason_for

bp = Blueprint("sso", __name__, template_folder="templates")
log = logging.getLogger("lekwijzer.sso")

MAX_FLOWS = 3  # sign-ins in progress per browser (several tabs); the oldest is dropped
ID_TOKEN_KEEP_MAX = 2000  # larger ID tokens are not kept in the cookie for sign-out


class FindSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    next = fields.String(load_default=None)


def _org_and_config(slug: str) -> tuple[Org, SsoConfig]:
    """The organisation from the URL, entered as the tenant, with its settings (or 404)."""
    org = db.session.scalar(sa.select(Org).where(Org.slug == slug, Org.active.is_(True)))
    if org is None:
        abort(404)
    set_tenant(org.id)
    config = service.current_config()
    if config is None or not config.enabled:
        message = gettext("This organisation does not sign in through its own identity provider.")
        abort(make_response(render_template("error.html", code=404, message=message), 404))
    return org, config


def _callback_uri(org: Org) -> str:
    return url_for("sso.callback", slug=org.slug, _external=True)


def signed_out_uri(org: Org) -> str:
    return url_for("sso.signed_out", slug=org.slug, _external=True)


@bp.get("/sso/find")
def find():
    """Home-realm discovery. Lands on our own page: a form must not redirect off-site."""
    if not request.args:
        return redirect(url_for("auth.login"))
    data, errors = load_form(FindSchema(), form=request.args)
    form = {"sso_email": request.args.get("email", "")}
    if errors:
        errors = {"sso_email": errors.get("email", [gettext("Enter your e-mail address.")])}
        return render_template("auth/login.html", errors={}, sso_errors=errors, form=form), 422
    orgs = service.orgs_for_email(data["email"])
    if not orgs:
        errors = {"sso_email": [gettext("No organisation in Lekwijzer signs in people with this e-mail address "
                                        "through its own account. Sign in with your password instead.")]}
        return render_template("auth/login.html", errors={}, sso_errors=errors, form=form), 404
    next_path = safe_next(data.get("next"), "") or None
    links = [(org, url_for("sso.login", slug=org.slug, login_hint=data["email"], next=next_path)) for org in orgs]
    realms = {org.id: service.realm_of(org.id) for org in orgs}
    return render_template("sso/continue.html", links=links, realms=realms,
                           refresh=links[0][1] if len(links) == 1 else None)


@bp.get("/sso/<slug>/login")
@limiter.limit("300 per minute")  # generous: a whole institution may sign in from one address at 9:00
def login(slug: str):
    org, config = _org_and_config(slug)
    try:
        metadata = oidc.metadata_for(config)
        secret = service.client_secret(config)
    except (ProviderProblem, SecretUnreadable) as exc:
        log.warning("sso: cannot start sign-in for org %s: %s", org.id, type(exc).__name__)
        return _refuse(org, Refused("provider_unreachable"))
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    flows = dict(session.get("sso_flows") or {})
    while len(flows) >= MAX_FLOWS:
        flows.pop(min(flows, key=lambda k: flows[k]["t"]))
    flows[state] = {"o": str(org.id), "v": config.version, "n": nonce, "cv": verifier, "t": int(time.time()),
                    "next": safe_next(request.args.get("next"), "") or None}
    session["sso_flows"] = flows
    hint = request.args.get("login_hint", "")[:254] or None
    url = oidc.authorization_url(config, secret, metadata, redirect_uri=_callback_uri(org), state=state,
                                 nonce=nonce, code_verifier=verifier, login_hint=hint,
                                 ui_locales=str(get_locale() or "nl"))
    return redirect(url, 302)


@bp.get("/sso/<slug>/callback")
def callback(slug: str):
    org, config = _org_and_config(slug)
    flows = dict(session.get("sso_flows") or {})
    state = request.args.get("state", "")
    flow = flows.pop(state, None) if state else None  # a state is good for one answer only
    session["sso_flows"] = flows
    try:
        result, tokens = _finish(org, config, flow)
    except Refused as refusal:
        return _refuse(org, refusal)

    # Organisations this person already entered through their own provider in this browser
    # stay entered (someone in two organisations that both require single sign-on).
    same_person = current_user.is_authenticated and current_user.id == result.user.id
    entered = set(sso_orgs_of_session()) if same_person else set()
    sign_in(result.user, "sso")  # fresh session; audit in each of the person's organisations
    id_token = tokens.get("id_token")
    session["sso"] = {"orgs": sorted(entered | {str(org.id)}), "org": str(org.id),
                      "idt": id_token if id_token and len(id_token) <= ID_TOKEN_KEEP_MAX else None}
    session["org"] = org.slug
    db.session.commit()
    if result.roles_changed:
        flash(_l("Your roles were updated from your organisation's account."), "info")
    target = (flow or {}).get("next") or url_for("orghome.dashboard", org_slug=org.slug)
    return redirect(safe_next(target, url_for("orghome.dashboard", org_slug=org.slug)))


def _finish(org: Org, config: SsoConfig, flow: dict | None):
    args = request.args
    own_flow = flow is not None and flow.get("o") == str(org.id)
    if own_flow and flow.get("v") != config.version:
        raise Refused("settings_changed")
    # The answer says which provider sent it (RFC 9207): one from another organisation's
    # provider never gets further, whatever else it carries.
    iss = args.get("iss")
    if iss is not None and iss != config.issuer:
        raise Refused("issuer_mismatch")
    if not own_flow:
        raise Refused("state_mismatch")
    if time.time() - flow["t"] > current_app.config["SSO_FLOW_SECONDS"]:
        raise Refused("state_expired")
    if args.get("error") or not args.get("code"):
        raise Refused("provider_error")
    try:
        metadata = oidc.metadata_for(config)
        secret = service.client_secret(config)
    except (ProviderProblem, SecretUnreadable) as exc:
        log.warning("sso: provider metadata unavailable for org %s: %s", org.id, type(exc).__name__)
        raise Refused("provider_unreachable") from None
    if iss is None and metadata.get("authorization_response_iss_parameter_supported"):
        raise Refused("issuer_mismatch")
    tokens = oidc.exchange_code(config, secret, metadata, code=args["code"], redirect_uri=_callback_uri(org),
                                code_verifier=flow["cv"])
    claims = oidc.validate_id_token(tokens["id_token"], metadata, issuer=config.issuer, client_id=config.client_id,
                                    nonce=flow["n"], access_token=tokens.get("access_token"))
    claims = _with_userinfo(claims, config, metadata, tokens)
    return service.complete_sign_in(org, config, claims), tokens


def _with_userinfo(claims: dict, config: SsoConfig, metadata: dict, tokens: dict) -> dict:
    """Claims the ID token lacks (e-mail, groups) come from the userinfo endpoint, if any."""
    wanted = ("email", config.role_claim.split(".")[0], "name")
    if all(k in claims for k in wanted):
        return claims
    info = oidc.userinfo(metadata, tokens.get("access_token"))
    if not info or info.get("sub") != claims["sub"]:  # OIDC Core §5.3.4: must be the same person
        return claims
    merged = dict(info)
    merged.update(claims)  # what the signed ID token says wins
    return merged


def _refuse(org: Org, refusal: Refused):
    """A clear page for the person and an entry in the organisation's audit trail."""
    db.session.rollback()  # nothing of the refused sign-in is kept
    actor = ("user", refusal.user_id) if refusal.user_id else ("system", None)
    with tenant_scope(org.id):
        audit.record("user.sign_in_refused", "org", org.id, meta={"method": "sso", "reason": refusal.reason},
                     actor=actor)
    log.info("sso: sign-in refused for org %s: %s", org.id, refusal.reason)
    info = reason_for(refusal.reason)
    return render_template("sso/refused.html", org=org, info=info, code=refusal.reason,
                           at=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())), info.status


@bp.get("/sso/<slug>/signed-out")
def signed_out(slug: str):
    """Back from the provider's sign-out page."""
    org = db.session.scalar(sa.select(Org).where(Org.slug == slug, Org.active.is_(True)))
    if org is None:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    flash(_l("You have been signed out of Lekwijzer and of %(org)s's account.", org=org.name), "info")
    return redirect(url_for("auth.login"))


def _sso_offered() -> bool:
    from .models import SsoRealm

    return db.session.scalar(sa.select(sa.exists().where(SsoRealm.enabled.is_(True)))) or False


@bp.app_context_processor
def _context():
    return {"sso_offered": _sso_offered}
