"""Local sign-in: hashed passwords, lock-out, sign-out, CSRF, organisation switcher."""
from __future__ import annotations

import sqlalchemy as sa

from lekwijzer.db import db
from lekwijzer.models import AuditEvent, Membership, User
from lekwijzer.tenancy import tenant_scope
from tests.support.web import WebClient
from tests.support.world import PASSWORD


def test_passwords_are_stored_hashed(app):
    user = User(email="hash@org-a.test", name="Hash")
    user.set_password(PASSWORD)
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("scrypt:")
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")


def test_sign_in_lands_on_the_organisation_and_is_audited(app, world, login):
    client = login(app, world.user("a", "privacy_officer"))
    response = client.get("/", follow_redirects=False)
    assert response.headers["Location"].endswith("/o/org-a/")
    page = client.get("/o/org-a/")
    assert page.status_code == 200 and "Instelling A" in page.get_data(as_text=True)
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "user.signed_in" in actions


def test_wrong_password_gets_a_clear_message_and_no_session(app, world):
    client = WebClient(app)
    client.get("/login")
    response = client.post("/login", {"email": world.user("a", "reporter").email, "password": "wrong"})
    assert response.status_code == 422
    assert "Het e-mailadres of wachtwoord klopt niet." in response.get_data(as_text=True)
    assert client.get("/o/org-a/").status_code == 302  # still signed out


def test_repeated_failures_lock_the_account_with_a_clear_message(app, world):
    email = world.user("a", "reporter").email
    client = WebClient(app)
    client.get("/login")
    for _ in range(5):
        assert client.post("/login", {"email": email, "password": "wrong"}).status_code == 422
    locked = client.post("/login", {"email": email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "geblokkeerd" in locked.get_data(as_text=True)
    # another account is not affected
    other = WebClient(app)
    other.get("/login")
    assert other.post("/login", {"email": world.user("a", "board").email, "password": PASSWORD}).status_code == 302


def test_forms_without_a_csrf_token_are_refused_and_change_nothing(app, world, login):
    client = login(app, world.user("a", "tenant_admin"))
    response = client.post("/o/org-a/admin/members", {"email": "x@y.test", "name": "X", "roles": "reporter"},
                           csrf=False)
    assert response.status_code == 400
    assert "formulier is verlopen" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "x@y.test")) is None


def test_sign_out_ends_the_session(app, world, login):
    client = login(app, world.user("a", "reporter"))
    assert client.get("/o/org-a/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/o/org-a/").status_code == 302


def test_a_password_change_ends_older_sessions(app, world, login):
    client = login(app, world.user("a", "reporter"))
    with app.app_context():
        user = db.session.get(User, world.user("a", "reporter").id)
        user.set_password("a new and different passphrase")
        db.session.commit()
    assert client.get("/o/org-a/").status_code == 302


def test_a_person_in_two_organisations_switches_between_them(app, world, login):
    fg = world.user("a", "fg")
    with app.app_context(), tenant_scope(world.orgs["b"].id):
        db.session.add(Membership(tenant_id=world.orgs["b"].id, user_id=fg.id, roles=["fg"]))
    client = login(app, fg)
    response = client.get("/", follow_redirects=False)
    assert response.headers["Location"].endswith("/orgs")
    chooser = client.get("/orgs").get_data(as_text=True)
    assert "Instelling A" in chooser and "Instelling B" in chooser
    assert client.get("/o/org-a/").status_code == 200
    assert client.get("/o/org-b/").status_code == 200
    assert client.get("/o/org-c/").status_code == 404


def test_open_redirects_are_refused(app, world):
    client = WebClient(app)
    client.get("/login")
    response = client.post("/login?next=https://evil.example/", {"email": world.user("a", "reporter").email,
                                                                 "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_language_switch_is_remembered(app, world, login):
    client = login(app, world.user("a", "reporter"))
    assert "Uitloggen" in client.get("/o/org-a/").get_data(as_text=True)
    client.post("/lang", {"lang": "en", "next": "/o/org-a/"})
    assert "Sign out" in client.get("/o/org-a/").get_data(as_text=True)
    assert client.post("/lang", {"lang": "fr", "next": "/"}).status_code == 400
