"""Vocabularies of the learning feature: stable English keys, labels as msgids."""
from __future__ import annotations

from lekwijzer.roles import N_

PLAN_SOURCE = {
    "pdca": N_("PDCA cycle (our own analysis)"),
    "external_investigation": N_("External investigation (e.g. COT)"),
    "ap_request": N_("Request or agreement with the AP"),
    "audit": N_("Audit (internal or external)"),
    "other": N_("Other"),
}

PLAN_STATUS = {
    "draft": N_("Draft"),
    "active": N_("In progress"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
}
OPEN_PLAN_STATUSES = ("draft", "active")

# Derived from a recommendation's measures, never stored.
RECOMMENDATION_STATUS = {
    "no_measures": N_("No measures yet"),
    "not_started": N_("Not started"),
    "in_progress": N_("In progress"),
    "completed": N_("Completed"),
}

VERDICT = {
    "worked": N_("Worked"),
    "did_not_work": N_("Did not work"),
    "too_early": N_("Too early to tell"),
}

POLICY_ADOPTER = {
    "board": N_("Board of directors (raad van bestuur)"),
    "management_team": N_("Management team"),
    "supervisory_board": N_("Supervisory board (raad van toezicht)"),
    "other": N_("Other"),
}

# Who takes the notification decision under the policy. The FG must not (AP, 2024).
POLICY_DECISION_ROLE = {
    "board": N_("The board"),
    "mandated_manager": N_("A manager mandated by the board"),
    "fg": N_("The data protection officer (FG)"),
    "not_specified": N_("Not specified in the policy"),
}

REVIEW_OUTCOME = {
    "unchanged": N_("Reviewed: still fit for purpose"),
    "revision_needed": N_("Reviewed: a new version is needed"),
}

POLICY_STATUS = {
    "none": N_("No reporting policy registered"),
    "current": N_("Up to date"),
    "review_due": N_("Review due soon"),
    "review_overdue": N_("Review date passed"),
    "stale": N_("Stale: not reviewed within the review interval"),
}

REPORTING_EVENT_KIND = {
    "awareness_campaign": N_("Awareness campaign"),
    "training": N_("Training or e-learning"),
    "new_reporting_channel": N_("New or easier way to report incidents"),
    "policy_communication": N_("Policy announced to staff"),
    "registration_change": N_("Change in how breaches are registered"),
    "other": N_("Other"),
}

REPORT_STATUS = {
    "queued": N_("Being prepared"),
    "ready": N_("Ready"),
}

SEVERITY_BANDS = ("low", "medium", "high", "very_high", "unassessed")
SEVERITY_BAND_LABEL = {
    "low": N_("Low"),
    "medium": N_("Medium"),
    "high": N_("High"),
    "very_high": N_("Very high"),
    "unassessed": N_("Not assessed"),
}

REPORTING_NOTE_REASON = {
    "policy": N_("a new version of the reporting policy was adopted"),
    "event": N_("a change in reporting was recorded (such as an awareness campaign or a new way to report)"),
    "intake": N_("reports of security incidents that were not personal-data breaches changed in the same "
                 "direction: people report more, or less, readily"),
}


def label(mapping: dict, key) -> str:
    """The translated label of a key, or the key itself for an unknown one."""
    from flask_babel import gettext

    value = mapping.get(key)
    if value is None:
        return str(key) if key is not None else "–"
    if isinstance(value, tuple):
        value = value[-1]
    return gettext(value)


def incident_type_label(key) -> str:
    """The register's label for a type of breach (translated in the register's catalogue)."""
    from tenants.register.enums import INCIDENT_TYPE

    return label(INCIDENT_TYPE, key)


def band_label(key) -> str:
    return label(SEVERITY_BAND_LABEL, key)


def template_helpers() -> dict:
    """Label functions for templates (pages, the PDF, the commissioner portal)."""
    from tenants.register.enums import MEASURE_KIND, MEASURE_STATUS

    from .figures import BANDS

    def fdate(value, fmt="medium"):
        from datetime import date, datetime

        from flask_babel import format_date

        if isinstance(value, str):
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        return format_date(value, fmt) if value else "–"

    def num(value, digits=1):
        from flask_babel import format_decimal

        if value is None:
            return "–"
        if isinstance(value, float):
            return format_decimal(round(value, digits), format="#,##0." + "0" * digits)
        return format_decimal(value)

    return {
        "num": num,
        "fdate": fdate,
        "type_label": incident_type_label,
        "band_label": band_label,
        "bands": BANDS,
        "reason_label": lambda key: label(REPORTING_NOTE_REASON, key),
        "measure_status_label": lambda key: label(MEASURE_STATUS, key),
        "measure_kind_label": lambda key: label(MEASURE_KIND, key),
        "plan_source_label": lambda key: label(PLAN_SOURCE, key),
        "plan_status_label": lambda key: label(PLAN_STATUS, key),
        "rec_status_label": lambda key: label(RECOMMENDATION_STATUS, key),
        "verdict_label": lambda key: label(VERDICT, key),
        "policy_status_label": lambda key: label(POLICY_STATUS, key),
        "adopter_label": lambda key: label(POLICY_ADOPTER, key),
        "decision_role_label": lambda key: label(POLICY_DECISION_ROLE, key),
        "review_outcome_label": lambda key: label(REVIEW_OUTCOME, key),
        "event_kind_label": lambda key: label(REPORTING_EVENT_KIND, key),
        "report_status_label": lambda key: label(REPORT_STATUS, key),
    }
