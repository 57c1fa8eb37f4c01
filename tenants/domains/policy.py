"""Lekwijzer itself never mails an address on one of the organisation's retired domains.

Two platform hooks: `lekwijzer.mail.RECIPIENT_CHECKS` (every notification is checked just
before it is sent; the platform audits a refusal as `mail.refused`) and
`lekwijzer.members.ADDRESS_POLICIES` (an administrator who adds a member with such an
address is told why it cannot be used).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lekwijzer import mail, members
from lekwijzer.db import db
from lekwijzer.models import Membership, Org, User
from lekwijzer.tenancy import current_tenant_id, tenant_scope

from .models import Domain
from .rules import address_domain, covering

REASON = "retired_domain"


def retired_names(org: Org) -> frozenset[str]:
    """The organisation's retired domain names (read inside its own tenant)."""
    stmt = sa.select(Domain.name).where(Domain.state == "retired")
    current = current_tenant_id()
    if current == org.id:
        return frozenset(db.session.scalars(stmt))
    if current is not None:
        # Both hooks run inside the organisation they are about (the mail job, the members page).
        raise RuntimeError("retired domains asked for another organisation than the current one")
    with tenant_scope(org.id):
        return frozenset(db.session.scalars(stmt))


def retired_domain_of(org: Org, address: str) -> str | None:
    domain = address_domain(address or "")
    return covering(domain, retired_names(org)) if domain else None


def refuse_recipient(org: Org, address: str) -> str | None:
    """mail.RECIPIENT_CHECKS: a reason code, or None to let the message go."""
    return REASON if retired_domain_of(org, address) else None


def member_address_policy(org: Org, address: str):
    """members.ADDRESS_POLICIES: a message for the administrator, or None."""
    domain = retired_domain_of(org, address)
    if domain is None:
        return None
    return _l("%(domain)s is a retired domain of this organisation. Lekwijzer does not send e-mail to "
              "addresses on it, because whoever holds the domain now could read it. Use the person's "
              "current address.", domain=domain)


def members_on(names: set[str] | frozenset[str]) -> list[tuple[User, str]]:
    """Current members whose address is on one of `names`, with the domain."""
    if not names:
        return []
    out = []
    for membership in db.session.scalars(sa.select(Membership)).all():
        if membership.tenant_id != current_tenant_id():
            continue  # the person's own memberships elsewhere (visible to them) are not ours
        domain = address_domain(membership.user.email)
        hit = covering(domain, frozenset(names)) if domain else None
        if hit:
            out.append((membership.user, hit))
    return sorted(out, key=lambda pair: (pair[1], pair[0].name))


def register() -> None:
    if refuse_recipient not in mail.RECIPIENT_CHECKS:
        mail.RECIPIENT_CHECKS.append(refuse_recipient)
    if member_address_policy not in members.ADDRESS_POLICIES:
        members.ADDRESS_POLICIES.append(member_address_policy)
