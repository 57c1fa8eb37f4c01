"""The API's documentation page, served from local assets (no CDN, strict CSP)."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("apidocs", __name__)


@bp.get("/api/v1/docs")
def docs():
    return render_template("apidocs.html")
