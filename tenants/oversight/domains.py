"""Domain watch for the regulator's sector statistics: a count, never a name.

The regulator may learn how many institutions have an open domain finding (a retired
domain in other hands, lapsing, servers changed, gone), never which institutions, which
domains or what was found. Findings that only say a check could not be completed
("check_unknown") are left out: they are no evidence of a risk. Small-cell suppression
(fewer than 5) is the caller's, as for every anonymised figure.
"""
from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa

from tenants.domains.models import DomainFinding

from . import fetch

NOT_A_RISK = ("check_unknown",)


def institutions_with_open_findings(institution_ids: Iterable | None = None) -> int:
    """How many institutions (of `institution_ids`, default: all) have an open domain finding."""
    stmt = (sa.select(sa.func.count(sa.distinct(DomainFinding.tenant_id)))
            .where(DomainFinding.resolved_at.is_(None), DomainFinding.kind.not_in(NOT_A_RISK)))
    if institution_ids is not None:
        ids = list(institution_ids)
        if not ids:
            return 0
        stmt = stmt.where(DomainFinding.tenant_id.in_(ids))
    rows = fetch(stmt)
    return int(rows[0][0]) if rows else 0
