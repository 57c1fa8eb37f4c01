"""Security headers on every response. Pages show breach data: nothing external loads."""
from __future__ import annotations

from flask import Flask, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# SVG charts are fetched as images; their own styles are inline attributes.
CSP_SVG = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def init_app(app: Flask) -> None:
    production = app.config["LEKWIJZER_MODE"] == "production"

    @app.after_request
    def _headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP_SVG if response.mimetype == "image/svg+xml" else CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        h.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if production:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not request.path.startswith("/static/"):
            # Pages and API answers may hold breach data: never keep them in a cache.
            h.setdefault("Cache-Control", "no-store")
        return response
