"""Which commissioning organisations may follow this institution's plans and figures.

A grant is a row in the institution's own tenant (`CommissionerGrant`); withdrawing it
stamps `withdrawn_at` (the history stays). The commissioner portal reads grants through
`tenants.oversight.learning`, which refuses every institution without an active grant.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from lekwijzer import audit
from lekwijzer.db import db, utcnow
from lekwijzer.models import Org, OrgKind

from .models import CommissionerGrant
from .rules import RuleError


def commissioner_orgs() -> list[Org]:
    return db.session.scalars(sa.select(Org).where(Org.kind == OrgKind.commissioner, Org.active.is_(True))
                              .order_by(Org.name)).all()


def grants() -> list[CommissionerGrant]:
    return db.session.scalars(sa.select(CommissionerGrant).order_by(CommissionerGrant.withdrawn_at.is_not(None),
                                                                    CommissionerGrant.granted_at.desc())).all()


def active_grant_for(org_id) -> CommissionerGrant | None:
    return db.session.scalar(sa.select(CommissionerGrant).where(CommissionerGrant.commissioner_org_id == org_id,
                                                                CommissionerGrant.withdrawn_at.is_(None)))


def grant(commissioner_org_id, user_id) -> CommissionerGrant:
    org = db.session.get(Org, commissioner_org_id)
    if org is None or org.kind != OrgKind.commissioner or not org.active:
        raise RuleError("commissioner_org_id", gettext("Choose a commissioning organisation."))
    if active_grant_for(org.id) is not None:
        raise RuleError("commissioner_org_id", gettext("This organisation already has access."))
    row = CommissionerGrant(commissioner_org_id=org.id, granted_by=user_id)
    db.session.add(row)
    db.session.flush()
    audit.record("commissioner_grant.granted", "commissioner_grant", row.id, meta={"commissioner": org.id})
    return row


def withdraw(row: CommissionerGrant, user_id) -> None:
    if row.withdrawn_at is not None:
        raise RuleError("_schema", gettext("This access has already been withdrawn."))
    row.withdrawn_at = utcnow()
    row.withdrawn_by = user_id
    audit.record("commissioner_grant.withdrawn", "commissioner_grant", row.id,
                 meta={"commissioner": row.commissioner_org_id})
