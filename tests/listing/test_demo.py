"""The register list's demo history: its breaches carry the breach workflow's derived columns."""
from __future__ import annotations

import random
import re
from types import SimpleNamespace

import sqlalchemy as sa

from lekwijzer.db import db
from lekwijzer.tenancy import tenant_scope


def test_the_demo_history_has_the_derived_columns_the_workflow_would_give(app, world, po):
    from lekwijzer.demo import MAIN, DemoContext
    from tenants.listing import demo
    from tenants.register import service
    from tenants.register.models import Breach

    org = world.orgs["a"]
    users = {role: world.user("a", role) for role in ("privacy_officer", "board", "reporter")}
    # Seeded as the largest demo institution, which also gets a running and an overdue clock.
    ctx = DemoContext(SimpleNamespace(id=org.id, slug=MAIN, employees=400, name=org.name), users, random.Random(5))
    with app.app_context(), tenant_scope(org.id):
        demo.register_history(ctx)
    with app.app_context(), tenant_scope(org.id):
        breaches = db.session.scalars(sa.select(Breach)).all()
        assert len(breaches) >= 10
        for breach in breaches:
            expected = service.derived(breach, service.load(breach))
            assert {name: getattr(breach, name) for name in expected} == expected, breach.reference
        assert any(b.ap_notified_at for b in breaches) and any(b.notify_ap is False for b in breaches)
        assert all(b.ap_deadline_at for b in breaches)
    overdue = set(re.findall(r"DL-\d{4}-\d{3}", po.get("/o/org-a/register?overdue=1").get_data(as_text=True)))
    running = set(re.findall(r"DL-\d{4}-\d{3}", po.get("/o/org-a/register?running=1").get_data(as_text=True)))
    assert len(overdue) == 1 and len(running) == 1
