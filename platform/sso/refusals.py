"""Why a single sign-on was refused, in plain words, for the person and for the audit trail.

Each reason has a short code (in the audit entry and on the page, so a helpdesk can find
it), an HTTP status, a title, what happened and what the person can do.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Reason:
    status: int
    title: object
    text: object
    advice: object
    retry: bool = True  # offer "sign in again"


_AGAIN = _l("Start signing in again. If it happens again, tell your organisation's administrator "
            "and mention the reference below.")
_ADMIN = _l("Tell your organisation's administrator and mention the reference below.")

REASONS: dict[str, Reason] = {
    "state_mismatch": Reason(400, _l("This sign-in cannot be completed"),
                             _l("The answer from the identity provider does not belong to a sign-in that was "
                                "started in this browser, or it was used already. This protects you from "
                                "being signed in to someone else's account."), _AGAIN),
    "state_expired": Reason(400, _l("The sign-in took too long"),
                            _l("More than ten minutes passed between starting to sign in and coming back "
                               "from the identity provider."), _AGAIN),
    "settings_changed": Reason(400, _l("The sign-in settings changed"),
                               _l("Your organisation changed its sign-in settings while you were signing in."),
                               _AGAIN),
    "issuer_mismatch": Reason(400, _l("The answer came from another identity provider"),
                              _l("The answer did not come from the identity provider of this organisation. "
                                 "An answer from another organisation's provider can never sign anyone in "
                                 "here."), _AGAIN),
    "code_rejected": Reason(400, _l("The identity provider did not accept the sign-in"),
                            _l("The identity provider refused to exchange the one-time code for a token. "
                               "Codes can be used once only and expire quickly; a code that is used again "
                               "or by someone else is refused."), _AGAIN),
    "client_rejected": Reason(502, _l("The identity provider does not recognise Lekwijzer"),
                              _l("The identity provider did not accept Lekwijzer's client id or secret for "
                                 "this organisation. The settings may be out of date."), _ADMIN, retry=False),
    "nonce_mismatch": Reason(400, _l("The token does not belong to this sign-in"),
                             _l("The identity token does not carry the one-time value (nonce) of the sign-in "
                                "that was started in this browser. It may have been replayed or swapped."),
                             _AGAIN),
    "token_expired": Reason(400, _l("The identity token has expired"),
                            _l("The identity token from the provider was no longer valid when it arrived. "
                               "This can happen when the provider's clock or ours is wrong."), _AGAIN),
    "token_not_yet_valid": Reason(400, _l("The identity token is not valid yet"),
                                  _l("The identity token says it was issued in the future. The provider's "
                                     "clock or ours is wrong."), _ADMIN),
    "unknown_key": Reason(400, _l("The identity token is signed with an unknown key"),
                          _l("The identity token is signed with a key that the identity provider does not "
                             "publish, so it cannot be trusted."), _ADMIN),
    "bad_signature": Reason(400, _l("The identity token's signature is not valid"),
                            _l("The identity token was changed, or it was not signed by the identity provider."),
                            _ADMIN),
    "audience_mismatch": Reason(400, _l("The identity token is meant for another application"),
                                _l("The identity token was issued to another application than Lekwijzer."), _ADMIN),
    "token_invalid": Reason(400, _l("The identity token is not valid"),
                            _l("The identity provider's answer is incomplete or malformed."), _ADMIN),
    "provider_error": Reason(400, _l("The identity provider did not sign you in"),
                             _l("The identity provider stopped the sign-in, for example because it was "
                                "cancelled or access was denied there."), _AGAIN),
    "provider_unreachable": Reason(502, _l("The identity provider cannot be reached"),
                                   _l("Lekwijzer could not reach your organisation's identity provider."),
                                   _l("Try again in a few minutes. If it keeps happening, tell your "
                                      "organisation's administrator.")),
    "email_missing": Reason(403, _l("Your e-mail address is missing"),
                            _l("The identity provider did not tell Lekwijzer your e-mail address, which is "
                               "needed for your account."), _ADMIN, retry=False),
    "email_unverified": Reason(403, _l("Your e-mail address is not verified"),
                               _l("The identity provider says your e-mail address has not been verified."),
                               _ADMIN, retry=False),
    "email_domain_not_allowed": Reason(403, _l("This e-mail address is not allowed here"),
                                       _l("Your e-mail address is not in one of the domains this organisation "
                                          "allows for signing in."), _ADMIN, retry=False),
    "no_mapped_role": Reason(403, _l("You have no role in Lekwijzer"),
                             _l("You signed in at your organisation's identity provider, but none of your "
                                "groups or roles there gives you a role in Lekwijzer."),
                             _l("Ask your organisation's administrator to give you a role (for example by "
                                "adding you to the right group), then sign in again."), retry=False),
    "not_a_member": Reason(403, _l("You are not a member of this organisation in Lekwijzer"),
                           _l("This organisation does not create Lekwijzer accounts automatically, and you "
                              "have not been added as a member."), _ADMIN, retry=False),
    "account_conflict": Reason(403, _l("There is already an account with this e-mail address"),
                               _l("A Lekwijzer account with your e-mail address exists, but it is not a member "
                                  "of this organisation, so it cannot be linked to your sign-in here."),
                               _l("Ask this organisation's administrator to add that account as a member; "
                                  "then sign in again."), retry=False),
    "account_disabled": Reason(403, _l("Your account has been disabled"),
                               _l("Your Lekwijzer account has been disabled."), _ADMIN, retry=False),
}

UNKNOWN = Reason(400, _l("Signing in did not work"), _l("The sign-in could not be completed."), _AGAIN)


def reason(code: str) -> Reason:
    return REASONS.get(code, UNKNOWN)
