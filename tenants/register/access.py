"""Who may do what in the breach workflow, beyond the role table.

Permissions (registered in __init__): roles grant them, as everywhere. Two things the
role table cannot say on its own:

* **Decisions** (notify the AP, inform the people affected) are taken by a member with
  the board role, or by a manager holding a valid mandate from the board for that kind
  of decision (`DecisionMandate`). **Never by the FG**: a member who holds the FG role
  cannot decide even when they also hold the board role or a mandate. The AP found an
  institution where the FG decided on notification and called it incompatible with
  the FG's independent position (Art. 38(6) GDPR: no conflict of interests); a person
  cannot supervise a decision they took, so the FG role excludes deciding outright.
* A mandated manager may read the breaches they can decide on (they need not hold a
  role with `breach.view`).

API tokens carry one role and no person: a token with the board role may decide; tokens
cannot use mandates (a mandate is personal).
"""
from __future__ import annotations

import functools

from flask import abort, g
from flask_login import current_user

from lekwijzer.edge import can

from . import service


def _user_id():
    actor = getattr(g, "actor", None)
    return actor[1] if actor and actor[0] == "user" else None


def decider(kind: str):
    """(role, mandate) under which the current member may take a decision of `kind`, or None."""
    roles = getattr(g, "roles", frozenset())
    if "fg" in roles:
        return None
    if "board" in roles:
        return "board", None
    mandate = service.active_mandate(_user_id(), kind)
    if mandate is not None:
        return "mandated_manager", mandate
    return None


def may_decide(kind: str | None = None) -> bool:
    kinds = (kind,) if kind else ("notify_ap", "inform_subjects")
    return any(decider(k) is not None for k in kinds)


def may_view_breaches() -> bool:
    return can("breach.view") or (_user_id() is not None and "fg" not in getattr(g, "roles", ())
                                  and may_decide())


def breach_view_required(view):
    """Like @requires("breach.view"), also letting mandated managers in."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not may_view_breaches():
            abort(403)
        return view(*args, **kwargs)
    wrapper.permission = "breach.view"
    return wrapper


def is_reporter_of(incident) -> bool:
    if getattr(g, "api_token", None) is not None:
        return incident.reported_token_id == g.api_token.id
    return current_user.is_authenticated and incident.reported_by == current_user.id
