"""The interface shell: navigation and header actions that areas register.

An area says "institutions' privacy officers get a 'Register' item" once, at import;
the base layout shows each person the items their organisation kind and roles allow.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, request, url_for

from .models import OrgKind
from .roles import has_permission


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # lazy gettext string
    permission: str
    kinds: tuple[OrgKind, ...]
    order: int = 50
    header_action: bool = False  # a button in the header on every page (e.g. report an incident)


NAV: list[NavItem] = []


def register_nav(endpoint: str, label, *, permission: str = "org.view",
                 kinds=(OrgKind.institution,), order: int = 50, header_action: bool = False) -> None:
    NAV.append(NavItem(endpoint, label, permission, tuple(kinds), order, header_action))
    NAV.sort(key=lambda item: item.order)


def _visible(header: bool):
    org = getattr(g, "org", None)
    if org is None:
        return []
    roles = getattr(g, "roles", ())
    items = []
    for item in NAV:
        if item.header_action != header or org.kind not in item.kinds:
            continue
        if not has_permission(roles, item.permission):
            continue
        href = url_for(item.endpoint, org_slug=org.slug)
        current = request.path == href or (href.rstrip("/") != f"/o/{org.slug}" and request.path.startswith(href))
        items.append({"href": href, "label": item.label, "current": current})
    return items


def context():
    return {"nav_items": lambda: _visible(False), "header_actions": lambda: _visible(True)}
