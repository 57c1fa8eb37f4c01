"""Values for re-displaying a form: from a submitted form, or from a stored object.

Templates read `form.get(name)` and `form.getlist(name)` either way. Stored datetimes
(UTC) become the Dutch local time an HTML datetime-local field shows; booleans "1"/"0".
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from werkzeug.datastructures import MultiDict

LOCAL = ZoneInfo("Europe/Amsterdam")


def local_input(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M")


def _one(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return local_input(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def from_object(obj, names, **extra) -> MultiDict:
    items = []
    for name in names:
        value = extra[name] if name in extra else (obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None))
        if isinstance(value, (list, tuple)):
            items += [(name, _one(v)) for v in value]
        else:
            items.append((name, _one(value)))
    return MultiDict(items)
