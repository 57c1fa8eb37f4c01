"""Every refused sign-in: a clear page for the person, an audit entry for the organisation.

All of them go through the real provider; where a test needs a provider that misbehaves
(a clock that is off, a key set that does not match), the provider is configured so, and
the protocol stays the provider's own.
"""
from __future__ import annotations

from html import escape

import sqlalchemy as sa

from tests.sso.conftest import USERS_A, audit_entries, configure_sso, refusals
from tests.sso.idp import public, query_of, with_param

PW = USERS_A["anna"]["password"]


def assert_refused(app, world, response, code, status, client=None, org="a"):
    body = response.get_data(as_text=True)
    assert response.status_code == status, body[:600]
    assert f"<code>{code}</code>" in body  # the reference the person can pass on
    assert 'role="alert"' in body
    assert escape(_dutch_title(app, code)) in body  # in plain Dutch, the default language
    assert refusals(app, world, org)[-1] == code
    entry = audit_entries(app, world, org, "user.sign_in_refused")[-1]
    assert entry[1] == {"method": "sso", "reason": code}
    if client is not None:  # and nobody was signed in
        assert client.web.get(f"/o/org-{org}/").status_code == 302


def _dutch_title(app, code: str) -> str:
    from flask_babel import force_locale

    from lekwijzer.sso.refusals import REASONS

    with app.test_request_context(), force_locale("nl"):
        title = str(REASONS[code].title)
    assert title != REASONS[code].title._args[0]  # translated, not the English msgid
    return title


def session_of(app, client) -> dict:
    cookie = client.web.client.get_cookie("lekwijzer_session")
    return app.session_interface.get_signing_serializer(app).loads(cookie.value) if cookie else {}


