"""The AP notification sheet: the register entry in the order of the AP's online form
(Meldformulier datalekken, sections 0–9; domain.md §2b), to copy from field by field.

There is no AP API: a privacy officer fills in the AP's form by hand. The sheet puts
every answer in the form's order. When a notification is recorded, `payload` freezes the
sheet's values (codes, ISO dates and texts, language-neutral) on the ApNotification, and
`render` shows a frozen payload again with labels in the reader's language: what was
sent stays readable exactly as it was, whatever changes in the register afterwards.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_datetime, gettext, lazy_gettext as _l

from lekwijzer.roles import N_

from . import enums

# (section number, title) and per section: (key, label, kind). Kinds say how a stored
# value is shown: text, datetime, date, bool, int, or the name of an enums mapping.
SECTIONS = [
    (0, N_("About this notification"), [
        ("regulation", N_("Under which legislation do you notify?"), "text"),
        ("notification_kind", N_("New notification or follow-up"), "AP_NOTIFICATION_KIND"),
        ("sub_type", N_("Complete, or to be supplemented"), "AP_SUB_TYPE"),
        ("previous_reference", N_("The AP's reference of the earlier notification"), "text"),
        ("internal_reference", N_("Our internal reference"), "text"),
    ]),
    (1, N_("Contact details and general information"), [
        ("organisation", N_("Organisation"), "text"),
        ("kvk", N_("Chamber of Commerce number"), "text"),
        ("notifier_name", N_("Notified by: name"), "text"),
        ("notifier_function", N_("Notified by: function"), "text"),
        ("notifier_phone", N_("Notified by: telephone"), "text"),
        ("notifier_email", N_("Notified by: e-mail (optional)"), "text"),
        ("other_parties", N_("Was another organisation involved in the breach?"), "parties"),
    ]),
    (2, N_("Timeline"), [
        ("occurrence_mode", N_("When did the breach happen?"), "OCCURRENCE_MODE"),
        ("occurred_from", N_("Start"), "datetime"),
        ("occurred_until", N_("End"), "datetime"),
        ("ongoing", N_("Is the breach still going on?"), "bool"),
        ("dates_estimated", N_("Are the dates estimates?"), "bool"),
        ("discovered_at", N_("When was the breach discovered?"), "datetime"),
        ("discovery_source", N_("Who discovered it?"), "DISCOVERY_SOURCE"),
        ("processor_notified_controller_at", N_("When did the processor inform us?"), "datetime"),
        ("aware_at", N_("When did we become aware (start of the 72 hours)?"), "datetime"),
        ("delay_reason", N_("Reason for notifying after more than 72 hours"), "text"),
    ]),
    (3, N_("About the breach"), [
        ("summary", N_("Summary of the incident"), "text"),
        ("incident_type", N_("Nature of the incident"), "INCIDENT_TYPE"),
        ("cause", N_("Cause"), "CAUSE"),
        ("nature", N_("Which security aspects were breached?"), "NATURE"),
        ("confidentiality_level", N_("Confidentiality"), "CONFIDENTIALITY_LEVEL"),
        ("integrity_level", N_("Integrity"), "INTEGRITY_LEVEL"),
        ("availability_level", N_("Availability"), "AVAILABILITY_LEVEL"),
    ]),
    (4, N_("Personal data"), [
        ("data_ordinary", N_("Personal data in general"), "DATA_CATEGORY"),
        ("data_special", N_("Special categories and criminal-law data"), "DATA_CATEGORY"),
        ("records_count", N_("Approximately how many data records were affected?"), "int"),
    ]),
    (5, N_("The people affected"), [
        ("subject_categories", N_("Which groups of people?"), "SUBJECT_CATEGORY"),
        ("persons_count_mode", N_("How the number is known"), "COUNT_MODE"),
        ("persons_min", N_("Minimum number of people"), "int"),
        ("persons_max", N_("Maximum number of people"), "int"),
    ]),
    (6, N_("Measures in place before the breach"), [
        ("unintelligible", N_("Were the data encrypted, hashed or otherwise unintelligible to unauthorised "
                              "people?"), "UNINTELLIGIBLE"),
        ("measures_in_place", N_("Security measures in place"), "MEASURES_IN_PLACE"),
    ]),
    (7, N_("Consequences"), [
        ("consequences", N_("Consequences for the people affected"), "text"),
        ("impacts", N_("Possible damage"), "IMPACT"),
        ("impact_severity", N_("Estimated severity of the possible consequences"), "IMPACT_SEVERITY"),
        ("risk_outcome", N_("Risk for the people affected (our assessment)"), "RISK_OUTCOME"),
        ("risk_reasoning", N_("Reasoning"), "text"),
        ("severity", N_("Severity by the ENISA method"), "severity"),
    ]),
    (8, N_("Follow-up"), [
        ("subject_communication_status", N_("Have you informed the people affected, or will you?"),
         "SUBJECT_COMMUNICATION_STATUS"),
        ("subjects_informed_at", N_("When were they informed?"), "datetime"),
        ("subjects_planned_on", N_("When will they be informed?"), "date"),
        ("inform_reasoning", N_("Why (not) informed"), "text"),
        ("art34_ground", N_("Art. 34(3) exception"), "ART34_GROUND"),
        ("communication_channels", N_("How were they informed?"), "CHANNEL"),
        ("corrective_measures", N_("Measures taken to address the breach"), "text"),
        ("preventive_measures", N_("Measures to prevent it happening again"), "text"),
        ("cross_border", N_("Cross-border processing?"), "bool"),
        ("reported_to_police", N_("Reported to the police?"), "bool"),
        ("other_authorities", N_("Other authorities informed"), "text"),
    ]),
    (9, N_("Other"), [
        ("ended_how", N_("Has the breach ended, and how?"), "text"),
        ("prevention_notes", N_("Lessons learned"), "text"),
    ]),
]


def _iso(value):
    return value.isoformat() if isinstance(value, (datetime, date)) else value


def payload(breach, record, org, notification: dict | None = None) -> dict:
    """The sheet's values, language-neutral, keyed by section number and field key."""
    notification = notification or {}
    last = record.notifications[-1] if record.notifications else None
    initial = record.initial
    inform = record.current_decision("inform_subjects")
    categories = list(breach.data_categories or [])
    special = [c for c in categories if enums.DATA_CATEGORY[c][0] in ("special_art9", "criminal_art10")]
    assessment = record.assessment
    values = {
        "regulation": "AVG",
        "notification_kind": notification.get("kind") or ("supplement" if initial else "initial"),
        "sub_type": notification.get("sub_type"),
        "previous_reference": initial.ap_reference if initial and notification.get("kind") != "initial" else None,
        "internal_reference": breach.reference,
        "organisation": org.name,
        "kvk": org.kvk,
        "notifier_name": notification.get("notifier_name") or (last.notifier_name if last else None),
        "notifier_function": notification.get("notifier_function") or (last.notifier_function if last else None),
        "notifier_phone": notification.get("notifier_phone") or (last.notifier_phone if last else None),
        "notifier_email": notification.get("notifier_email") or (last.notifier_email if last else None),
        "other_parties": [[p.name, p.role] for p in record.parties],
        "occurrence_mode": breach.occurrence_mode,
        "occurred_from": breach.occurred_from,
        "occurred_until": breach.occurred_until,
        "ongoing": breach.occurrence_mode == "ongoing" and not breach.ended_at,
        "dates_estimated": breach.dates_estimated,
        "discovered_at": breach.discovered_at,
        "discovery_source": breach.discovery_source,
        "processor_notified_controller_at": breach.processor_notified_controller_at,
        "aware_at": breach.aware_at,
        "delay_reason": notification.get("delay_reason") or breach.delay_reason,
        "summary": breach.what_happened,
        "incident_type": breach.incident_type,
        "cause": breach.cause,
        "nature": list(breach.nature or []),
        "confidentiality_level": breach.confidentiality_level,
        "integrity_level": breach.integrity_level,
        "availability_level": breach.availability_level,
        "data_ordinary": [c for c in categories if c not in special],
        "data_special": special,
        "records_count": breach.records_count,
        "subject_categories": list(breach.subject_categories or []),
        "persons_count_mode": breach.persons_count_mode,
        "persons_min": breach.persons_min,
        "persons_max": breach.persons_max,
        "unintelligible": breach.unintelligible,
        "measures_in_place": list(breach.measures_in_place or []),
        "consequences": breach.consequences,
        "impacts": list(breach.impacts or []),
        "impact_severity": breach.impact_severity,
        "risk_outcome": assessment.risk_outcome if assessment else None,
        "risk_reasoning": assessment.risk_reasoning if assessment else None,
        "severity": [assessment.formula, assessment.override_band or assessment.band] if assessment else None,
        "subject_communication_status": breach.subject_communication_status,
        "subjects_informed_at": breach.subjects_informed_at,
        "subjects_planned_on": breach.subjects_planned_on,
        "inform_reasoning": inform.reasoning if inform else None,
        "art34_ground": inform.art34_ground if inform else None,
        "communication_channels": sorted({c.channel for c in record.communications}),
        "corrective_measures": "; ".join(m.title for m in record.measures if m.kind == "corrective") or None,
        "preventive_measures": "; ".join(m.title for m in record.measures if m.kind == "preventive") or None,
        "cross_border": breach.cross_border,
        "reported_to_police": breach.reported_to_police,
        "other_authorities": breach.other_authorities,
        "ended_how": breach.ended_how,
        "prevention_notes": breach.prevention_notes,
    }
    return {str(number): {key: _iso(values.get(key)) for key, _label, _kind in fields}
            for number, _title, fields in SECTIONS}


