"""The demo: the largest institution has single sign-on settings, switched off."""
from __future__ import annotations

import sqlalchemy as sa


def test_demo_seeds_disabled_single_sign_on_for_the_largest_institution(demo):
    from lekwijzer import demo as sector
    from lekwijzer.db import db
    from lekwijzer.models import Org
    from lekwijzer.sso import crypto
    from lekwijzer.sso.models import SsoConfig, SsoRealm
    from lekwijzer.tenancy import tenant_scope
    from tests.support.web import WebClient

    app = demo  # the app holding the demo sector
    with app.app_context():
        largest = max(db.session.scalars(sa.select(Org).where(Org.employees.is_not(None))), key=lambda o: o.employees)
        assert largest.slug == sector.MAIN
        with tenant_scope(largest.id):
            config = db.session.scalar(sa.select(SsoConfig))
            assert config is not None and not config.enabled
            assert config.allowed_domains == ["samenveiligvoorbeeld.example"]
            assert crypto.decrypt(config.client_secret_enc) == "demo-client-secret"
        assert not db.session.get(SsoRealm, largest.id).enabled
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SsoConfig)) == 0  # the rest: none (no tenant)
        sector.seed()  # seeding again adds nothing
        with tenant_scope(largest.id):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(SsoConfig)) == 1
    # Nobody's single sign-on is on, so the sign-in page shows passwords only.
    assert 'action="/sso/find"' not in WebClient(app).get("/login").get_data(as_text=True)
    admin = WebClient(app).login("beheer@lekwijzer.example", "demo")
    page = admin.get(f"/o/{sector.MAIN}/admin/sso").get_data(as_text=True)
    assert "http://127.0.0.1:4000" in page and "SVV-Privacy = privacy_officer" in page
