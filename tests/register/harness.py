"""Submit the same input through the API and through the HTML form, and read the errors."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from .conftest import local

# target: (role, API method, API path, form path)
TARGETS = {
    "facts": ("privacy_officer", "put", "/api/v1/breaches/{bid}/facts", "/o/org-a/breaches/{bid}/edit/facts"),
    "people": ("privacy_officer", "put", "/api/v1/breaches/{bid}/people", "/o/org-a/breaches/{bid}/edit/people"),
    "timeline": ("privacy_officer", "put", "/api/v1/breaches/{bid}/timeline", "/o/org-a/breaches/{bid}/edit/timeline"),
    "consequences": ("privacy_officer", "put", "/api/v1/breaches/{bid}/consequences",
                     "/o/org-a/breaches/{bid}/edit/consequences"),
    "prevention": ("privacy_officer", "put", "/api/v1/breaches/{bid}/prevention",
                   "/o/org-a/breaches/{bid}/edit/prevention"),
    "assessment": ("privacy_officer", "post", "/api/v1/breaches/{bid}/assessments", "/o/org-a/breaches/{bid}/assessment"),
    "advice": ("fg", "post", "/api/v1/breaches/{bid}/fg-advice", "/o/org-a/breaches/{bid}/fg-advice"),
    "notify": ("board", "post", "/api/v1/breaches/{bid}/decisions/notify-ap", "/o/org-a/breaches/{bid}/decision/notify_ap"),
    "inform": ("board", "post", "/api/v1/breaches/{bid}/decisions/inform-subjects",
               "/o/org-a/breaches/{bid}/decision/inform_subjects"),
    "notification": ("privacy_officer", "post", "/api/v1/breaches/{bid}/ap-notifications",
                     "/o/org-a/breaches/{bid}/ap-notifications/new"),
    "communication": ("privacy_officer", "post", "/api/v1/breaches/{bid}/communications",
                      "/o/org-a/breaches/{bid}/communications/new"),
    "measure": ("privacy_officer", "post", "/api/v1/breaches/{bid}/measures", "/o/org-a/breaches/{bid}/measures/new"),
    "party": ("privacy_officer", "post", "/api/v1/breaches/{bid}/parties", "/o/org-a/breaches/{bid}/parties/new"),
    "close": ("privacy_officer", "post", "/api/v1/breaches/{bid}/close", "/o/org-a/breaches/{bid}/close"),
    "report": ("reporter", "post", "/api/v1/incidents", "/o/org-a/incidents/new"),
    "triage": ("privacy_officer", "post", "/api/v1/incidents/{bid}/triage", "/o/org-a/incidents/{bid}/triage"),
}


def jsonable(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if isinstance(value, (datetime, date)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, uuid.UUID):
            value = str(value)
        out[key] = value
    return out


def form_items(data: dict) -> list[tuple[str, str]]:
    items = []
    for key, value in data.items():
        if isinstance(value, (list, tuple)):
            items.append((f"{key}__present", "1"))
            items += [(key, str(v)) for v in value]
        elif isinstance(value, bool):
            items.append((key, "1" if value else "0"))
        elif isinstance(value, datetime):
            items.append((key, local(value)))
        elif value is None:
            items.append((key, ""))
        else:
            items.append((key, str(value)))
    return items


_FIELD_LINK = re.compile(r'href="#field-([\w.]+)"')


class Answer:
    def __init__(self, status: int, fields: set[str], text: str, body):
        self.status, self.fields, self.text, self.body = status, fields, text, body

    def __repr__(self):
        return f"<Answer {self.status} {sorted(self.fields)} {self.text[:300]!r}>"

    @property
    def ok(self) -> bool:
        return self.status in (200, 201, 204, 302)


def submit(flow, channel: str, target: str, bid, data: dict, role: str | None = None) -> Answer:
    default_role, method, api_path, form_path = TARGETS[target]
    role = role or default_role
    if channel == "api":
        response = getattr(flow.api(role), method)(api_path.format(bid=bid), json=jsonable(data))
        body = response.get_json(silent=True) or {}
        fields = {key.split(".", 1)[1] if key.startswith("json.") else key for key in body.get("errors", {})}
        text = " ".join(" ".join(v) for v in body.get("errors", {}).values()) + " " + str(body.get("message", ""))
        return Answer(response.status_code, fields, text, body)
    from werkzeug.datastructures import MultiDict

    web = flow.web(role)
    response = web._remember_csrf(web.client.post(form_path.format(bid=bid), data=MultiDict(
        form_items(data) + [("csrf_token", web.csrf)])))
    html = response.get_data(as_text=True)
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0] if 'id="error-summary"' in html else ""
    fields = set(_FIELD_LINK.findall(summary))
    if "<li>" in summary.replace('<li><a', ''):
        fields.add("_schema")
    return Answer(response.status_code, fields, html, None)


def audit_seq(app, org_id) -> int:
    from lekwijzer.db import db
    from lekwijzer.models import AuditHead
    from lekwijzer.tenancy import tenant_scope

    with app.app_context():
        with tenant_scope(org_id):
            head = db.session.get(AuditHead, org_id)
            return head.seq if head else 0


def rows(app, org_id, model) -> int:
    from lekwijzer.db import db
    from lekwijzer.tenancy import tenant_scope

    with app.app_context():
        with tenant_scope(org_id):
            return db.session.scalar(sa.select(sa.func.count()).select_from(model))
