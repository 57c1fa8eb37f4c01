"""The demo: a small sector, and every demo account can sign in."""
from __future__ import annotations

import sqlalchemy as sa

from lekwijzer.db import db
from lekwijzer.models import Org, OrgKind
from tests.support.web import WebClient


def test_demo_seed_builds_a_sector_and_every_account_signs_in(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--password", "demo-pass"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        kinds = [o.kind for o in db.session.scalars(sa.select(Org))]
    assert kinds.count(OrgKind.institution) >= 15
    assert kinds.count(OrgKind.commissioner) == 2
    assert kinds.count(OrgKind.regulator) == 1 and kinds.count(OrgKind.operator) == 1

    accounts = {line.split()[0] for line in result.output.splitlines() if "@lekwijzer.example" in line}
    roles_seen = set()
    for line in result.output.splitlines():
        if "@lekwijzer.example" in line:
            roles_seen.update(r.strip() for r in line.split("  ")[-1].split(","))
    assert {"reporter", "privacy_officer", "fg", "board", "tenant_admin", "auditor", "viewer", "analyst",
            "operator"} <= roles_seen
    for email in sorted(accounts):
        client = WebClient(app)
        client.get("/login")
        response = client.post("/login", {"email": email, "password": "demo-pass"})
        assert response.status_code == 302, email
        landing = client.get("/", follow_redirects=True)
        assert landing.status_code == 200, email

    # Seeding twice changes nothing (no duplicate organisations or accounts).
    again = runner.invoke(args=["demo", "seed", "--password", "demo-pass"])
    assert again.exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Org)) == len(kinds)
