"""Business rules for memberships: add, change roles, remove. Used by pages and API."""
from __future__ import annotations

from typing import Callable

import sqlalchemy as sa
from flask import abort, g
from flask_babel import gettext

from . import audit, mail
from .db import db
from .models import Membership, Org, User

# Checks areas register on the address of a member being added: (org, address) -> None,
# or a message for the administrator saying why the address cannot be used (for example
# an address on one of the organisation's retired domains, which Lekwijzer never mails).
ADDRESS_POLICIES: list[Callable[[Org, str], object | None]] = []


class MemberError(ValueError):
    """A request that breaks a rule; the message is for the person."""


def list_members() -> list[Membership]:
    return db.session.scalars(
        sa.select(Membership).where(Membership.tenant_id == g.org.id).join(User).order_by(User.name)
    ).all()


def get_member(user_id) -> Membership:
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.tenant_id == g.org.id, Membership.user_id == user_id)
    )
    if membership is None:
        abort(404)
    return membership


def add_member(email: str, name: str, roles: list[str]) -> Membership:
    email = email.strip().lower()
    for policy in ADDRESS_POLICIES:
        problem = policy(g.org, email)
        if problem:
            raise MemberError(str(problem))
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        # No password: the person signs in through the organisation's identity provider,
        # or an administrator sets a password.
        user = User(email=email, name=name.strip())
        db.session.add(user)
        db.session.flush()
    elif db.session.scalar(sa.select(Membership).where(Membership.tenant_id == g.org.id,
                                                       Membership.user_id == user.id)):
        raise MemberError(gettext("This person is already a member."))
    membership = Membership(tenant_id=g.org.id, user_id=user.id, roles=sorted(set(roles)))
    db.session.add(membership)
    db.session.flush()
    audit.record("member.added", "user", user.id, meta={"roles": ",".join(membership.roles)})
    mail.notify(user.id, "member.added", g.org)
    return membership


def set_roles(membership: Membership, roles: list[str]) -> None:
    roles = sorted(set(roles))
    _keep_an_admin(membership, roles)
    membership.roles = roles
    audit.record("member.roles_changed", "user", membership.user_id, meta={"roles": ",".join(roles)})


def remove_member(membership: Membership) -> None:
    _keep_an_admin(membership, [])
    db.session.delete(membership)
    audit.record("member.removed", "user", membership.user_id)


ADMIN_ROLES = ("tenant_admin", "operator")


def admin_role_lost(membership: Membership, new_roles: list[str]) -> str | None:
    """The administrator role that giving `membership` these roles would take from its
    organisation's last holder of it, or None. Whoever changes roles (an administrator on
    the members page or API, single sign-on at every sign-in) asks this first: an
    organisation always keeps someone who can manage it."""
    admin = next((r for r in membership.roles or [] if r in ADMIN_ROLES), None)
    if admin is None or admin in new_roles:
        return None
    others = db.session.scalars(sa.select(Membership).where(Membership.tenant_id == membership.tenant_id,
                                                            Membership.user_id != membership.user_id)).all()
    return None if any(admin in (m.roles or []) for m in others) else admin


def _keep_an_admin(membership: Membership, new_roles: list[str]) -> None:
    if admin_role_lost(membership, new_roles):
        raise MemberError(gettext("The organisation would be left without an administrator."))
