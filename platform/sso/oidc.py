"""The OpenID Connect relying party: discovery, authorization code + PKCE, ID-token checks.

Nothing here is cached across a settings change: provider metadata is cached per
(organisation, settings version, issuer) for a few minutes, and a client (Authlib's
`OAuth2Session`) is built for every request from the settings as they are now. Signing
keys are cached per JWKS address and fetched again when a token names a key that is not
in the cache (the provider rotated its keys).

Every check that can refuse a sign-in raises `Refused(reason)` with a short reason code;
the page and the audit trail show that code.
"""
from __future__ import annotations

import ipaddress
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core.util import create_half_hash
from flask import current_app
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet

log = logging.getLogger("lekwijzer.sso")

WELL_KNOWN = "/.well-known/openid-configuration"
# Asymmetric algorithms only: "none" and HS* (keyed with the client secret) are refused.
SIGNING_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
_KTY = {"R": "RSA", "P": "RSA", "E": "EC", "Ed": "OKP"}
# A state and nonce of 43 characters carry 256 bits; the PKCE verifier is 64 characters.


class Refused(Exception):
    """A sign-in that must not go through; `reason` is a short code (see refusals.py)."""

    def __init__(self, reason: str, user_id=None):
        super().__init__(reason)
        self.reason = reason
        self.user_id = user_id


@dataclass
class ProviderProblem(Exception):
    """The provider could not be used; `code` says why in a word, `params` fill the message."""

    code: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.code


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + WELL_KNOWN


def normalise_issuer(value: str) -> str:
    value = (value or "").strip()
    if value.endswith(WELL_KNOWN):
        value = value[: -len(WELL_KNOWN)]
    return value


# --- outgoing HTTP ----------------------------------------------------------------------

def _setting(name: str):
    return current_app.config[name]


def check_url(url: str) -> None:
    """Refuse addresses a tenant must not make the server call (unless configured)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ProviderProblem("bad_url", {"url": url})
    if _setting("SSO_ALLOW_INSECURE"):
        return
    if parts.scheme != "https":
        raise ProviderProblem("insecure_url", {"url": url})
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        raise ProviderProblem("unknown_host", {"host": parts.hostname}) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
                or address.is_multicast or address.is_unspecified):
            raise ProviderProblem("private_address", {"host": parts.hostname})


def _get_json(url: str, what: str) -> dict:
    check_url(url)
    try:
        response = requests.get(url, timeout=_setting("SSO_HTTP_TIMEOUT"), headers={"Accept": "application/json"},
                                allow_redirects=False)
    except requests.exceptions.SSLError:
        raise ProviderProblem("tls", {"url": url}) from None
    except requests.exceptions.Timeout:
        raise ProviderProblem("timeout", {"url": url}) from None
    except requests.exceptions.RequestException:
        raise ProviderProblem("unreachable", {"url": url}) from None
    if response.status_code != 200:
        raise ProviderProblem("http_status", {"url": url, "status": response.status_code, "what": what})
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ProviderProblem("not_json", {"url": url, "what": what})
    return data


# --- provider metadata and keys ---------------------------------------------------------

_lock = threading.Lock()
_metadata_cache: dict[tuple, tuple[float, dict]] = {}
_jwks_cache: dict[str, tuple[float, dict]] = {}
REQUIRED_METADATA = ("authorization_endpoint", "token_endpoint", "jwks_uri")


def fetch_metadata(issuer: str) -> dict:
    """Fetch and check the discovery document (OpenID Connect Discovery 1.0, §4)."""
    data = _get_json(discovery_url(issuer), "discovery")
    if data.get("issuer") != issuer:
        raise ProviderProblem("issuer_differs", {"expected": issuer, "actual": str(data.get("issuer"))[:300]})
    missing = [k for k in REQUIRED_METADATA if not isinstance(data.get(k), str)]
    if missing:
        raise ProviderProblem("missing_endpoint", {"names": ", ".join(missing)})
    return data


def metadata_for(config) -> dict:
    """The provider's metadata for these settings (cached briefly, never across a change)."""
    key = (config.tenant_id, config.version, config.issuer)
    now = time.monotonic()
    with _lock:
        hit = _metadata_cache.get(key)
    if hit and now - hit[0] < _setting("SSO_METADATA_SECONDS"):
        return hit[1]
    data = fetch_metadata(config.issuer)
    with _lock:
        for old in [k for k in _metadata_cache if k[0] == config.tenant_id and k != key]:
            del _metadata_cache[old]
        _metadata_cache[key] = (now, data)
    return data


