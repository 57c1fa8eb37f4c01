"""`lekwijzer register refresh`: an operator repairs derived columns written around the workflow."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from lekwijzer.db import db
from lekwijzer.tenancy import tenant_scope

from .conftest import NOW


def _derived(app, org, breach_id):
    from tenants.register.models import Breach

    with app.app_context(), tenant_scope(org.id):
        b = db.session.get(Breach, (org.id, breach_id))
        return b.ap_deadline_at, b.ap_notified_at, b.notified_late, b.severity_band, b.notify_ap


def _spoil(app, org, breach_id):
    """What an import or a restore from an older release leaves: derived columns empty."""
    from tenants.register.models import Breach

    with app.app_context(), tenant_scope(org.id):
        db.session.execute(sa.update(Breach).where(Breach.id == breach_id).values(
            ap_deadline_at=None, ap_notified_at=None, notified_late=False, severity_band=None, notify_ap=None))


def test_refresh_restores_what_the_workflow_computed(app, world, register):
    late = register.breach(aware_at=NOW - timedelta(days=10), notified_at=NOW - timedelta(days=5),
                           decision=True, risk_outcome="high_risk")
    other = register.breach(aware_at=NOW - timedelta(days=3))
    before = _derived(app, world.orgs["a"], late)
    assert before[2] is True and before[3] == "high" and before[4] is True
    _spoil(app, world.orgs["a"], late)
    _spoil(app, world.orgs["a"], other)
    assert _derived(app, world.orgs["a"], late) == (None, None, False, None, None)

    result = app.test_cli_runner().invoke(args=["register", "refresh", "--org", "org-a"])

    assert result.exit_code == 0, result.output
    assert "org-a: 2 breaches recomputed" in result.output
    assert "org-b" not in result.output  # only the institution asked for
    assert _derived(app, world.orgs["a"], late) == before
    assert _derived(app, world.orgs["a"], other)[0] == NOW - timedelta(days=3) + timedelta(hours=72)

    everyone = app.test_cli_runner().invoke(args=["register", "refresh"])
    assert everyone.exit_code == 0 and "org-a: 2 breaches recomputed" in everyone.output
    assert "org-b: 0 breaches recomputed" in everyone.output
    assert "org-c" not in everyone.output  # a commissioner keeps no register


def test_refresh_of_an_unknown_institution_says_so_and_changes_nothing(app, world, register):
    breach = register.breach(aware_at=NOW - timedelta(days=2))
    _spoil(app, world.orgs["a"], breach)
    result = app.test_cli_runner().invoke(args=["register", "refresh", "--org", "no-such-org"])
    assert result.exit_code == 2
    assert "no institution with slug 'no-such-org'" in result.output
    assert _derived(app, world.orgs["a"], breach)[0] is None
