"""REST API blueprints under /api/v1, authenticated by organisation API tokens.

Every API blueprint is made with `api_blueprint`: it authenticates the bearer token,
enters the token's organisation (the tenant), refuses organisations of other kinds with
404 and bodies that are not JSON with 415, and is exempt from CSRF (no cookies are used).
"""
from __future__ import annotations

from flask import abort, g, jsonify, request
from flask_smorest import Blueprint

from .auth.tokens import TokenError, authenticate
from .db import db, utcnow
from .edge import require_own_objects
from .extensions import api, csrf
from .models import OrgKind

BODY_METHODS = {"POST", "PUT", "PATCH"}
FILE_UPLOAD = "multipart/form-data"


def api_blueprint(name: str, import_name: str, *, kinds=(OrgKind.institution,), url_prefix: str = "",
                  description: str = "", accepts_files: bool = False) -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=f"/api/v1{url_prefix}", description=description)
    bp.org_kinds = tuple(kinds)
    csrf.exempt(bp)

    @bp.before_request
    def _authenticate():
        try:
            org, token = authenticate(request.headers.get("Authorization"))
        except TokenError as exc:
            response = jsonify(code=401, status="Unauthorized", message=str(exc))
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="lekwijzer"'
            abort(response)
        if org.kind not in bp.org_kinds:
            abort(404)
        g.org, g.roles, g.api_token = org, frozenset({token.role}), token
        require_own_objects(request.view_args or {})
        has_body = bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"
        if request.method in BODY_METHODS and has_body:
            allowed = ("application/json",) + ((FILE_UPLOAD,) if accepts_files else ())
            if request.mimetype not in allowed:
                abort(415, f"Send the body as {' or '.join(allowed)}.")
        g.org, g.roles, g.api_token = org, frozenset({token.role}), token
        g.actor = ("token", token.id)
        now = utcnow()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            token.last_used_at = now  # coarse on purpose: one write a minute, not per call
            db.session.commit()

    return bp


def register(bp: Blueprint) -> None:
    api.register_blueprint(bp)
