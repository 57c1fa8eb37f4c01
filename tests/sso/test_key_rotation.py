"""The provider rotates its signing keys between two sign-ins; Lekwijzer keeps running."""
from __future__ import annotations

from tests.sso.conftest import USERS_A, configure_sso, refusals


def _kid(app, client):
    import json
    from base64 import urlsafe_b64decode

    cookie = client.web.client.get_cookie("lekwijzer_session").value
    token = app.session_interface.get_signing_serializer(app).loads(cookie)["sso"]["idt"]
    return json.loads(urlsafe_b64decode(token.split(".")[0] + "=="))["kid"]


def test_key_rotation_at_the_provider_needs_no_restart(app, world, idps, sso_client):
    configure_sso(app, world, "a", idps.one)
    start = idps.one.hits("/jwks")
    first = sso_client()
    assert first.sign_in("org-a", "anna", USERS_A["anna"]["password"]).status_code == 302
    assert _kid(app, first) == "one-2026-1"
    assert idps.one.hits("/jwks") - start == 1

    # The provider starts signing with a new key and publishes both (the usual rotation).
    idps.one.rotate([idps.keys["next"], idps.keys["one"]])
    second = sso_client()
    assert second.sign_in("org-a", "anna", USERS_A["anna"]["password"]).status_code == 302
    assert _kid(app, second) == "one-2026-2"
    assert idps.one.hits("/jwks") - start == 2  # the unknown key id made Lekwijzer fetch the keys again

    third = sso_client()
    assert third.sign_in("org-a", "anna", USERS_A["anna"]["password"]).status_code == 302
    assert idps.one.hits("/jwks") - start == 2  # and from then on the keys come from the cache

    # The old key is withdrawn: tokens signed with it would no longer be accepted.
    idps.one.rotate([idps.keys["next"]])
    fourth = sso_client()
    assert fourth.sign_in("org-a", "anna", USERS_A["anna"]["password"]).status_code == 302
    assert refusals(app, world, "a") == []

