"""Codes of the supervision relationship and their labels (English msgids, Dutch in the catalogue).

Both the regulator and the institution show these; keys never change, labels may.
"""
from __future__ import annotations

from lekwijzer.roles import N_
from tenants.register.enums import AP_NOTIFICATION_KIND, INCIDENT_TYPE

# The register's vocabularies the regulator validates its intake against (keys only matter).
NOTIFICATION_KINDS = tuple(AP_NOTIFICATION_KIND)
INCIDENT_TYPES = tuple(INCIDENT_TYPE)

# Reconciliation findings (domain.md "AP supervisory reconciliation") and register quality.
FINDING_KIND = {
    "matched": N_("Matched"),
    "register_says_notified_but_ap_missing": N_("Register says notified, but the AP has no such notification"),
    "ap_received_but_not_in_register": N_("Received by the AP, but not in the register"),
    "register_notify_yes_never_sent": N_("Decided to notify, but never sent"),
    "late_without_reason": N_("Notified late without a recorded reason"),
    "high_risk_without_subject_communication": N_("High risk, but the people affected were not informed"),
    "field_mismatch": N_("Register and notification differ"),
    "withdrawn": N_("Notification withdrawn"),
    "incomplete_entry": N_("Register entry incomplete"),
    "description_too_short": N_("Description too short to be useful"),
    "risk_without_reasoning": N_("Risk level without reasoning"),
    "breach_not_ended": N_("Breach not recorded as ended"),
    "missing_corrective_measures": N_("No corrective measures recorded"),
    "policy_stale": N_("Reporting policy past its review date"),
    "policy_fg_decides": N_("Policy lets the FG decide on notification"),
    "no_board_report": N_("No board report in the last six months"),
    "under_reporting": N_("Few notifications for the institution's size (lowest decile)"),
}
# Findings that are information, not a gap to explain.
INFORMATIONAL = {"matched", "withdrawn"}
RECONCILIATION_KINDS = ("matched", "register_says_notified_but_ap_missing", "ap_received_but_not_in_register",
                        "register_notify_yes_never_sent", "late_without_reason",
                        "high_risk_without_subject_communication", "field_mismatch", "withdrawn")
QUALITY_KINDS = ("incomplete_entry", "description_too_short", "risk_without_reasoning", "breach_not_ended",
                 "missing_corrective_measures", "policy_stale", "policy_fg_decides", "no_board_report",
                 "under_reporting")

FINDING_STATUS = {"new": N_("New"), "open": N_("Still open"), "resolved": N_("Resolved")}

MATCH_METHOD = {
    "reference": N_("By the AP's reference"),
    "time_window": N_("By organisation and time of notification (within 24 hours)"),
    "awareness_type": N_("By organisation, moment of awareness (within 48 hours) and type"),
}

DETAIL = {
    # field_mismatch
    "reference": N_("the AP reference differs or is missing in the register"),
    "notification_not_in_register": N_("the register does not record this notification"),
    "incident_type": N_("the type of incident differs"),
    "persons_count": N_("the number of people affected is outside the register's range"),
    "aware_at": N_("the moment of awareness differs by more than 48 hours"),
    # withdrawn
    "recorded": N_("the register records the withdrawal"),
    "not_in_register": N_("the register does not record the withdrawal"),
    "not_matched": N_("no register entry matches"),
    # under_reporting
    "employees": N_("per 100 employees"),
    "clients": N_("per 1,000 clients"),
    "employees,clients": N_("per 100 employees and per 1,000 clients"),
}

# Parts of a register entry (tenants.oversight.quality.PARTS).
PART = {
    "facts": N_("What happened"),
    "cause": N_("Cause"),
    "data_categories": N_("Kinds of personal data"),
    "subject_categories": N_("Groups of people affected"),
    "persons": N_("Number of people affected"),
    "consequences": N_("Consequences"),
    "risk": N_("Risk level"),
    "corrective_measure": N_("Corrective measures"),
    "decision": N_("Decision on notifying the AP"),
    "subject_communication": N_("Informing the people affected"),
    "delay_reason": N_("Reason for the late notification"),
    "no_notification_reasoning": N_("Reasoning for not notifying"),
}

# How an institution answers a finding. The regulator sees the code, never a note.
RESPONSE_CODE = {
    "corrected_in_register": N_("We have corrected the register"),
    "will_correct": N_("We will correct the register"),
    "notified_by_other_party": N_("Notified by another party on our behalf"),
    "duplicate_at_ap": N_("Duplicate notification at the AP"),
    "not_our_notification": N_("This notification is not ours"),
    "reason_on_file": N_("The reason is on file; we will add it to the register"),
    "disagree": N_("We think this finding is not correct"),
    "other": N_("Other explanation (available on request)"),
}

REQUEST_STATUS = {
    "requested": N_("Requested"),
    "preparing": N_("Export being prepared"),
    "ready": N_("Export ready for review"),
    "released": N_("Released to the AP"),
    "declined": N_("Declined"),
}
LEGAL_BASIS = {
    "art58_1_a": N_("Art. 58(1)(a) GDPR: order to provide information"),
    "art58_1_e": N_("Art. 58(1)(e) GDPR: access to all personal data and information"),
    "awb_5_16": N_("Art. 5:16 Awb: request for information"),
}
DECLINE_REASON = {
    "wrong_institution": N_("The request is addressed to the wrong institution"),
    "no_legal_basis": N_("The legal basis is not clear; we have contacted the AP"),
    "sent_another_way": N_("Provided to the AP another way"),
}
FILE_FORMAT = {"csv": "CSV", "xlsx": "Excel (XLSX)"}


def label(mapping: dict, key) -> str:
    from flask_babel import gettext

    text = mapping.get(key)
    return gettext(text) if text else (key or "–")
