"""Wire the web layer: headers, errors, the interface shell, sign-in, org pages, API."""
from __future__ import annotations

from flask import Flask, g, request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from . import apiblueprint, errors, headers, ui
from .edge import can
from .roles import ROLE_LABELS


def init_app(app: Flask) -> None:
    headers.init_app(app)
    errors.init_app(app)

    from . import admin, api, docs, health, operator, orghome
    from .auth import views as auth_views

    auth_views.init_app(app)
    from . import sso

    sso.init_app(app)  # single sign-on: its pages, settings, API and sign-in policies
    for bp in (orghome.bp, admin.bp, operator.bp, health.bp, docs.bp):
        app.register_blueprint(bp)
    apiblueprint.register(api.blp)

    @app.context_processor
    def _shell():
        return {
            **ui.context(),
            "csrf_token": generate_csrf,
            "can": can,
            "get_locale": get_locale,
            "current_org": getattr(g, "org", None),
            "role_labels": ROLE_LABELS,
            "request_path": request.full_path.rstrip("?"),
        }
