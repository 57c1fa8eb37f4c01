"""Signing in through an organisation's own provider: accounts, roles, identities."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.sso.conftest import USERS_A, audit_entries, configure_sso, refusals
from tests.sso.idp import WrongPassword, query_of


def _user_by_email(app, email):
    from lekwijzer.db import db
    from lekwijzer.models import User

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def _membership(app, org_id, user_id):
    from lekwijzer.db import db
    from lekwijzer.models import Membership
    from lekwijzer.tenancy import tenant_scope

    with app.app_context(), tenant_scope(org_id):
        m = db.session.scalar(sa.select(Membership).where(Membership.tenant_id == org_id,
                                                          Membership.user_id == user_id))
        return sorted(m.roles) if m else None


def _identities(app, org_id):
    from lekwijzer.db import db
    from lekwijzer.sso.models import SsoIdentity
    from lekwijzer.tenancy import tenant_scope

    with app.app_context(), tenant_scope(org_id):
        return [(i.issuer, i.subject, i.user_id) for i in db.session.scalars(sa.select(SsoIdentity))]


def test_first_sign_in_creates_the_account_and_membership_with_the_mapped_roles(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    client = sso_client()
    authorize = client.start("org-a")
    params = query_of(authorize)
    assert authorize.startswith(idps.one.issuer + "/auth?")
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 43 and len(params["nonce"]) >= 43
    assert params["redirect_uri"] == "http://localhost/sso/org-a/callback"

    response = client.finish(client.at_provider(authorize, "anna", USERS_A["anna"]["password"]))
    assert response.status_code == 302
    assert response.headers["Location"] == "/o/org-a/"
    dashboard = client.web.get("/o/org-a/")
    assert dashboard.status_code == 200
    assert "Instelling A" in dashboard.get_data(as_text=True)

    user = _user_by_email(app, "anna.jansen@org-a.test")
    assert user is not None and user.name == "Anna Jansen"
    assert user.password_hash is None  # signs in through the provider only
    assert _membership(app, world.orgs["a"].id, user.id) == ["privacy_officer"]
    assert _identities(app, world.orgs["a"].id) == [(idps.one.issuer, "a-5f1c0d", user.id)]
    actions = [(a, m) for a, m, *_ in audit_entries(app, world, "a")]
    assert ("sso.identity_linked", {"new_account": True}) in actions
    assert ("member.added", {"roles": "privacy_officer", "source": "sso"}) in actions
    assert ("user.signed_in", {"method": "sso"}) in actions
    assert refusals(app, world, "a") == []


def _sign_in_ok(client, slug, login, password, org_path):
    response = client.sign_in(slug, login, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert response.headers["Location"] == org_path
    return response


def test_roles_follow_the_provider_at_every_sign_in(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    _sign_in_ok(sso_client(), "org-a", "bram", USERS_A["bram"]["password"], "/o/org-a/")
    bram = _user_by_email(app, "bram.de.vries@org-a.test")
    org_a = world.orgs["a"].id
    assert _membership(app, org_a, bram.id) == ["tenant_admin"]

    # Bram moves from the administrators' group to the FG's group at the provider.
    users = {**USERS_A, "bram": {**USERS_A["bram"], "claims": {**USERS_A["bram"]["claims"], "groups": ["lw-fg"]}}}
    idps.one.set_users(users)
    client = sso_client()
    response = client.sign_in("org-a", "bram", USERS_A["bram"]["password"])
    assert response.status_code == 302
    assert _membership(app, org_a, bram.id) == ["fg"]
    assert client.web.get("/o/org-a/admin/sso").status_code == 403  # no longer an administrator
    changes = [m for a, m, *_ in audit_entries(app, world, "a", "member.roles_changed")]
    assert changes == [{"roles": "fg", "source": "sso"}]

    # Removed from every Lekwijzer group: refused, with a clear page; nothing else changes.
    idps.one.set_users({**users, "bram": {**users["bram"], "claims": {**users["bram"]["claims"], "groups": []}}})
    refused = sso_client().sign_in("org-a", "bram", USERS_A["bram"]["password"])
    assert refused.status_code == 403
    assert "no_mapped_role" in refused.get_data(as_text=True)
    assert refusals(app, world, "a") == ["no_mapped_role"]


def _only_admin_is(app, org_id, user_id):
    """Takes the administrator role from everyone in the organisation but this person."""
    from lekwijzer.db import db
    from lekwijzer.models import Membership
    from lekwijzer.tenancy import tenant_scope

    with app.app_context(), tenant_scope(org_id):
        for m in db.session.scalars(sa.select(Membership).where(Membership.tenant_id == org_id)):
            if m.user_id != user_id and "tenant_admin" in m.roles:
                m.roles = [r for r in m.roles if r != "tenant_admin"] or ["auditor"]


def test_the_provider_never_takes_the_role_of_the_last_administrator(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    _sign_in_ok(sso_client(), "org-a", "bram", USERS_A["bram"]["password"], "/o/org-a/")
    bram = _user_by_email(app, "bram.de.vries@org-a.test")
    org_a = world.orgs["a"].id
    _only_admin_is(app, org_a, bram.id)

    # Bram moves to the FG's group at the provider, but nobody else administers org-a.
    users = {**USERS_A, "bram": {**USERS_A["bram"], "claims": {**USERS_A["bram"]["claims"], "groups": ["lw-fg"]}}}
    idps.one.set_users(users)
    client = sso_client()
    assert client.sign_in("org-a", "bram", USERS_A["bram"]["password"]).status_code == 302
    assert _membership(app, org_a, bram.id) == ["fg", "tenant_admin"]
    assert client.web.get("/o/org-a/admin/sso").status_code == 200  # can still fix the mapping
    kept = [m for a, m, *_ in audit_entries(app, world, "a", "sso.admin_role_kept")]
    assert kept == [{"role": "tenant_admin"}]
    assert "sso.admin_role_kept" in client.web.get("/o/org-a/admin/sso").get_data(as_text=True)


def test_people_are_known_by_issuer_and_subject_not_by_e_mail(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    _sign_in_ok(sso_client(), "org-a", "anna", USERS_A["anna"]["password"], "/o/org-a/")
    anna = _user_by_email(app, "anna.jansen@org-a.test")

    # Anna's address changes at the provider: still the same person, the same account.
    renamed = {**USERS_A["anna"], "claims": {**USERS_A["anna"]["claims"], "email": "a.jansen@org-a.test"}}
    # Someone else at the provider takes Anna's old address: a new subject, so not Anna's account.
    impostor = {"password": "x-wachtwoord", "sub": "a-impostor", "claims": {
        "email": "anna.jansen@org-a.test", "email_verified": True, "name": "Not Anna", "groups": ["lw-privacy"]}}
    idps.one.set_users({**USERS_A, "anna": renamed, "impostor": impostor})
    _sign_in_ok(sso_client(), "org-a", "anna", USERS_A["anna"]["password"], "/o/org-a/")
    assert _user_by_email(app, "a.jansen@org-a.test") is None  # no second account
    assert len(_identities(app, world.orgs["a"].id)) == 1

    refused = sso_client().sign_in("org-a", "impostor", "x-wachtwoord")
    assert refused.status_code == 403
    assert "account_conflict" in refused.get_data(as_text=True)
    assert [s for _i, s, u in _identities(app, world.orgs["a"].id)] == ["a-5f1c0d"]
    assert _user_by_email(app, "anna.jansen@org-a.test").id == anna.id


def test_a_member_added_by_the_administrator_is_linked_at_the_first_sign_in(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    existing = world.user("a", "privacy_officer")  # privacy_officer@org-a.test, a member of A
    client = sso_client()
    _sign_in_ok(client, "org-a", "po", USERS_A["po"]["password"], "/o/org-a/")
    assert _identities(app, world.orgs["a"].id) == [(idps.one.issuer, "a-po0001", existing.id)]
    assert _membership(app, world.orgs["a"].id, existing.id) == ["privacy_officer"]
    linked = [m for a, m, *_ in audit_entries(app, world, "a", "sso.identity_linked")]
    assert linked == [{"new_account": False}]


def test_another_organisations_account_is_never_taken_over(app, world, idps, sso_client):
    # A claims B's e-mail domain and its provider asserts the address of one of B's people.
    configure_sso(app, world, "a", idps.one, allowed_domains=["org-a.test", "org-b.test"])
    b_person = world.user("b", "privacy_officer")
    intruder = {"password": "pw-intruder", "sub": "a-intruder", "claims": {
        "email": b_person.email, "email_verified": True, "name": "Intruder", "groups": ["lw-privacy", "lw-admins"]}}
    idps.one.set_users({**USERS_A, "intruder": intruder})
    refused = sso_client().sign_in("org-a", "intruder", "pw-intruder")
    assert refused.status_code == 403
    assert "account_conflict" in refused.get_data(as_text=True)
    assert _identities(app, world.orgs["a"].id) == []
    assert _membership(app, world.orgs["a"].id, b_person.id) is None
    assert refusals(app, world, "a") == ["account_conflict"]


def test_two_organisations_with_their_own_providers_in_one_run(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    configure_sso(app, world, "b", idps.two)
    a_client, b_client = sso_client(), sso_client()
    assert a_client.start("org-a").startswith(idps.one.issuer)
    assert b_client.start("org-b").startswith(idps.two.issuer)
    _sign_in_ok(a_client, "org-a", "anna", USERS_A["anna"]["password"], "/o/org-a/")
    _sign_in_ok(b_client, "org-b", "bob", "bob-wachtwoord", "/o/org-b/")
    bob = _user_by_email(app, "bob.smit@org-b.test")
    anna = _user_by_email(app, "anna.jansen@org-a.test")
    assert _membership(app, world.orgs["b"].id, bob.id) == ["reporter"]
    assert _membership(app, world.orgs["a"].id, bob.id) is None
    assert _membership(app, world.orgs["b"].id, anna.id) is None
    assert b_client.web.get("/o/org-a/").status_code == 404
    assert a_client.web.get("/o/org-b/").status_code == 404
    assert _identities(app, world.orgs["b"].id) == [(idps.two.issuer, "b-31337", bob.id)]
    assert [s for _i, s, _u in _identities(app, world.orgs["a"].id)] == ["a-5f1c0d"]

    # A person at B's provider cannot sign in to A through A's sign-in (A's provider does not know them).
    stranger = sso_client()
    with pytest.raises(WrongPassword):
        stranger.at_provider(stranger.start("org-a"), "bob", "bob-wachtwoord")


def test_changed_settings_apply_at_once_and_end_sign_ins_under_the_old_ones(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    _sign_in_ok(sso_client(), "org-a", "anna", USERS_A["anna"]["password"], "/o/org-a/")
    in_flight = sso_client()
    callback = in_flight.at_provider(in_flight.start("org-a"), "anna", USERS_A["anna"]["password"])

    # A moves to another provider (and client) while the app keeps running.
    configure_sso(app, world, "a", idps.two, client_id="lekwijzer-a-nieuw", secret="geheim-a-nieuw",
                  allowed_domains=["org-a.test", "org-b.test"], role_mapping=[
                      {"value": "Lekwijzer-Meldingen", "role": "reporter"}])
    late = in_flight.finish(callback)
    assert late.status_code == 400
    assert "settings_changed" in late.get_data(as_text=True)

    client = sso_client()
    authorize = client.start("org-a")
    assert authorize.startswith(idps.two.issuer + "/auth?")
    assert query_of(authorize)["client_id"] == "lekwijzer-a-nieuw"
    response = client.finish(client.at_provider(authorize, "anna", "anna-b"))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    anna_b = _user_by_email(app, "anna.b@org-b.test")
    assert _membership(app, world.orgs["a"].id, anna_b.id) == ["reporter"]
    assert refusals(app, world, "a") == ["settings_changed"]


def test_without_automatic_accounts_only_members_get_in(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one, jit_provisioning=False)
    refused = sso_client().sign_in("org-a", "anna", USERS_A["anna"]["password"])
    assert refused.status_code == 403
    assert "not_a_member" in refused.get_data(as_text=True)
    assert _user_by_email(app, "anna.jansen@org-a.test") is None
    _sign_in_ok(sso_client(), "org-a", "po", USERS_A["po"]["password"], "/o/org-a/")
