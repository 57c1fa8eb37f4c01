"""Domain watch vocabularies: stable English keys, labels as msgids (Dutch in the catalogue)."""
from __future__ import annotations

from lekwijzer.roles import N_

STATE = {
    "current": N_("In use"),
    "retired": N_("Retired"),
}

FINDING = {
    "registration_changed": N_("No longer registered to the organisation"),
    "expiring": N_("Registration expires or lapses soon"),
    "ns_unlisted": N_("Name servers changed to hosts you do not list"),
    "mx_unlisted": N_("Mail servers changed to hosts you do not list"),
    "disappeared": N_("Domain no longer exists"),
    "check_unknown": N_("Check could not be completed (status unknown)"),
}

# Most urgent first: lists and pages show findings in this order.
SEVERITY = ["registration_changed", "disappeared", "mx_unlisted", "expiring", "ns_unlisted", "check_unknown"]

# What each finding means and what to do; shown on the domain page.
FINDING_ADVICE = {
    "registration_changed": N_(
        "The registry shows a different registration than the one you hold: another registrar, "
        "another registrant, or a registration made after you retired the domain. Whoever holds it "
        "can receive every e-mail still sent to it. Contact your registrar at once; if the "
        "registration is yours after all, confirm it on this page."),
    "expiring": N_(
        "The registration ends soon or is already being cancelled. When a retired domain lapses, "
        "anyone can register it and receive the mail still sent to it. Renew it, or make sure "
        "nothing sends mail to it before you let it go."),
    "ns_unlisted": N_(
        "The domain is served by name servers you have not listed. Whoever runs them decides where "
        "mail and web traffic for the domain go. Check with your registrar or IT supplier; if the "
        "change was intended, add the new name servers to the domain."),
    "mx_unlisted": N_(
        "Mail for this domain goes to servers you have not listed. For a retired domain this is how "
        "the SVMN breach happened: a catch-all mailbox collected every message. Check at once who "
        "runs these servers; if the change was intended, add them to the domain. A retired domain you keep "
        "should publish a null MX record (MX 0 .), so that no server accepts mail for it."),
    "disappeared": N_(
        "DNS or the registry no longer knows this domain. A domain that is free can be registered "
        "by anyone, who then receives its mail. Register it again or confirm with your registrar "
        "that it is on hold for you."),
    "check_unknown": N_(
        "DNS or the registry did not answer in time, so Lekwijzer cannot say that this domain is "
        "fine. The check is repeated automatically; if this stays, check the domain yourself."),
}

OUTCOME = {
    "ok": N_("No findings"),
    "findings": N_("Findings"),
    "unknown": N_("Unknown"),
}

DNS_STATUS = {
    "ok": N_("Answered"),
    "nxdomain": N_("Does not exist (NXDOMAIN)"),
    "timeout": N_("No answer in time"),
    "error": N_("Error"),
    "unknown": N_("Not checked"),
}

RDAP_STATUS = {
    "ok": N_("Answered"),
    "not_found": N_("Not registered (404)"),
    "timeout": N_("No answer in time"),
    "error": N_("Error"),
    "no_service": N_("No registry service known for this extension"),
    "unknown": N_("Not checked"),
}

MAIL = {
    "mx": N_("Can receive mail (MX records)"),
    "implicit": N_("Can receive mail (no MX, but an address record mail falls back to)"),
    "null_mx": N_("Refuses all mail (null MX)"),
    "none": N_("Cannot receive mail (no MX or address records)"),
}

PROBE = {
    "accepts_random": N_("A mail server accepted a made-up address: probably a catch-all"),
    "rejects_random": N_("A mail server refused a made-up address"),
    "no_answer": N_("No mail server could be reached"),
}

# RDAP status values (RFC 8056 mapping of EPP statuses) that mean the registration is
# ending: in redemption/quarantine or about to be deleted.
LAPSING_STATUSES = {"redemption period", "pending delete", "pending restore"}
