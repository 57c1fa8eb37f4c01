"""Single sign-on on PostgreSQL with row-level security, as the app's non-owner role."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.sso.conftest import USERS_A, SsoClient, audit_entries, configure_sso, refusals

pytestmark = pytest.mark.pg


def test_sign_in_provisioning_and_refusals_under_row_level_security(pg_app, pg_world, idps):
    configure_sso(pg_app, pg_world, "a", idps.one)
    configure_sso(pg_app, pg_world, "b", idps.two)
    client = SsoClient(pg_app)
    response = client.sign_in("org-a", "anna", USERS_A["anna"]["password"])
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert client.web.get("/o/org-a/").status_code == 200
    assert SsoClient(pg_app).sign_in("org-b", "bob", "bob-wachtwoord").status_code == 302
    assert SsoClient(pg_app).sign_in("org-a", "nora", "nora-wachtwoord").status_code == 403
    assert refusals(pg_app, pg_world, "a") == ["no_mapped_role"]
    assert refusals(pg_app, pg_world, "b") == []
    assert ("user.signed_in", {"method": "sso"}) in [(a, m) for a, m, *_ in audit_entries(pg_app, pg_world, "b")]

    # The app's role sees one organisation's settings and identities at a time, and a
    # query without an organisation sees none.
    from lekwijzer.db import db
    from lekwijzer.sso.models import SsoConfig, SsoIdentity
    from lekwijzer.tenancy import set_tenant, tenant_scope

    with pg_app.app_context():
        set_tenant(None)
        assert db.session.execute(sa.text("SELECT count(*) FROM sso_identity")).scalar() == 0
        assert db.session.execute(sa.text("SELECT count(*) FROM sso_config")).scalar() == 0
        db.session.rollback()
        with tenant_scope(pg_world.orgs["b"].id):
            assert [i.subject for i in db.session.scalars(sa.select(SsoIdentity))] == ["b-31337"]
            assert db.session.execute(sa.text("SELECT count(*) FROM sso_config")).scalar() == 1
            assert db.session.scalar(sa.select(SsoConfig)).client_id == "lekwijzer-b"
