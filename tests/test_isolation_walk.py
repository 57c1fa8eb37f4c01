"""Every route and every API operation, as a member of institution A, with B's ids: not found.

The walk reads the app's URL map and the OpenAPI document, so routes added later are
covered without editing this file. A route's object ids are filled from its parameter
names: `<uuid:breach_id>` takes the id of B's row in the table `breach`; parameters are
named `<table>_id` (the convention, see docs/CONVENTIONS.md). A parameter this test
cannot fill fails the test, so a new route cannot silently escape it.
"""
from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from lekwijzer.db import Base, db
from lekwijzer.tenancy import tenant_scope

pytestmark = pytest.mark.pg

SKIP_ENDPOINTS = {"static"}
PUBLIC_PREFIXES = ("/static/", "/healthz", "/readyz", "/login", "/logout", "/lang", "/api/v1/openapi.json",
                   "/api/v1/docs")


def _tables_with_rows_of(org_id):
    """{table name: an id of a row of org B} for every table that has rows of B."""
    ids = {}
    with tenant_scope(org_id):
        for table in Base.metadata.sorted_tables:
            if "tenant_id" in table.c and "id" in table.c:
                row = db.session.execute(sa.select(table.c.id).limit(1)).first()
                if row:
                    ids[table.name] = row[0]
    return ids


def _fill(rule_args, converters, b_ids, b_extra):
    values = {}
    for name in rule_args:
        if name == "org_slug":
            continue
        if name in b_extra:
            values[name] = b_extra[name]
            continue
        table = name[:-3] if name.endswith("_id") else None
        if table in b_ids:
            values[name] = b_ids[table]
            continue
        converter = type(converters.get(name)).__name__
        if converter == "UUIDConverter":
            pytest.fail(f"route parameter <{name}> names no tenant table with rows of B; "
                        "name it <table>_id and let the B seed create such a row")
        values[name] = "x"  # a non-id parameter (e.g. an export format): fill anything
    return values


@pytest.fixture
def seeded(pg_app, pg_world):
    """Both institutions hold one object of every kind (areas add theirs via seed hooks)."""
    from tests.support import isolation_seed

    with pg_app.app_context():
        for key in ("a", "b"):
            isolation_seed.seed_everything(pg_world, key)
        db.session.commit()
        b_ids = _tables_with_rows_of(pg_world.orgs["b"].id)
        b_extra = {"app_user_id": pg_world.user("b", "reporter").id}
    return b_ids, b_extra


def test_every_page_of_a_member_of_a_with_ids_of_b_is_not_found(pg_app, pg_world, seeded, login):
    b_ids, b_extra = seeded
    client = login(pg_app, pg_world.user("a", "tenant_admin"))
    # Give A's admin every institution role so that no 403 hides a missing 404.
    with pg_app.app_context():
        from lekwijzer.models import Membership

        with tenant_scope(pg_world.orgs["a"].id):
            m = db.session.scalar(sa.select(Membership).where(Membership.user_id == pg_world.user("a", "tenant_admin").id,
                                                              Membership.tenant_id == pg_world.orgs["a"].id))
            m.roles = ["reporter", "privacy_officer", "fg", "board", "tenant_admin", "auditor"]
    checked = 0
    for rule in pg_app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS or rule.rule.startswith(PUBLIC_PREFIXES) or rule.rule.startswith("/api/"):
            continue
        if "org_slug" not in rule.arguments:
            continue
        own = "org_slug" in rule.arguments and any(a != "org_slug" for a in rule.arguments)
        values = _fill(rule.arguments, rule._converters, b_ids, b_extra)
        slugs = ["org-a"] if own else ["org-b", "org-c", "org-r", "org-o"]
        for slug in slugs:
            url = rule.build({**values, "org_slug": slug}, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.get(url) if method == "GET" else client.post(url, data={}) if method == "POST" \
                    else getattr(client.client, method.lower())(url)
                assert response.status_code == 404, f"{method} {url} ({rule.endpoint}) gave {response.status_code}"
                checked += 1
    assert checked > 10


def test_every_api_operation_with_ids_of_b_is_not_found(pg_app, pg_world, seeded, api):
    b_ids, b_extra = seeded
    spec = pg_app.test_client().get("/api/v1/openapi.json").json
    checked, clients = 0, {}
    for path, operations in spec["paths"].items():
        params = re.findall(r"{(\w+)}", path)
        if not params:
            continue
        values = _fill(params, {}, b_ids, b_extra)
        url = path
        for name, value in values.items():
            url = url.replace("{" + name + "}", str(value))
        for method in operations:
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            # A token has one role: roles without the permission get 403 (which reveals nothing);
            # at least one role has it and must still get 404 for B's object.
            answers = {}
            for role in ("tenant_admin", "privacy_officer", "board", "fg", "reporter", "auditor"):
                client = clients.setdefault(role, api(pg_app, pg_world, "a", role))
                kw = {"json": {}} if method in ("post", "put", "patch") else {}
                answers[role] = getattr(client, method)(url, **kw).status_code
            assert set(answers.values()) <= {403, 404}, f"{method.upper()} {url}: {answers}"
            assert 404 in answers.values(), f"{method.upper()} {url}: no role reached the object check: {answers}"
            checked += 1
    assert checked >= 3
