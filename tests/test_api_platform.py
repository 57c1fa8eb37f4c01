"""The API: tokens scoped, expiring, hashed and shown once; bad input gets a clear 4xx and
writes nothing; OpenAPI is published and its docs page uses local assets only."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from lekwijzer.db import db, utcnow
from lekwijzer.models import ApiToken, Membership, User
from lekwijzer.tenancy import tenant_scope
from tests.support.web import ApiClient


def _count_users(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_token_is_shown_once_and_stored_as_a_hash(app, world, login):
    admin = login(app, world.user("a", "tenant_admin"))
    page = admin.post("/o/org-a/admin/tokens", {"name": "koppeling", "role": "privacy_officer", "days": "30"})
    token = re.search(r"lkw_[0-9a-f]{32}_[A-Za-z0-9_-]+", page.get_data(as_text=True)).group(0)
    assert token not in admin.get("/o/org-a/admin/tokens").get_data(as_text=True)
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        row = db.session.scalar(sa.select(ApiToken))
        assert token not in (row.token_hash, row.hint) and len(row.token_hash) == 64
    assert ApiClient(app, token).get("/api/v1/org").json["slug"] == "org-a"


def test_the_token_role_limits_what_it_may_do(app, world, api):
    reporter = api(app, world, "a", "reporter")
    response = reporter.get("/api/v1/members")
    assert response.status_code == 403 and response.json["message"]


def test_missing_malformed_revoked_and_expired_tokens_get_401_with_a_reason(app, world, api):
    client = app.test_client()
    assert "Missing Authorization" in client.get("/api/v1/org").json["message"]
    assert client.get("/api/v1/org", headers={"Authorization": "Basic abc"}).status_code == 401
    assert "malformed" in client.get("/api/v1/org", headers={"Authorization": "Bearer nope"}).json["message"]
    good = api(app, world, "a", "tenant_admin")
    forged = good.headers["Authorization"][:-4] + "AAAA"
    assert client.get("/api/v1/org", headers={"Authorization": forged}).json["message"] == "The token is not valid."
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        row = db.session.scalar(sa.select(ApiToken))
        row.expires_at = utcnow() - timedelta(seconds=1)
    expired = good.get("/api/v1/org")
    assert expired.status_code == 401 and "expired" in expired.json["message"]
    assert expired.headers["WWW-Authenticate"].startswith("Bearer")
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        row = db.session.scalar(sa.select(ApiToken))
        row.expires_at, row.revoked_at = utcnow() + timedelta(days=1), utcnow()
    assert "revoked" in good.get("/api/v1/org").json["message"]


def test_a_token_of_one_organisation_cannot_name_another(app, world, api):
    """The organisation part of a token is checked against the secret's hash."""
    a_token = api(app, world, "a", "tenant_admin").headers["Authorization"].split()[1]
    b_hex = world.orgs["b"].id.hex
    swapped = f"lkw_{b_hex}_{a_token.split('_', 2)[2]}"
    response = app.test_client().get("/api/v1/members", headers={"Authorization": f"Bearer {swapped}"})
    assert response.status_code == 401


def test_invalid_bodies_get_422_with_field_messages_and_write_nothing(app, world, api):
    admin = api(app, world, "a", "tenant_admin")
    before = _count_users(app)
    response = admin.post("/api/v1/members", json={"email": "not-an-address", "roles": ["queen"]})
    assert response.status_code == 422
    errors = response.json["errors"]
    assert "json.email" in errors and "json.name" in errors and "json.roles" in errors
    assert _count_users(app) == before


def test_wrong_content_type_gets_415(app, world, api):
    admin = api(app, world, "a", "tenant_admin")
    response = admin.post("/api/v1/members", data="email=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and "application/json" in response.json["message"]


def test_oversized_bodies_get_413_and_write_nothing(app, world, api, login):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    admin = api(app, world, "a", "tenant_admin")
    before = _count_users(app)
    response = admin.post("/api/v1/members", json={"email": "a@b.test", "name": "x" * 20_000, "roles": ["reporter"]})
    assert response.status_code == 413 and response.json["message"]
    web = login(app, world.user("a", "tenant_admin"))
    page = web.post("/o/org-a/admin/members", {"email": "a@b.test", "name": "x" * 20_000, "roles": "reporter"})
    assert page.status_code == 413 and "te groot" in page.get_data(as_text=True)
    assert _count_users(app) == before


def test_malformed_form_fields_get_422_with_an_error_summary_and_write_nothing(app, world, login):
    admin = login(app, world.user("a", "tenant_admin"))
    before = _count_users(app)
    page = admin.post("/o/org-a/admin/members", {"email": "geen-adres", "name": "", "roles": "koning"})
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Er is een probleem" in text and 'href="#field-email"' in text
    assert "Geen geldig e-mailadres." in text and "Geen rol in dit soort organisatie" in text
    assert _count_users(app) == before


def test_another_organisations_member_id_is_not_found_in_the_api(app, world, api):
    admin = api(app, world, "a", "tenant_admin")
    b_member = world.user("b", "reporter").id
    assert admin.get(f"/api/v1/members/{b_member}").status_code == 404
    assert admin.put(f"/api/v1/members/{b_member}", json={"roles": ["board"]}).status_code == 404
    assert admin.delete(f"/api/v1/members/{b_member}").status_code == 404
    with app.app_context(), tenant_scope(world.orgs["b"].id):
        m = db.session.scalar(sa.select(Membership).where(Membership.user_id == b_member,
                                                          Membership.tenant_id == world.orgs["b"].id))
        assert m.roles == ["reporter"]


def test_the_last_administrator_cannot_be_removed(app, world, api):
    admin = api(app, world, "a", "tenant_admin")
    response = admin.delete(f"/api/v1/members/{world.user('a', 'tenant_admin').id}")
    assert response.status_code == 409
    assert response.json["message"] == "The organisation would be left without an administrator."


def test_openapi_is_published_and_the_docs_page_loads_no_external_asset(app):
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").json
    assert spec["info"]["title"] == "Lekwijzer API" and "/api/v1/members" in spec["paths"]
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r'(src|href)="https?://', html)


def test_a_post_without_a_body_is_not_a_wrong_content_type(app, world, api):
    """Actions without input (e.g. "check now") need no body and no Content-Type."""
    admin = api(app, world, "a", "tenant_admin")
    response = admin.post("/api/v1/members")
    assert response.status_code == 422  # the members schema wants a body: a validation message, not 415


def test_every_api_schema_has_a_unique_name_in_the_openapi_document(sqlite_template, tmp_path):
    """apispec renames clashing schemas silently (with a warning); clients then get odd names."""
    import warnings

    from tests.conftest import _make_app

    url = f"sqlite:///{sqlite_template}"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        application = _make_app({"SQLALCHEMY_DATABASE_URI": url, "DATABASE_OWNER_URL": url,
                                 "SQLALCHEMY_BINDS": {"oversight": url}})
        spec = application.test_client().get("/api/v1/openapi.json").json
    assert len(spec["paths"]) > 40