def jwks_for(uri: str, *, force: bool = False) -> dict:
    now = time.monotonic()
    with _lock:
        hit = _jwks_cache.get(uri)
    if hit and not force and now - hit[0] < _setting("SSO_JWKS_SECONDS"):
        return hit[1]
    data = _get_json(uri, "jwks")
    if not isinstance(data.get("keys"), list):
        raise ProviderProblem("no_keys", {"url": uri})
    with _lock:
        _jwks_cache[uri] = (now, data)
    return data


def clear_caches() -> None:
    with _lock:
        _metadata_cache.clear()
        _jwks_cache.clear()


# --- the authorization code flow --------------------------------------------------------

def _auth_method(metadata: dict) -> str:
    supported = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return "client_secret_basic" if "client_secret_basic" in supported else "client_secret_post"


def client_for(config, secret: str | None, metadata: dict, redirect_uri: str | None = None) -> OAuth2Session:
    """A fresh Authlib client built from the settings as they are now."""
    return OAuth2Session(
        client_id=config.client_id, client_secret=secret, scope=config.scopes, redirect_uri=redirect_uri,
        code_challenge_method="S256", token_endpoint_auth_method=_auth_method(metadata),
        default_timeout=_setting("SSO_HTTP_TIMEOUT"),
    )


def authorization_url(config, secret, metadata, *, redirect_uri, state, nonce, code_verifier,
                      login_hint=None, ui_locales=None) -> str:
    check_url(metadata["authorization_endpoint"])
    extra = {"nonce": nonce}
    if login_hint:
        extra["login_hint"] = login_hint
    if ui_locales:
        extra["ui_locales"] = ui_locales
    url, _ = client_for(config, secret, metadata, redirect_uri).create_authorization_url(
        metadata["authorization_endpoint"], state=state, code_verifier=code_verifier, **extra)
    return url


def exchange_code(config, secret, metadata, *, code, redirect_uri, code_verifier) -> dict:
    """Redeem the code at the token endpoint (with the PKCE verifier)."""
    check_url(metadata["token_endpoint"])
    client = client_for(config, secret, metadata, redirect_uri)
    try:
        token = client.fetch_token(metadata["token_endpoint"], grant_type="authorization_code", code=code,
                                   code_verifier=code_verifier, redirect_uri=redirect_uri)
    except OAuthError as exc:
        # invalid_grant: used before, expired, issued to someone else, or a wrong verifier.
        log.info("token endpoint refused the code: %s", exc.error)
        raise Refused("client_rejected" if exc.error == "invalid_client" else "code_rejected") from None
    except (requests.exceptions.RequestException, ValueError) as exc:
        log.info("token endpoint failed: %s", type(exc).__name__)
        raise Refused("provider_unreachable") from None
    if not token.get("id_token"):
        raise Refused("token_invalid")
    return dict(token)


def userinfo(metadata: dict, access_token: str) -> dict | None:
    uri = metadata.get("userinfo_endpoint")
    if not uri or not access_token:
        return None
    check_url(uri)
    try:
        response = requests.get(uri, headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
                                timeout=_setting("SSO_HTTP_TIMEOUT"), allow_redirects=False)
    except requests.exceptions.RequestException:
        return None
    if response.status_code != 200 or not response.headers.get("Content-Type", "").startswith("application/json"):
        return None  # a signed or encrypted userinfo answer is not used
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


# --- the ID token -----------------------------------------------------------------------