def _show(value, kind: str) -> str:
    if value is None or value == [] or value == "":
        return "–"
    if kind == "bool":
        return gettext("Yes") if value else gettext("No")
    if kind == "datetime":
        return format_datetime(datetime.fromisoformat(value) if isinstance(value, str) else value, "medium")
    if kind == "date":
        return format_date(date.fromisoformat(value) if isinstance(value, str) else value, "long")
    if kind in ("text", "int"):
        return str(value)
    if kind == "severity":
        from flask_babel import get_locale

        formula, band = value
        if str(get_locale()).startswith("nl"):
            formula = formula.replace(".", ",")
        return f"{formula} ({gettext(enums.ENISA_BAND.get(band, band))})"
    if kind == "parties":
        return "; ".join(f"{name} ({gettext(enums.PARTY_ROLE.get(role, role))})" for name, role in value)
    mapping = getattr(enums, kind)

    def label(key):
        msgid = enums.label_of(mapping, key)
        return gettext(msgid) if msgid else str(key)

    if isinstance(value, list):
        return "; ".join(label(v) for v in value)
    return label(value)


def render(frozen: dict) -> list[dict]:
    """Sections with translated labels and shown values, from a payload."""
    out = []
    for number, title, fields in SECTIONS:
        values = frozen.get(str(number), {})
        out.append({
            "number": number, "title": gettext(title),
            "rows": [{"key": key, "label": gettext(label), "value": _show(values.get(key), kind)}
                     for key, label, kind in fields],
        })
    return out


LABEL = _l("AP notification sheet")
