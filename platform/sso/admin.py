"""The administrator's single sign-on page: settings, “test connection”, linked accounts."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import audit
from ..db import db
from ..edge import ALL_KINDS, get_or_404, org_blueprint, requires
from ..forms import load_form
from ..models import AuditEvent
from ..roles import ROLE_LABELS, valid_roles
from ..ui import register_nav
from . import service
from .crypto import SecretUnreadable
from .diagnose import diagnose
from .models import DEFAULT_SCOPES, SsoIdentity
from .oidc import normalise_issuer
from .schemas import SsoSettingsSchema

bp = org_blueprint("sso_admin", __name__, kinds=ALL_KINDS, url_prefix="/admin/sso", template_folder="templates")
AUDIT_ACTIONS = ("user.sign_in_refused", "sso.settings_changed", "sso.identity_linked", "sso.identity_unlinked",
                 "sso.admin_role_kept")


def links_for(org) -> dict:
    return {
        "redirect_uri": url_for("sso.callback", slug=org.slug, _external=True),
        "post_logout_redirect_uri": url_for("sso.signed_out", slug=org.slug, _external=True),
        "sign_in_url": url_for("sso.login", slug=org.slug, _external=True),
    }


def _form_of(config) -> dict:
    if config is None:
        return {"scopes": DEFAULT_SCOPES, "role_claim": "groups", "allow_local_passwords": True,
                "jit_provisioning": True, "default_roles": [], "enabled": False}
    return {
        "enabled": config.enabled, "display_name": config.display_name or "", "issuer": config.issuer,
        "client_id": config.client_id, "scopes": config.scopes, "role_claim": config.role_claim,
        "role_mapping": "\n".join(f"{m['value']} = {m['role']}" for m in config.role_mapping or []),
        "default_roles": list(config.default_roles or []),
        "allowed_domains": "\n".join(config.allowed_domains or []),
        "allow_local_passwords": config.allow_local_passwords, "jit_provisioning": config.jit_provisioning,
    }


def _form_submitted() -> dict:
    form = {k: request.form.get(k, "") for k in ("display_name", "issuer", "client_id", "scopes", "role_claim",
                                                 "role_mapping", "allowed_domains")}
    form["default_roles"] = request.form.getlist("default_roles")
    for name in ("enabled", "allow_local_passwords", "jit_provisioning"):
        form[name] = request.form.get(name) in ("1", "on", "true")
    return form


def _page(form, errors=None, findings=None, status=200):
    config = service.current_config()
    identities = db.session.scalars(
        sa.select(SsoIdentity).order_by(SsoIdentity.last_sign_in_at.desc().nullslast(), SsoIdentity.created_at.desc())
        .limit(200)).all()
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action.in_(AUDIT_ACTIONS)).order_by(AuditEvent.seq.desc()).limit(15)
    ).all()
    roles = [(r, gettext(ROLE_LABELS[r])) for r in valid_roles(g.org.kind)]
    return render_template("sso/settings.html", config=config, form=form, errors=errors or {}, findings=findings,
                           roles=roles, identities=identities, events=events, links=links_for(g.org)), status


@bp.get("")
@requires("sso.manage")
def settings():
    return _page(_form_of(service.current_config()))


@bp.post("")
@requires("sso.manage")
def save():
    config = service.current_config()
    data, errors = load_form(SsoSettingsSchema(has_secret=bool(config and config.has_secret)))
    if errors:
        return _page(_form_submitted(), errors, status=422)
    _config, changed = service.save_settings(g.org, data, current_user.id)
    db.session.commit()
    flash(_l("Single sign-on settings saved. They apply to the next sign-in.") if changed
          else _l("Nothing changed."), "success" if changed else "info")
    return redirect(url_for(".settings"))


@bp.post("/test")
@requires("sso.manage")
def test_connection():
    """Check the settings as they are in the form (saved or not); nothing is saved."""
    form = _form_submitted()
    config = service.current_config()
    secret = request.form.get("client_secret", "").strip() or None
    if secret is None and config is not None:
        try:
            secret = service.client_secret(config)
        except SecretUnreadable:
            secret = None
    findings = diagnose(normalise_issuer(form["issuer"]), form["client_id"].strip(), secret,
                        form["role_claim"].strip() or "groups", form["scopes"] or DEFAULT_SCOPES,
                        links_for(g.org)["redirect_uri"])
    ok = not any(f.level == "error" for f in findings)
    audit.record("sso.connection_tested", "org", g.org.id, meta={"result": "ok" if ok else "problems"})
    db.session.commit()
    return _page(form, findings={"ok": ok, "items": findings})


@bp.post("/identities/<uuid:sso_identity_id>/unlink")
@requires("sso.manage")
def unlink(sso_identity_id: uuid.UUID):
    identity = get_or_404(SsoIdentity, sso_identity_id)
    user_id = identity.user_id
    db.session.delete(identity)
    audit.record("sso.identity_unlinked", "user", user_id)
    db.session.commit()
    flash(_l("The link was removed. The person's next sign-in through the provider links the account again, "
             "if the rules allow it."), "success")
    return redirect(url_for(".settings"))


register_nav("sso_admin.settings", _l("Single sign-on"), permission="sso.manage", kinds=ALL_KINDS, order=93)
