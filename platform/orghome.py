"""Each organisation's start page. Areas add panels; an empty page says what to do next."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import g, render_template

from .edge import ALL_KINDS, can, org_blueprint
from .models import OrgKind

bp = org_blueprint("orghome", __name__, kinds=ALL_KINDS)


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[], dict]
    permission: str
    kinds: tuple[OrgKind, ...]
    order: int


PANELS: list[Panel] = []


def register_panel(template: str, context: Callable[[], dict], *, permission: str = "org.view",
                   kinds=(OrgKind.institution,), order: int = 50) -> None:
    PANELS.append(Panel(template, context, permission, tuple(kinds), order))
    PANELS.sort(key=lambda p: p.order)


@bp.get("/")
def dashboard():
    panels = [
        (panel.template, panel.context())
        for panel in PANELS
        if g.org.kind in panel.kinds and can(panel.permission)
    ]
    return render_template("dashboard.html", panels=panels)
