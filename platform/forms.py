"""HTML forms validated by the same marshmallow schemas as the API.

A view calls `load_form(Schema())`: the submitted form is turned into the structure the
schema expects (lists for List fields, empty optional fields left out) and loaded.
On failure the view re-renders the page with `errors` (field → messages, in the reader's
language) and status 422; the templates show an error summary linking to each field.
CSRF is checked for every form by Flask-WTF's CSRFProtect.
"""
from __future__ import annotations

from flask import request
from flask_babel import gettext
from marshmallow import Schema, ValidationError, fields


def _formdata_for(schema: Schema, form) -> dict:
    data = {}
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        if isinstance(field, fields.List):
            values = [v for v in form.getlist(key) if v != ""]
            if values or key in form or f"{key}__present" in form:
                data[key] = values
        elif isinstance(field, fields.Boolean):
            if key in form or f"{key}__present" in form:
                data[key] = form.get(key) in ("1", "true", "on", "yes")
        elif isinstance(field, fields.Nested):
            continue  # nested structures come through the API only
        elif key in form:
            value = form.get(key, "").strip()
            if value == "":
                # An emptied optional field means "no value"; a required one stays missing.
                if field.allow_none and not field.required:
                    data[key] = None
                continue
            data[key] = value
    return data


def load_form(schema: Schema, form=None, **kw) -> tuple[dict | None, dict]:
    """Validate a submitted form with `schema`; returns (data, {}) or (None, errors)."""
    form = request.form if form is None else form
    try:
        return schema.load(_formdata_for(schema, form), **kw), {}
    except ValidationError as err:
        return None, translate_errors(err.messages)


def translate_errors(messages) -> dict:
    """Flatten marshmallow messages to field → [text] in the current language."""
    out: dict[str, list[str]] = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(prefix, item)
        else:
            out.setdefault(prefix or "_schema", []).append(gettext(str(value)))

    walk("", messages)
    return out