def _candidate_keys(jwks: dict, header: dict):
    kid, alg = header.get("kid"), header.get("alg", "")
    kty = next((v for k, v in _KTY.items() if alg.startswith(k)), None)
    keys = []
    for data in jwks.get("keys", []):
        if not isinstance(data, dict) or data.get("use") == "enc" or data.get("kty") != kty:
            continue
        if kid is not None and data.get("kid") != kid:
            continue
        if data.get("alg") and data.get("alg") != alg:
            continue
        keys.append(data)
    return keys


def verify_signature(raw: str, metadata: dict) -> dict:
    """Check the signature against the provider's published keys; returns the claims."""
    try:
        header = jws.extract_compact(raw.encode()).headers()
    except (JoseError, ValueError, TypeError):
        raise Refused("token_invalid") from None
    allowed = [a for a in (metadata.get("id_token_signing_alg_values_supported") or ["RS256"]) if a in SIGNING_ALGS]
    if header.get("alg") not in allowed:
        raise Refused("token_invalid")
    try:
        keys = _candidate_keys(jwks_for(metadata["jwks_uri"]), header)
        if not keys:
            # A key we have not seen: the provider may have rotated. Ask once more.
            keys = _candidate_keys(jwks_for(metadata["jwks_uri"], force=True), header)
    except ProviderProblem:
        raise Refused("provider_unreachable") from None
    if not keys:
        raise Refused("unknown_key")
    for data in keys:
        try:
            keyset = KeySet.import_key_set({"keys": [data]})
            obj = jws.deserialize_compact(raw.encode(), keyset.keys[0], algorithms=[header["alg"]])
        except BadSignatureError:
            continue
        except (JoseError, ValueError, TypeError):
            continue
        try:
            claims = json.loads(obj.payload)
        except ValueError:
            raise Refused("token_invalid") from None
        if not isinstance(claims, dict):
            raise Refused("token_invalid")
        claims["_alg"] = header["alg"]
        return claims
    raise Refused("bad_signature")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_claims(claims: dict, *, issuer: str, client_id: str, nonce: str, leeway: int,
                 now: float | None = None, access_token: str | None = None) -> dict:
    """OpenID Connect Core §3.1.3.7: issuer, audience, time, nonce (and at_hash)."""
    now = time.time() if now is None else now
    if claims.get("iss") != issuer:
        raise Refused("issuer_mismatch")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if client_id not in audiences:
        raise Refused("audience_mismatch")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise Refused("audience_mismatch")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not _number(exp) or not _number(iat):
        raise Refused("token_invalid")
    if now >= exp + leeway:
        raise Refused("token_expired")
    if iat > now + leeway or (_number(claims.get("nbf")) and claims["nbf"] > now + leeway):
        raise Refused("token_not_yet_valid")
    if not nonce or claims.get("nonce") != nonce:
        raise Refused("nonce_mismatch")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > 255:
        raise Refused("token_invalid")
    at_hash = claims.get("at_hash")
    if at_hash and access_token:
        try:
            expected = create_half_hash(access_token, claims.get("_alg", "RS256"))
        except Exception:  # an algorithm without a defined hash
            expected = None
        if expected is None or expected.decode() != at_hash:
            raise Refused("token_invalid")
    return claims


def validate_id_token(raw: str, metadata: dict, *, issuer: str, client_id: str, nonce: str,
                      access_token: str | None = None, now: float | None = None) -> dict:
    claims = verify_signature(raw, metadata)
    return check_claims(claims, issuer=issuer, client_id=client_id, nonce=nonce,
                        leeway=_setting("SSO_CLOCK_LEEWAY"), now=now, access_token=access_token)


def end_session_url(metadata: dict, *, client_id: str, id_token_hint: str | None,
                    post_logout_redirect_uri: str, state: str) -> str | None:
    from authlib.common.urls import add_params_to_uri

    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    params = [("client_id", client_id), ("post_logout_redirect_uri", post_logout_redirect_uri), ("state", state)]
    if id_token_hint:
        params.insert(0, ("id_token_hint", id_token_hint))
    return add_params_to_uri(endpoint, params)
