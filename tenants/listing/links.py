"""Links to pages other features own, guarded so this feature works before they exist.

The breach workflow (`register.breach`, `register.incident`, `register.report`) is built
in parallel; until it is merged those endpoints do not exist and the lists show plain
text instead of a link.
"""
from __future__ import annotations

from flask import url_for
from werkzeug.routing import BuildError


def optional_url(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None
