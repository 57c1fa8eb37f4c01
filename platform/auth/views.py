"""Sign-in pages: local accounts, sign-out, choosing an organisation, the language."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user, login_required
from marshmallow import Schema, fields, validate

from ..db import db
from ..extensions import limiter
from ..forms import load_form
from ..models import Org, User
from .session import SIGN_OUT_HOOKS, landing_slug, memberships_of, password_refusal, sign_in, sign_out

bp = Blueprint("auth", __name__)


class LoginSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class LanguageSchema(Schema):
    lang = fields.String(required=True, validate=validate.OneOf(("nl", "en")))
    next = fields.String(load_default="/")


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only same-site paths: no open redirects through ?next=."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def _login_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], key_func=_login_key, methods=["POST"],
               deduct_when=_failed, error_message="login-locked")
@limiter.limit("60 per 15 minutes", methods=["POST"], deduct_when=_failed, error_message="login-locked")
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("auth.home"))
    errors, form = {}, {}
    if request.method == "POST":
        data, errors = load_form(LoginSchema())
        form = {"email": request.form.get("email", "")}
        if not errors:
            user = db.session.scalar(sa.select(User).where(User.email == data["email"].lower()))
            if user is not None and user.active and user.check_password(data["password"]):
                refusal = password_refusal(user)
                if refusal is None:
                    sign_in(user, "password")
                    return redirect(safe_next(request.args.get("next"), url_for("auth.home")))
                _audit_refusal(user, refusal)
                return render_template("auth/login.html", errors={"_schema": [refusal.message]}, form=form,
                                       refusal=refusal), 403
            if user is not None:
                from .session import audit_in_each_org

                audit_in_each_org(user, "user.sign_in_failed", {"method": "password"})
                db.session.commit()
            errors = {"_schema": [gettext("The e-mail address or password is not correct.")]}
        return render_template("auth/login.html", errors=errors, form=form), 422
    return render_template("auth/login.html", errors=errors, form=form)


def _audit_refusal(user: User, refusal) -> None:
    from .. import audit
    from ..tenancy import tenant_scope

    for org_id in refusal.org_ids:
        with tenant_scope(org_id, user.id):
            audit.record("user.sign_in_refused", "user", user.id, actor=("user", user.id),
                         meta={"method": "password", "reason": refusal.reason})


@bp.errorhandler(429)
def locked(error):
    minutes = 15
    message = gettext("Too many failed attempts to sign in. For your safety, signing in is "
                      "locked for %(minutes)s minutes. Try again later or ask your administrator.",
                      minutes=minutes)
    form = {"email": request.form.get("email", "")}
    return render_template("auth/login.html", errors={"_schema": [message]}, form=form, locked=True), 429


@bp.post("/logout")
def logout():
    ended = dict(session)
    sign_out(current_user)
    db.session.commit()
    for hook in SIGN_OUT_HOOKS:  # e.g. continue at the identity provider
        response = hook(ended)
        if response is not None:
            return response
    flash(_l("You have been signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    slug = landing_slug(current_user)
    if slug:
        return redirect(url_for("orghome.dashboard", org_slug=slug))
    return redirect(url_for("auth.choose_org"))


@bp.get("/orgs")
@login_required
def choose_org():
    memberships = memberships_of(current_user)
    orgs = [(db.session.get(Org, m.tenant_id), m) for m in memberships]
    return render_template("auth/choose_org.html", orgs=orgs)


@bp.post("/lang")
def set_language():
    data, errors = load_form(LanguageSchema())
    if errors:
        return render_template("error.html", code=400, message=gettext("Unknown language.")), 400
    session["lang"] = data["lang"]
    if current_user.is_authenticated:
        current_user.locale = data["lang"]  # mail follows the person's choice too
        db.session.commit()
    return redirect(safe_next(data["next"]))


def init_app(app) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def _load_user():
        g.user = current_user if current_user.is_authenticated else None
