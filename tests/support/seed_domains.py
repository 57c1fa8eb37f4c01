"""Isolation seed for domain watch: one row of each of its tables in the current tenant."""
from __future__ import annotations

from datetime import date

from lekwijzer.db import db, utcnow
from tests.support.isolation_seed import seeder


@seeder
def _domains(world, key):
    from tenants.domains.models import AddressScan, Domain, DomainCheck, DomainFinding

    domain = Domain(name=f"oud-{key}.nl", state="retired", retired_on=date(2019, 1, 1), systems=["Crisistool"],
                    expected_ns=[], expected_mx=[])
    db.session.add(domain)
    db.session.flush()
    check = DomainCheck(domain_id=domain.id, dns_status="nxdomain", rdap_status="not_found", outcome="findings",
                        finished_at=utcnow())
    db.session.add(check)
    db.session.flush()
    domain.last_check_id, domain.last_checked_at = check.id, check.finished_at
    db.session.add(DomainFinding(domain_id=domain.id, kind="disappeared", detail={"dns": "nxdomain"},
                                 opened_check_id=check.id))
    db.session.add(AddressScan(system="Crisistool", rows=10, addresses=10, hits=1, unique_hits=1,
                               by_domain={f"oud-{key}.nl": 1}, by_system={"Crisistool": 1}))
