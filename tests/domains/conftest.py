"""Fixtures for domain watch: registries on loopback and an app that uses them."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pytest

from tests.domains.servers import LoopbackDNS, LoopbackRDAP, rdap_domain


@pytest.fixture(scope="session")
def dns_server():
    server = LoopbackDNS().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def rdap_server():
    server = LoopbackRDAP().start()
    yield server
    server.stop()


@dataclass
class Registries:
    dns: LoopbackDNS
    rdap: LoopbackRDAP
    bootstrap: str

    def registered(self, name, *, ns=("ns1.transip.nl", "ns2.transip.eu"), mx=((10, "mx.voorbeeld.nl"),),
                   **rdap_kw):
        """A domain that exists in DNS and at the registry."""
        self.dns.zone(name, ns=ns, mx=mx)
        self.rdap.domains[name] = rdap_domain(name, nameservers=ns, **rdap_kw)


@pytest.fixture
def registries(dns_server, rdap_server, tmp_path) -> Registries:
    dns_server.reset()
    rdap_server.reset()
    # The app finds the registry through an IANA-format bootstrap file (RFC 9224).
    bootstrap = tmp_path / "dns.json"
    bootstrap.write_text(json.dumps({
        "version": "1.0", "publication": "2026-01-01T00:00:00Z",
        "description": "RDAP bootstrap file for Domain Name System registrations",
        "services": [[["nl", "com"], [rdap_server.base_url]]],
    }))
    return Registries(dns_server, rdap_server, str(bootstrap))


@pytest.fixture
def watch_app(app, registries):
    """The app with its resolver and registry on loopback (short timeouts)."""
    app.config.update(
        DOMAINS_DNS_SERVER="127.0.0.1", DOMAINS_DNS_PORT=registries.dns.port, DOMAINS_DNS_TIMEOUT=0.6,
        DOMAINS_RDAP_BOOTSTRAP_FILE=registries.bootstrap, DOMAINS_RDAP_TIMEOUT=0.8,
    )
    return app


def add_domain(app, org, **fields):
    """Insert a domain for `org` directly (no first check)."""
    from lekwijzer.db import db
    from lekwijzer.tenancy import tenant_scope
    from tenants.domains.models import Domain

    fields.setdefault("state", "current")
    if fields["state"] == "retired":
        fields.setdefault("retired_on", date(2018, 10, 1))
    with app.app_context():
        with tenant_scope(org.id):
            domain = Domain(**{"systems": [], "expected_ns": [], "expected_mx": [], **fields})
            db.session.add(domain)
            db.session.flush()
            return domain.id


def run_check(app, org, domain_id):
    """Run the check job for one domain, as the worker would."""
    from lekwijzer.jobs import enqueue
    from lekwijzer.db import db
    from lekwijzer.tenancy import tenant_scope

    with app.app_context():
        with tenant_scope(org.id):
            enqueue("domains.check", tenant_id=org.id, domain_id=domain_id, reason="manual")
        db.session.remove()


def state(app, org, domain_id):
    """(latest check, {kind: finding}) of a domain, plain values."""
    import sqlalchemy as sa

    from lekwijzer.db import db
    from lekwijzer.tenancy import tenant_scope
    from tenants.domains.models import Domain, DomainCheck, DomainFinding, by_id

    with app.app_context():
        with tenant_scope(org.id):
            domain = by_id(Domain, domain_id)
            check = by_id(DomainCheck, domain.last_check_id)
            findings = db.session.scalars(sa.select(DomainFinding).where(DomainFinding.domain_id == domain_id)
                                          .order_by(DomainFinding.opened_at)).all()
            for obj in [domain, check, *findings]:
                if obj is not None:
                    db.session.expunge(obj)
            return domain, check, findings
