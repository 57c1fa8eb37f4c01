"""“Test connection”: fetch the provider's discovery document and say what is wrong.

Each finding is ok, a warning or an error, in plain words for an administrator who is
not an OpenID Connect specialist. Nothing is saved and no secret is shown or logged.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

import requests
from flask import current_app
from flask_babel import gettext

from . import oidc
from .oidc import ProviderProblem


@dataclass(frozen=True)
class Finding:
    level: str  # ok | warning | error
    message: str


def problem_text(problem: ProviderProblem) -> str:
    p = problem.params
    texts = {
        "bad_url": lambda: gettext("“%(url)s” is not a web address Lekwijzer can use.", url=p.get("url")),
        "insecure_url": lambda: gettext("%(url)s is not an https:// address. Identity providers must be "
                                        "reached over https.", url=p.get("url")),
        "unknown_host": lambda: gettext("The name %(host)s cannot be found (DNS). Check the spelling of the "
                                        "issuer.", host=p.get("host")),
        "private_address": lambda: gettext("%(host)s is an address in an internal network. Lekwijzer only "
                                           "calls identity providers on the internet.", host=p.get("host")),
        "unreachable": lambda: gettext("Lekwijzer cannot connect to %(url)s. Check the issuer address and that "
                                       "the provider can be reached from the internet.", url=p.get("url")),
        "timeout": lambda: gettext("%(url)s did not answer within %(seconds)s seconds.", url=p.get("url"),
                                   seconds=int(current_app.config["SSO_HTTP_TIMEOUT"])),
        "tls": lambda: gettext("The secure connection to %(url)s failed: its certificate is not valid.",
                               url=p.get("url")),
        "http_status": lambda: gettext(
            "%(url)s answered with HTTP status %(status)s instead of the discovery document. Check the issuer: "
            "it is the address before /.well-known/openid-configuration.", url=p.get("url"), status=p.get("status"))
        if p.get("what") == "discovery" else gettext("%(url)s answered with HTTP status %(status)s.",
                                                     url=p.get("url"), status=p.get("status")),
        "not_json": lambda: gettext("%(url)s did not return a discovery document (JSON). Check the issuer "
                                    "address.", url=p.get("url")),
        "issuer_differs": lambda: gettext(
            "The provider calls itself “%(actual)s”, but the issuer entered here is “%(expected)s”. They must be "
            "exactly the same (including a final slash, if any): enter “%(actual)s”.",
            actual=p.get("actual"), expected=p.get("expected")),
        "missing_endpoint": lambda: gettext("The discovery document does not give %(names)s. This provider "
                                            "cannot be used for signing in.", names=p.get("names")),
        "no_keys": lambda: gettext("The provider's key list (%(url)s) holds no keys.", url=p.get("url")),
    }
    return texts.get(problem.code, lambda: gettext("The provider could not be used (%(code)s).",
                                                    code=problem.code))()


def diagnose(issuer: str, client_id: str, secret: str | None, role_claim: str, scopes: str,
             redirect_uri: str) -> list[Finding]:
    findings: list[Finding] = []
    ok = lambda text: findings.append(Finding("ok", text))  # noqa: E731
    warn = lambda text: findings.append(Finding("warning", text))  # noqa: E731
    error = lambda text: findings.append(Finding("error", text))  # noqa: E731

    if not issuer:
        error(gettext("Enter the issuer first."))
        return findings
    try:
        metadata = oidc.fetch_metadata(issuer)
    except ProviderProblem as problem:
        error(problem_text(problem))
        return findings
    ok(gettext("The discovery document was found, and the provider calls itself %(issuer)s.", issuer=issuer))

    if "code" not in (metadata.get("response_types_supported") or ["code"]):
        error(gettext("The provider does not offer the authorization code flow, which Lekwijzer uses."))
    methods = metadata.get("code_challenge_methods_supported")
    if methods is None:
        warn(gettext("The provider does not say whether it supports PKCE. Lekwijzer sends it (S256) anyway; "
                     "most providers accept it."))
    elif "S256" not in methods:
        error(gettext("The provider does not support PKCE with S256, which Lekwijzer requires."))
    algs = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    if not [a for a in algs if a in oidc.SIGNING_ALGS]:
        error(gettext("The provider signs identity tokens only with %(algs)s; Lekwijzer accepts public-key "
                      "signatures (such as RS256) only.", algs=", ".join(map(str, algs))))
    try:
        jwks = oidc.jwks_for(metadata["jwks_uri"], force=True)
        count = len([k for k in jwks["keys"] if isinstance(k, dict) and k.get("use") != "enc"])
        if count:
            ok(gettext("The provider publishes %(n)s signing key(s).", n=count))
        else:
            error(gettext("The provider publishes no signing keys."))
    except ProviderProblem as problem:
        error(problem_text(problem))

    supported_scopes = metadata.get("scopes_supported")
    if supported_scopes:
        missing = [s for s in scopes.split() if s not in supported_scopes]
        if missing:
            warn(gettext("The provider does not list the scope(s) %(scopes)s. Sign-in may fail; remove them "
                         "if they are not needed.", scopes=", ".join(missing)))
    claims = metadata.get("claims_supported")
    top_claim = role_claim.split(".")[0]
    if claims and top_claim not in claims and role_claim not in claims:
        warn(gettext("The provider does not list the claim “%(claim)s” that should carry groups or roles. Check "
                     "that it is sent (in Entra ID: Token configuration → Add groups claim).", claim=role_claim))
    if metadata.get("end_session_endpoint"):
        ok(gettext("The provider supports signing out: signing out of Lekwijzer also ends the session there."))
    else:
        warn(gettext("The provider offers no sign-out address: signing out of Lekwijzer will not sign people "
                     "out at the provider."))
    _check_client(findings, metadata, client_id, secret, redirect_uri)
    return findings


def _check_client(findings, metadata, client_id, secret, redirect_uri) -> None:
    """Send a made-up code: a provider that knows the client answers invalid_grant."""
    if not client_id:
        findings.append(Finding("error", gettext("Enter the client id.")))
        return
    if not secret:
        findings.append(Finding("error", gettext("Enter the client secret.")))
        return
    try:
        oidc.check_url(metadata["token_endpoint"])
        auth_method = oidc._auth_method(metadata)
        data = {"grant_type": "authorization_code", "code": secrets.token_urlsafe(24),
                "redirect_uri": redirect_uri, "code_verifier": secrets.token_urlsafe(48)}
        kw = {}
        if auth_method == "client_secret_basic":
            kw["auth"] = (requests.utils.quote(client_id, safe=""), requests.utils.quote(secret, safe=""))
        else:
            data.update(client_id=client_id, client_secret=secret)
        response = requests.post(metadata["token_endpoint"], data=data, timeout=current_app.config["SSO_HTTP_TIMEOUT"],
                                 headers={"Accept": "application/json"}, allow_redirects=False, **kw)
        answer = response.json().get("error") if response.headers.get("Content-Type", "").startswith(
            "application/json") else None
    except ProviderProblem as problem:
        findings.append(Finding("error", problem_text(problem)))
        return
    except (requests.exceptions.RequestException, ValueError, AttributeError):
        findings.append(Finding("warning", gettext("The client id and secret could not be checked: the token "
                                                   "address did not answer properly.")))
        return
    if answer == "invalid_grant":
        findings.append(Finding("ok", gettext("The provider accepts the client id and secret.")))
    elif answer == "invalid_client":
        findings.append(Finding("error", gettext("The provider does not accept the client id or the client secret. "
                                                 "Check both; a secret may also have expired.")))
    elif answer == "unauthorized_client":
        findings.append(Finding("error", gettext("The provider knows the client, but does not allow it to use the "
                                                 "authorization code flow.")))
    else:
        findings.append(Finding("warning", gettext("The client id and secret could not be checked (the provider "
                                                   "answered “%(answer)s”).", answer=answer or response.status_code)))
