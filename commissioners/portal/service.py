"""The portal's reading: institution names from the shared org table, the rest from oversight."""
from __future__ import annotations

import sqlalchemy as sa
from flask import g

from lekwijzer import audit
from lekwijzer.db import db
from lekwijzer.models import Org, OrgKind
from tenants.oversight import learning as oversight

from .periods import today


def institution_by_slug(slug: str) -> Org | None:
    return db.session.scalar(sa.select(Org).where(Org.slug == slug, Org.kind == OrgKind.institution,
                                                  Org.active.is_(True)))


def load(period, compare: int, institution: Org | None = None) -> dict | None:
    """The portal data for the current commissioner; None when `institution` is not granted."""
    data = oversight.portal(g.org.id, period, compare, today(), only=institution.id if institution else None)
    if institution is not None and institution.id not in data["institutions"]:
        return None
    orgs = {o.id: o for o in db.session.scalars(sa.select(Org).where(Org.id.in_(list(data["institutions"]))))}
    rows = []
    for inst_id, item in data["institutions"].items():
        org = orgs[inst_id]
        rows.append({"slug": org.slug, "name": org.name, "region_code": org.region_code, **item})
    rows.sort(key=lambda r: r["name"])
    audit.record("commissioner.viewed", "org", institution.id if institution else g.org.id,
                 meta={"scope": "institution" if institution else "overview", "institutions": len(rows),
                       "period": period.key})
    db.session.commit()
    return {"institutions": rows, "total": data["total"], "periods": data["periods"]}
