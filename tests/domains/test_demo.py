"""The demo shows a living sector: every institution lists domains, a few have findings."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.slow


def test_the_demo_seeds_domains_checks_and_findings(demo):
    from lekwijzer.db import db
    from lekwijzer.demo import INSTITUTIONS
    from lekwijzer.models import Org
    from lekwijzer.tenancy import tenant_scope
    from tenants.domains.models import AddressScan, Domain, DomainCheck, DomainFinding
    from tenants.oversight.domains import institutions_with_open_findings
    from tests.support.web import WebClient

    app = demo  # the app holding the demo sector
    with app.app_context():
        orgs = {o.slug: o.id for o in db.session.scalars(sa.select(Org))}
        for slug, *_rest in INSTITUTIONS:
            with tenant_scope(orgs[slug]):
                domains = db.session.scalars(sa.select(Domain)).all()
                assert domains and all(d.last_check_id for d in domains), slug
                assert db.session.scalars(sa.select(DomainCheck)).first() is not None
        with tenant_scope(orgs["samen-veilig-voorbeeld"]):
            bjz = db.session.scalars(sa.select(Domain).where(Domain.name == "bjz-voorbeeld.nl")).one()
            assert bjz.retired and "Crisistool" in bjz.systems[0]
            open_kinds = {f.kind for f in db.session.scalars(sa.select(DomainFinding).where(
                DomainFinding.domain_id == bjz.id, DomainFinding.resolved_at.is_(None)))}
            assert open_kinds == {"registration_changed", "ns_unlisted", "mx_unlisted"}
            assert len(db.session.scalars(sa.select(AddressScan)).all()) == 3
            bjz_id = bjz.id
        # Enough institutions with findings for the regulator's count not to be suppressed (5+).
        assert institutions_with_open_findings() >= 5
    client = WebClient(app).login("privacy@lekwijzer.example", "demo")
    assert "bjz-voorbeeld.nl" in client.get("/o/samen-veilig-voorbeeld/domains/").get_data(as_text=True)
    page = client.get(f"/o/samen-veilig-voorbeeld/domains/{bjz_id}").get_data(as_text=True)
    assert "Niet meer op naam van de organisatie" in page and "waarschijnlijk een catch-all" in page
    assert client.get("/o/samen-veilig-voorbeeld/domains/address-scan").status_code == 200
