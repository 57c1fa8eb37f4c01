"""Single sign-on settings in the REST API (the same schema as the settings page)."""
from __future__ import annotations

import uuid
from types import SimpleNamespace

import sqlalchemy as sa
from flask import abort, g
from flask.views import MethodView

from .. import audit
from ..apiblueprint import api_blueprint
from ..db import db
from ..edge import ALL_KINDS, get_or_404, requires
from . import service
from .admin import _form_of, links_for
from .crypto import SecretUnreadable
from .diagnose import diagnose
from .models import SsoIdentity
from .schemas import ConnectionTestSchema, IdentityOutSchema, SsoSettingsOutSchema, SsoSettingsSchema

blp = api_blueprint("sso_api", __name__, kinds=ALL_KINDS, url_prefix="/sso",
                    description="Single sign-on: the organisation's OpenID Connect settings and linked accounts")


def _out(config):
    if config is None:
        values = {**_form_of(None), "display_name": None, "issuer": "", "client_id": "", "role_mapping": [],
                  "allowed_domains": [], "has_secret": False, "version": 0, "updated_at": None}
    else:
        values = {name: getattr(config, name) for name in service.SETTING_FIELDS}
        values.update(has_secret=config.has_secret, version=config.version, updated_at=config.updated_at)
    return SimpleNamespace(**values, **links_for(g.org))


@blp.route("/settings")
class Settings(MethodView):
    @requires("sso.manage")
    @blp.response(200, SsoSettingsOutSchema)
    def get(self):
        """The organisation's single sign-on settings (the client secret is never returned)."""
        return _out(service.current_config())

    @requires("sso.manage")
    @blp.arguments(SsoSettingsSchema)
    @blp.response(200, SsoSettingsOutSchema)
    def put(self, data):
        """Replace the settings. Leave out client_secret to keep the stored one."""
        config, _changed = service.save_settings(g.org, data, None)
        db.session.commit()
        return _out(config)


@blp.route("/settings/test")
class SettingsTest(MethodView):
    @requires("sso.manage")
    @blp.response(200, ConnectionTestSchema)
    def post(self):
        """Test the stored settings: fetch the discovery document and check the client."""
        config = service.current_config()
        if config is None or not config.issuer:
            abort(409, "Save an issuer first.")
        try:
            secret = service.client_secret(config)
        except SecretUnreadable:
            secret = None
        findings = diagnose(config.issuer, config.client_id, secret, config.role_claim, config.scopes,
                            links_for(g.org)["redirect_uri"])
        ok = not any(f.level == "error" for f in findings)
        audit.record("sso.connection_tested", "org", g.org.id, meta={"result": "ok" if ok else "problems"})
        db.session.commit()
        return {"ok": ok, "findings": [{"level": f.level, "message": f.message} for f in findings]}


@blp.route("/identities")
class Identities(MethodView):
    @requires("sso.manage")
    @blp.response(200, IdentityOutSchema(many=True))
    def get(self):
        """Accounts linked to a person at the organisation's identity provider."""
        return db.session.scalars(sa.select(SsoIdentity).order_by(SsoIdentity.created_at)).all()


@blp.route("/identities/<uuid:sso_identity_id>")
class Identity(MethodView):
    @requires("sso.manage")
    @blp.response(204)
    def delete(self, sso_identity_id: uuid.UUID):
        """Remove a link (the next sign-in links again, if the rules allow it)."""
        identity = get_or_404(SsoIdentity, sso_identity_id)
        user_id = identity.user_id
        db.session.delete(identity)
        audit.record("sso.identity_unlinked", "user", user_id)
        db.session.commit()
