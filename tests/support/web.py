"""A test client that behaves like a browser: signs in, keeps and sends the CSRF token."""
from __future__ import annotations

import re

from flask.testing import FlaskClient

_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


class WebClient:
    def __init__(self, app):
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.csrf: str | None = None

    def _remember_csrf(self, response):
        match = _CSRF.search(response.get_data(as_text=True)) if response.mimetype == "text/html" else None
        if match:
            self.csrf = match.group(1)
        return response

    def get(self, url, **kw):
        return self._remember_csrf(self.client.get(url, **kw))

    def post(self, url, data=None, csrf=True, **kw):
        if csrf and self.csrf is None:
            self.get("/login")
        data = dict(data or {}) if not isinstance(data, list) else data
        if csrf:
            if isinstance(data, list):
                data = data + [("csrf_token", self.csrf)]
            else:
                data.setdefault("csrf_token", self.csrf)
        return self._remember_csrf(self.client.post(url, data=data, **kw))

    def login(self, email: str, password: str):
        self.get("/login")
        response = self.post("/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        self.get("/", follow_redirects=True)  # refresh the CSRF token bound to the new session
        return self


class ApiClient:
    def __init__(self, app, token: str):
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method):
        def call(url, **kw):
            headers = {**self.headers, **kw.pop("headers", {})}
            return getattr(self.client, method)(url, headers=headers, **kw)
        return call
