"""Fixtures of the regulator portal's tests: the planted-discrepancy sector on SQLite or PostgreSQL."""
from __future__ import annotations

import pytest

from tests.regulator import scenario


def _build(application, world):
    from tenants.oversight import governance

    with application.app_context():
        built = scenario.build(world)
        from lekwijzer.db import db

        db.session.commit()
    previous = governance.set_provider(built.governance)
    return built, previous


@pytest.fixture
def sector(app, world):
    """The scenario's institutions and registers (SQLite); the AP's rows are not imported yet."""
    from tenants.oversight import governance

    built, previous = _build(app, world)
    yield built
    governance.set_provider(previous)


@pytest.fixture
def pg_sector(pg_app, pg_world):
    from tenants.oversight import governance

    built, previous = _build(pg_app, pg_world)
    yield built
    governance.set_provider(previous)


def upload(client, org_slug: str, content: bytes, name: str = "ontvangen.csv"):
    import io

    client.get(f"/o/{org_slug}/ap/intake")  # as a person would: open the form first (fresh CSRF token)
    return client.post(f"/o/{org_slug}/ap/intake", data={"file": (io.BytesIO(content), name), "file_format": "auto"})


def reconcile(client, org_slug: str, period=scenario.PERIOD):
    client.get(f"/o/{org_slug}/ap/")
    return client.post(f"/o/{org_slug}/ap/runs", data={"period_from": period[0].isoformat(),
                                                      "period_until": period[1].isoformat()})
