"""The check, the sweep and the mail refusal under PostgreSQL row-level security."""
from __future__ import annotations

import sqlalchemy as sa
import pytest

from tests.domains.conftest import add_domain, run_check, state

pytestmark = pytest.mark.pg


def test_a_check_and_a_sweep_run_as_the_app_role_with_rls(pg_app, pg_world, registries):
    from datetime import datetime, timezone

    from lekwijzer.db import db
    from lekwijzer.jobs.clock import tick
    from lekwijzer.models import OutboxJob

    pg_app.config.update(DOMAINS_DNS_SERVER="127.0.0.1", DOMAINS_DNS_PORT=registries.dns.port,
                         DOMAINS_DNS_TIMEOUT=0.6, DOMAINS_RDAP_BOOTSTRAP_FILE=registries.bootstrap,
                         DOMAINS_RDAP_TIMEOUT=0.8)
    a, b = pg_world.orgs["a"], pg_world.orgs["b"]
    registries.registered("bjz-voorbeeld.nl", registrar="Domeinkaper B.V.", registered="2019-01-15T09:12:00Z",
                          mx=((10, "mx.catchall.example"),))
    a_id = add_domain(pg_app, a, name="bjz-voorbeeld.nl", state="retired")
    b_id = add_domain(pg_app, b, name="bjz-voorbeeld.nl", state="current")
    run_check(pg_app, a, a_id)
    _d, check, findings = state(pg_app, a, a_id)
    assert {f.kind for f in findings} == {"registration_changed", "mx_unlisted"}
    with pg_app.app_context():
        # Notifications went to A's administrator and privacy officer only (2 findings x 2 people).
        mails = db.session.scalars(sa.select(OutboxJob).where(OutboxJob.job == "mail.notify")).all()
        people = {m.args["user_id"] for m in mails}
        assert people == {str(pg_world.user("a", "tenant_admin").id), str(pg_world.user("a", "privacy_officer").id)}
        assert {m.scope_org_id for m in mails} == {a.id}
        tick(datetime.now(timezone.utc))  # the sweep sees every institution's due domains through RLS
        db.session.remove()
    _d, check_b, findings_b = state(pg_app, b, b_id)
    assert check_b is not None and findings_b == []  # B's domain is current and registered: fine
    # A's domain was checked a moment ago, so the sweep did not queue it again.
    with pg_app.app_context():
        assert len(db.session.scalars(sa.select(OutboxJob).where(OutboxJob.job == "domains.check")).all()) == 2
