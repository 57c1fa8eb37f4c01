"""On PostgreSQL with row-level security: nothing of institution B in A's register, figures, exports or API."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from lekwijzer.db import db, utcnow
from lekwijzer.tenancy import tenant_scope
from tests.support import bulk_register

pytestmark = pytest.mark.pg


def test_a_sees_only_its_own_register(pg_app, pg_world, login, api):
    now = utcnow()
    with pg_app.app_context():
        with tenant_scope(pg_world.orgs["a"].id):
            bulk_register.fill(pg_world.orgs["a"].id, 3, now=now, seed=1)
        with tenant_scope(pg_world.orgs["b"].id):
            bulk_register.fill(pg_world.orgs["b"].id, 7, now=now, seed=2, not_breach=2)
            # B's references differ from A's, so a leak would show.
            from sqlalchemy import update

            from tenants.register.models import Breach

            db.session.execute(update(Breach).values(title="B-GEHEIM"))
    client = login(pg_app, pg_world.user("a", "privacy_officer"))
    html = client.get("/o/org-a/register").get_data(as_text=True)
    assert "3 datalekken" in html and "B-GEHEIM" not in html
    token = api(pg_app, pg_world, "a", "privacy_officer")
    assert token.get("/api/v1/register/figures").get_json()["total"] == 3
    rows = token.get("/api/v1/register?page_size=100").get_json()
    assert len(rows) == 3 and all(r["title"] != "B-GEHEIM" for r in rows)
    response = token.post("/api/v1/register/exports", json={"format": "xlsx"})
    body = response.get_json()
    assert body["row_count"] == 3
    data = token.get(body["download_url"]).get_data()
    sheet = load_workbook(io.BytesIO(data), read_only=True)["Datalekregister"]
    assert len(list(sheet.iter_rows(values_only=True))) == 4
    assert b"B-GEHEIM" not in data
    # B cannot see A's export, by page or by API.
    b_client = login(pg_app, pg_world.user("b", "privacy_officer"))
    assert b_client.get(f"/o/org-b/register/exports/{body['id']}").status_code == 404
    assert api(pg_app, pg_world, "b", "privacy_officer").get(body["download_url"]).status_code == 404