def test_an_answer_that_belongs_to_another_browser_is_refused(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    attacker = sso_client()
    callback = attacker.at_provider(attacker.start("org-a"), "anna", PW)
    victim = sso_client()
    victim.start("org-a")  # the victim has a sign-in of their own going
    assert_refused(app, world, victim.finish(callback), "state_mismatch", 400, victim)
    # Without any sign-in going, and with a made-up state, the same.
    assert_refused(app, world, sso_client().finish(callback), "state_mismatch", 400)
    assert_refused(app, world, attacker.finish(with_param(callback, state="x" * 43)), "state_mismatch", 400,
                   attacker)
    # In its own browser the answer works once; the state is then used up.
    assert attacker.finish(callback).status_code == 302
    assert_refused(app, world, attacker.finish(callback), "state_mismatch", 400)


def test_a_replayed_code_is_refused(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    client = sso_client()
    callback = client.at_provider(client.start("org-a"), "anna", PW)
    copy = sso_client()  # a copy of the browser's cookie, taken before the answer was used
    copy.web.client.set_cookie("lekwijzer_session", client.web.client.get_cookie("lekwijzer_session").value,
                               domain="localhost")
    assert client.finish(callback).status_code == 302
    assert_refused(app, world, copy.finish(callback), "code_rejected", 400, copy)


def test_an_id_token_with_another_nonce_is_refused(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    client = sso_client()
    authorize = client.start("org-a")
    tampered = with_param(authorize, nonce="n" * 43)  # same state and PKCE, another nonce
    assert query_of(tampered)["state"] == query_of(authorize)["state"]
    assert_refused(app, world, client.finish(client.at_provider(tampered, "anna", PW)), "nonce_mismatch", 400,
                   client)


def test_an_answer_from_another_organisations_provider_is_refused(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    configure_sso(app, world, "b", idps.two)
    client = sso_client()
    callback = client.at_provider(client.start("org-b"), "bob", "bob-wachtwoord")
    assert query_of(callback)["iss"] == idps.two.issuer
    into_a = callback.replace("/sso/org-b/callback", "/sso/org-a/callback")
    assert_refused(app, world, client.finish(into_a), "issuer_mismatch", 400, client)
    # Without its issuer the answer is still bound to B's sign-in.
    stripped = with_param(into_a.split("&iss=")[0])
    assert_refused(app, world, client.finish(stripped), "state_mismatch", 400, client)
    assert refusals(app, world, "b") == []  # refused where it was tried, in A's audit trail


def test_an_id_token_of_another_organisations_issuer_fails_the_issuer_check(app, world, idps, sso_client):
    """B's real ID token, verified and all, is still not A's: the issuer check refuses it."""
    import pytest

    from lekwijzer.sso import oidc

    configure_sso(app, world, "b", idps.two)
    client = sso_client()
    client.sign_in("org-b", "bob", "bob-wachtwoord")
    id_token = session_of(app, client)["sso"]["idt"]
    with app.test_request_context():
        metadata = oidc.fetch_metadata(idps.two.issuer)
        claims = oidc.verify_signature(id_token, metadata)
        assert claims["iss"] == idps.two.issuer
        with pytest.raises(oidc.Refused) as refused:
            oidc.check_claims(claims, issuer=idps.one.issuer, client_id="lekwijzer-b", nonce=claims["nonce"],
                              leeway=60)
        assert refused.value.reason == "issuer_mismatch"
        with pytest.raises(oidc.Refused) as refused:
            oidc.check_claims(claims, issuer=idps.two.issuer, client_id="lekwijzer-a", nonce=claims["nonce"],
                              leeway=60)
        assert refused.value.reason == "audience_mismatch"


def test_an_expired_id_token_is_refused(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    idps.one.clock(-3600)  # the provider's clock runs an hour behind: its 10-minute tokens arrive expired
    client = sso_client()
    assert_refused(app, world, client.sign_in("org-a", "anna", PW), "token_expired", 400, client)


def test_clock_leeway_is_configurable(app, world, idps, sso_client):
    # B's provider puts the claims in the ID token (A's sends them through userinfo, which
    # would refuse its own expired access token first).
    configure_sso(app, world, "b", idps.two)
    idps.two.clock(-620)  # tokens expired 20 seconds ago
    assert sso_client().sign_in("org-b", "bob", "bob-wachtwoord").status_code == 302  # within the 60 s leeway
    app.config["SSO_CLOCK_LEEWAY"] = 0
    client = sso_client()
    assert_refused(app, world, client.sign_in("org-b", "bob", "bob-wachtwoord"), "token_expired", 400, client,
                   org="b")


def test_a_token_signed_by_a_key_the_provider_does_not_publish_is_refused(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    idps.one.publish([public(idps.keys["stranger"])])  # the published key set lacks the signing key
    before = idps.one.hits("/jwks")
    client = sso_client()
    assert_refused(app, world, client.sign_in("org-a", "anna", PW), "unknown_key", 400, client)
    assert idps.one.hits("/jwks") - before == 2  # fetched, then fetched again in case of a rotation


def test_a_token_whose_signature_does_not_match_the_published_key_is_refused(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    lookalike = {**public(idps.keys["stranger"]), "kid": idps.keys["one"]["kid"]}  # same key id, other key
    idps.one.publish([lookalike])
    client = sso_client()
    assert_refused(app, world, client.sign_in("org-a", "anna", PW), "bad_signature", 400, client)


def test_an_e_mail_domain_that_is_not_allowed_is_refused(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    client = sso_client()
    assert_refused(app, world, client.sign_in("org-a", "eve", "eve-wachtwoord"), "email_domain_not_allowed",
                   403, client)
    _assert_no_account(app, "eve@elders.test")


def test_someone_without_a_mapped_role_is_refused_and_gets_no_account(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    client = sso_client()
    response = client.sign_in("org-a", "nora", "nora-wachtwoord")
    assert_refused(app, world, response, "no_mapped_role", 403, client)
    _assert_no_account(app, "nora.bakker@org-a.test")
    assert "Sign in again" not in response.get_data(as_text=True)  # trying again will not help


def test_an_unverified_e_mail_address_is_refused(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    unverified = {**USERS_A["anna"], "claims": {**USERS_A["anna"]["claims"], "email_verified": False}}
    idps.one.set_users({**USERS_A, "anna": unverified})
    client = sso_client()
    assert_refused(app, world, client.sign_in("org-a", "anna", PW), "email_unverified", 403, client)


def test_cancelling_at_the_provider_is_refused_politely(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    client = sso_client()
    callback = client.provider.cancel(client.start("org-a"))
    assert query_of(callback)["error"] == "access_denied"
    assert_refused(app, world, client.finish(callback), "provider_error", 400, client)


def test_a_sign_in_that_took_too_long_is_refused(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    app.config["SSO_FLOW_SECONDS"] = -1
    client = sso_client()
    assert_refused(app, world, client.sign_in("org-a", "anna", PW), "state_expired", 400, client)


def _assert_no_account(app, email):
    from lekwijzer.db import db
    from lekwijzer.models import User

    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == email)) is None
