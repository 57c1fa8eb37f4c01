"""Signing in and out, whatever the method.

Other ways of signing in (single sign-on) plug in through two small hooks:
`register_password_policy` may refuse a local password for a person (with a message and
links to the way in that does work), and `register_sign_out_hook` may continue a sign-out
elsewhere (at an identity provider) once the local session has ended.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Callable

import sqlalchemy as sa
from flask import session
from flask_login import login_user, logout_user

from .. import audit
from ..db import db
from ..models import Membership, Org, User
from ..tenancy import set_tenant, tenant_scope


def memberships_of(user: User) -> list[Membership]:
    """The organisations a person belongs to (the switcher). Reads as that person."""
    set_tenant(None, user.id)
    rows = db.session.scalars(
        sa.select(Membership).where(Membership.user_id == user.id).join(Org, Org.id == Membership.tenant_id)
        .where(Org.active.is_(True)).order_by(Org.name)
    ).all()
    return [m for m in rows if m.roles]


def audit_in_each_org(user: User, action: str, meta: dict | None = None) -> None:
    for membership in memberships_of(user):
        with tenant_scope(membership.tenant_id, user.id):
            audit.record(action, "user", user.id, meta=meta, actor=("user", user.id))


def sign_in(user: User, method: str) -> None:
    lang = session.get("lang")
    session.clear()  # nothing from before sign-in survives (session fixation)
    if lang:
        session["lang"] = lang
    login_user(user)
    session.permanent = True
    session["org_count"] = len(memberships_of(user))  # the switcher shows only when there is a choice
    audit_in_each_org(user, "user.signed_in", {"method": method})


def sign_out(user: User | None) -> None:
    if user is not None and getattr(user, "is_authenticated", False):
        audit_in_each_org(user, "user.signed_out")
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def landing_slug(user: User) -> str | None:
    memberships = memberships_of(user)
    preferred = session.get("org")
    slugs = [db.session.get(Org, m.tenant_id).slug for m in memberships]
    if preferred in slugs:
        return preferred
    return slugs[0] if len(slugs) == 1 else None


@dataclass(frozen=True)
class SignInRefusal:
    """Why a way of signing in is not accepted for this person, and what to use instead."""

    reason: str  # a code, for the audit trail
    message: str  # for the person, in their language
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    org_ids: list[uuid.UUID] = field(default_factory=list)  # the organisations that refuse


PASSWORD_POLICIES: list[Callable[[User], SignInRefusal | None]] = []
SIGN_OUT_HOOKS: list[Callable[[dict], object]] = []


def register_password_policy(fn: Callable[[User], SignInRefusal | None]) -> None:
    PASSWORD_POLICIES.append(fn)


def register_sign_out_hook(fn: Callable[[dict], object]) -> None:
    """fn(the ended session's data) -> a response to show instead of the sign-in page, or None."""
    SIGN_OUT_HOOKS.append(fn)


def password_refusal(user: User) -> SignInRefusal | None:
    for policy in PASSWORD_POLICIES:
        refusal = policy(user)
        if refusal is not None:
            return refusal
    return None
