"""Helpers for the learning tests: audit actions, row counts, a signed-in client on a page."""
from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.fixture
def in_tenant(app, world):
    """in_tenant("a") -> a context manager: app context + the institution's tenant."""
    from contextlib import contextmanager

    from lekwijzer.tenancy import tenant_scope

    @contextmanager
    def enter(key="a"):
        with app.app_context(), app.test_request_context(), tenant_scope(world.orgs[key].id) as session:
            yield session
    return enter


def count(model, *where) -> int:
    from lekwijzer.db import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def audit_actions() -> list[str]:
    from lekwijzer.db import db
    from lekwijzer.models import AuditEvent

    return db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.seq)).all()


@pytest.fixture
def client_on(app, world, login):
    """client_on("a", "privacy_officer", "/o/org-a/learning/plans") -> signed-in client that opened the page."""
    def make(org, role, page=None):
        client = login(app, world.user(org, role))
        assert client.get(page or f"/o/org-{org}/").status_code == 200  # as a browser would: a page, then a form
        return client
    return make
