"""The regulator may count institutions with open domain findings, never name them."""
from __future__ import annotations

import uuid
from datetime import date

import psycopg
import pytest

pytestmark = pytest.mark.pg


def _seed(app, org, kinds_open, kinds_resolved=()):
    from lekwijzer.db import db, utcnow
    from lekwijzer.tenancy import tenant_scope
    from tenants.domains.models import Domain, DomainFinding

    with app.app_context(), tenant_scope(org.id):
        domain = Domain(name=f"geheim-{uuid.uuid4().hex[:8]}.nl", state="retired", retired_on=date(2018, 1, 1),
                        systems=[], expected_ns=[], expected_mx=[], notes="SECRET-MARKER")
        db.session.add(domain)
        db.session.flush()
        for kind in kinds_open:
            db.session.add(DomainFinding(domain_id=domain.id, kind=kind, detail={"hosts": ["SECRET-HOST"]}))
        for kind in kinds_resolved:
            db.session.add(DomainFinding(domain_id=domain.id, kind=kind, resolved_at=utcnow(), resolution="cleared"))


def test_the_count_runs_on_the_oversight_role_and_reveals_no_name(pg_app, pg_world, pg_database):
    from tenants.oversight.domains import institutions_with_open_findings

    a, b = pg_world.orgs["a"], pg_world.orgs["b"]
    _seed(pg_app, a, ["registration_changed", "mx_unlisted"])
    _seed(pg_app, b, ["check_unknown"], ["expiring"])  # unknown is no evidence of risk; resolved is gone
    with pg_app.app_context():
        assert institutions_with_open_findings() == 1
        assert institutions_with_open_findings([a.id, b.id]) == 1
        assert institutions_with_open_findings([b.id]) == 0
        assert institutions_with_open_findings([]) == 0
    _seed(pg_app, b, ["disappeared"])
    with pg_app.app_context():
        assert institutions_with_open_findings() == 2
    # The oversight role itself can read the codes and dates, not the domain or the details.
    with psycopg.connect(pg_database.oversight_url) as conn:
        assert conn.execute("SELECT count(*) FROM domain_finding WHERE resolved_at IS NULL").fetchone()[0] == 4
        for column, table in (("detail", "domain_finding"), ("name", "domain"), ("notes", "domain"),
                              ("by_domain", "address_scan")):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT {column} FROM {table}")
            conn.rollback()
