"""The operator provisions organisations; each gets its first administrator."""
from __future__ import annotations

import sqlalchemy as sa

from lekwijzer.db import db
from lekwijzer.models import AuditEvent, Membership, Org, User
from lekwijzer.tenancy import tenant_scope


def test_operator_creates_an_institution_with_its_first_administrator(app, world, login):
    operator = login(app, world.user("o", "operator"))
    response = operator.post("/o/org-o/operator/orgs", {
        "kind": "institution", "name": "Nieuwe Jeugdhulp", "slug": "nieuwe-jeugdhulp", "kvk": "44444444",
        "employees": "80", "clients_per_year": "400", "region_code": "regio-a",
        "admin_name": "Nina Nieuw", "admin_email": "nina@nieuwe-jeugdhulp.test"})
    assert response.status_code == 302
    with app.app_context():
        org = db.session.scalar(sa.select(Org).where(Org.slug == "nieuwe-jeugdhulp"))
        user = db.session.scalar(sa.select(User).where(User.email == "nina@nieuwe-jeugdhulp.test"))
        with tenant_scope(org.id):
            m = db.session.scalar(sa.select(Membership).where(Membership.tenant_id == org.id))
            assert m.user_id == user.id and m.roles == ["tenant_admin"]
            assert "member.added" in db.session.scalars(sa.select(AuditEvent.action)).all()
        with tenant_scope(world.orgs["o"].id):
            assert "org.provisioned" in db.session.scalars(sa.select(AuditEvent.action)).all()


def test_duplicate_slug_or_kvk_is_refused_with_a_message(app, world, login):
    operator = login(app, world.user("o", "operator"))
    page = operator.post("/o/org-o/operator/orgs", {
        "kind": "institution", "name": "Dubbel", "slug": "org-a", "kvk": "11111111",
        "admin_name": "X", "admin_email": "x@x.test"})
    assert page.status_code == 422 and "bestaat al" in page.get_data(as_text=True)


def test_only_operators_reach_the_operator_pages(app, world, login):
    assert login(app, world.user("a", "tenant_admin")).get("/o/org-a/operator/orgs").status_code == 404
    assert login(app, world.user("o", "tenant_admin")).get("/o/org-o/operator/orgs").status_code == 403


def test_login_lockout_is_shared_between_processes_through_redis(sqlite_template, tmp_path, redis_url):
    """Two app instances (two gunicorn workers) count failed attempts in one place."""
    import shutil

    from tests.conftest import _make_app
    from tests.support import services
    from tests.support.web import WebClient
    from tests.support.world import build_world

    path = tmp_path / "shared.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    prefix = services.unique("lwlimit")
    config = {"SQLALCHEMY_DATABASE_URI": url, "DATABASE_OWNER_URL": url, "SQLALCHEMY_BINDS": {"oversight": url},
              "RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": prefix}
    first, second = _make_app(config), _make_app(config)
    with first.app_context():
        world = build_world()
        db.session.commit()
        email = world.user("a", "reporter").email
    try:
        for app_instance in (first, second, first, second, first):
            client = WebClient(app_instance)
            client.get("/login")
            assert client.post("/login", {"email": email, "password": "wrong"}).status_code == 422
        client = WebClient(second)
        client.get("/login")
        assert client.post("/login", {"email": email, "password": "wrong"}).status_code == 429
    finally:
        import redis

        conn = redis.Redis.from_url(redis_url)
        for key in conn.scan_iter(f"*{prefix}*"):
            conn.delete(key)
