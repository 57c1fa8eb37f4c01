"""The register's validation rules (domain.md, "Validation rules" 1–16), in one place.

Each function checks one rule for one kind of input and returns `Errors` (field →
messages). The marshmallow schemas call them from `@validates_schema`, so the same rule
holds for the HTML form and for the API; views never re-implement a rule. Functions that
need the state of the breach (its notifications, decisions, measures) get it passed in.

Rule numbers refer to domain.md:
  1 time order · 2 the 72-hour rule · 3 awareness gap · 4 processor chain ·
  5 decision consistency · 6 Art. 34 and its exceptions · 7 communication content ·
  8 counts · 9 nature · 10 ENISA integrity · 11 the notification chain ·
  12 decision authority (FG advice) · 13 notifier contact · 14 closure (completeness.py) ·
  15 immutability (models.py) · 16 minimisation (minimisation.py: warnings only)
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from lekwijzer.db import utcnow

from . import clock

# Forms give minutes; clocks of people's computers drift. A timestamp up to this far
# ahead of the server's clock is still "now".
FUTURE_TOLERANCE = timedelta(minutes=5)
COMPLETE_NOTIFICATION = "complete"


class Errors(dict):
    def add(self, field: str, message) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def _later(a: datetime | None, b: datetime | None) -> bool:
    return bool(a and b and a > b)


# --- Rule 1: time order (and nothing in the future) ------------------------------------

def not_in_future(data: dict, fields, errors: Errors, now: datetime | None = None) -> None:
    limit = (now or utcnow()) + FUTURE_TOLERANCE
    for name in fields:
        value = data.get(name)
        if value is not None and value > limit:
            errors.add(name, _l("This moment lies in the future."))


def timeline(data: dict, breach) -> Errors:
    """Rules 1, 2, 3 and 4 for the timeline section."""
    errors = Errors()
    not_in_future(data, ("occurred_from", "occurred_until", "discovered_at", "processor_notified_controller_at",
                         "aware_at", "contained_at", "ended_at"), errors)
    occurred_from, occurred_until = data.get("occurred_from"), data.get("occurred_until")
    discovered, aware = data.get("discovered_at"), data.get("aware_at")
    mode = data.get("occurrence_mode")
    if mode in ("specific_day", "period", "ongoing") and not occurred_from:
        errors.add("occurred_from", _l("Give when the breach started (an estimate is fine: tick 'estimated')."))
    if mode == "period" and not occurred_until:
        errors.add("occurred_until", _l("Give when the breach ended, or choose 'since a date, still ongoing'."))
    if mode == "ongoing" and occurred_until:
        errors.add("occurred_until", _l("An ongoing breach has no end yet."))
    if _later(occurred_from, occurred_until):
        errors.add("occurred_until", _l("The breach cannot end before it started."))
    if _later(occurred_from, discovered):
        errors.add("discovered_at", _l("The breach cannot be discovered before it started."))
    if _later(discovered, aware):
        errors.add("aware_at", _l("The organisation cannot be aware before the breach was discovered."))
    if _later(discovered, data.get("processor_notified_controller_at")):
        errors.add("processor_notified_controller_at",
                   _l("The processor cannot have told us before the breach was discovered."))
    if _later(occurred_from, data.get("ended_at")):
        errors.add("ended_at", _l("The breach cannot end before it started."))
    if _later(occurred_from, data.get("contained_at")):
        errors.add("contained_at", _l("The breach cannot be contained before it started."))
    if breach is not None and aware:
        if _later(aware, breach.ap_notified_at):
            errors.add("aware_at", _l("The AP was notified before this moment; awareness cannot come after "
                                      "the notification."))
        if _later(aware, breach.subjects_informed_at):
            errors.add("aware_at", _l("The people affected were informed before this moment; awareness cannot "
                                      "come after that."))
        # Rule 2: a notification already sent becomes late with this awareness moment.
        if clock.notified_late(aware, breach.ap_notified_at) and not (data.get("delay_reason") or "").strip():
            errors.add("delay_reason", _l("The AP was notified more than 72 hours after awareness: give the "
                                          "reason for the delay."))
    # Rule 3: a long gap between detection and awareness needs its justification.
    if clock.awareness_gap_too_long(discovered, aware) and not (data.get("awareness_justification") or "").strip():
        errors.add("awareness_justification",
                   _l("More than 24 hours passed between discovery and awareness: explain what was "
                      "investigated in that time."))
    # Rule 4: a breach reported by a processor needs the moment the processor told us.
    if data.get("discovery_source") == "processor" and not data.get("processor_notified_controller_at"):
        errors.add("processor_notified_controller_at",
                   _l("The breach was discovered by a processor: give when the processor informed us."))
    return errors


def timeline_warnings(data: dict) -> list[str]:
    """Rule 4 (warning): once a processor has told us, we are in principle aware."""
    told, aware = data.get("processor_notified_controller_at"), data.get("aware_at")
    if told and aware and aware - told > timedelta(hours=1):
        return ["processor_awareness"]
    return []


# --- Rule 8: counts ----------------------------------------------------------------------

def counts(data: dict, breach, complete_notification_sent: bool) -> Errors:
    errors = Errors()
    mode = data.get("persons_count_mode")
    low, high = data.get("persons_min"), data.get("persons_max")
    if mode in ("exact", "approximate"):
        if low is None:
            errors.add("persons_min", _l("Give the lowest number of people affected."))
        if high is None:
            errors.add("persons_max", _l("Give the highest number of people affected."))
    if mode in ("cannot_determine", "tbd"):
        for name, value in (("persons_min", low), ("persons_max", high)):
            if value is not None:
                errors.add(name, _l("Leave the numbers empty when they cannot be determined (yet)."))
    if low is not None and high is not None and low > high:
        errors.add("persons_max", _l("The highest number cannot be lower than the lowest."))
    if mode == "exact" and low is not None and high is not None and low != high:
        errors.add("persons_max", _l("An exact count has the same lowest and highest number."))
    if mode == "tbd" and complete_notification_sent:
        errors.add("persons_count_mode", _l("'To be determined' is only possible while the AP notification is "
                                            "incomplete; a complete notification was sent."))
    return errors


def count_warnings(data: dict) -> list[str]:
    records, low = data.get("records_count"), data.get("persons_min")
    if records is not None and low is not None and records < low:
        return ["records_below_persons"]
    return []


# --- Rule 9: nature ----------------------------------------------------------------------

LEVEL_FIELDS = {"confidentiality": "confidentiality_level", "integrity": "integrity_level",
                "availability": "availability_level"}


def nature(data: dict) -> Errors:
    errors = Errors()
    chosen = data.get("nature") or []
    if not chosen:
        errors.add("nature", _l("Choose at least one: confidentiality, integrity or availability."))
    for element, field in LEVEL_FIELDS.items():
        if element in chosen and not data.get(field):
            errors.add(field, _l("Give the level for each element you chose."))
    return errors


def clear_unselected_levels(data: dict) -> dict:
    """An element that was not affected has no level (ENISA scores it 0)."""
    for element, field in LEVEL_FIELDS.items():
        if element not in (data.get("nature") or []):
            data[field] = None
    return data


# --- Rule 10: ENISA integrity (the inputs come from the breach, the choices from the form)

def assessment(data: dict, breach) -> tuple[Errors, object | None]:
    from . import severity

    errors = Errors()
    suggested = severity.suggested_malicious(breach.cause)
    malicious = data.get("malicious")
    if suggested is not None and malicious is not None and malicious != suggested \
            and not (data.get("malicious_reason") or "").strip():
        errors.add("malicious_reason", _l("This departs from the cause recorded under Facts: explain why."))
    if data.get("override_band") and not (data.get("override_reason") or "").strip():
        errors.add("override_reason", _l("A different level than the method's needs a written reason."))
    if (data.get("override_reason") or "").strip() and not data.get("override_band"):
        errors.add("override_band", _l("Choose the level you consider correct, or leave the reason empty."))
    result = None
    try:
        result = severity.assess(severity.Inputs(
            data_categories=tuple(breach.data_categories or ()),
            ease_of_identification=data.get("ease_of_identification"),
            nature=tuple(breach.nature or ()),
            confidentiality_level=breach.confidentiality_level,
            integrity_level=breach.integrity_level,
            availability_level=breach.availability_level,
            malicious=malicious,
            dpc_adjustment=data.get("dpc_adjustment") or 0,
            dpc_adjustment_reason=data.get("dpc_adjustment_reason"),
            persons_max=breach.persons_max,
            unintelligible=breach.unintelligible,
        ), breach.subject_categories or ())
    except severity.SeverityError as exc:
        errors.add(exc.field, _l(exc.message))
    return errors, result


# --- Rules 5 and 12: the decision to notify the AP ------------------------------------------

def notify_decision(data: dict, breach, advice) -> Errors:
    errors = Errors()
    outcome = data.get("choice") == "yes"
    if not outcome:
        if breach.risk_outcome != "unlikely_risk":
            errors.add("choice", _l("Not notifying is only possible when the current assessment says the breach "
                                    "is unlikely to result in a risk."))
        if breach.severity_score is not None and Decimal(breach.severity_score) >= 2 \
                and not (data.get("override_note") or "").strip():
            errors.add("override_note", _l("The ENISA score is 2 or higher: explain why the AP is not notified "
                                           "all the same."))
    fg_followed(data, advice, "advise_notify_ap", outcome, errors)
    return errors


def fg_followed(data: dict, advice, attribute: str, outcome: bool, errors: Errors) -> bool | None:
    """Rule 12: the FG's advice is recorded apart; departing from it needs a reason."""
    if advice is None:
        if not (data.get("no_fg_advice_reason") or "").strip():
            errors.add("no_fg_advice_reason", _l("The FG has not given advice on this breach: say why the "
                                                 "decision is taken without it."))
        return None
    advised = getattr(advice, attribute)
    followed = advised is None or advised == outcome
    if not followed and not (data.get("deviation_reason") or "").strip():
        errors.add("deviation_reason", _l("This decision departs from the FG's advice: give the reason."))
    return followed


# --- Rules 6 and 12: the decision about informing the people affected ------------------------

def inform_decision(data: dict, breach, advice, measures, now: datetime | None = None) -> Errors:
    errors = Errors()
    choice = data.get("choice")
    if choice == "not_required" and breach.risk_outcome not in ("unlikely_risk", "risk"):
        if breach.risk_outcome == "high_risk":
            errors.add("choice", _l("The assessment says high risk: the people affected must be informed, "
                                    "unless an Art. 34(3) exception applies."))
        else:
            errors.add("choice", _l("Assess the risk first: 'no high risk' needs an assessment that says so."))
    if choice == "exempt":
        ground = data.get("art34_ground")
        if not ground:
            errors.add("art34_ground", _l("Choose the Art. 34(3) ground."))
        if not (data.get("art34_justification") or "").strip():
            errors.add("art34_justification", _l("Explain why the exception applies."))
        if not (data.get("art34_evidence") or "").strip():
            errors.add("art34_evidence", _l("Say what evidence supports the exception and where it is kept."))
        if ground == "a_unintelligible":
            protected = set(breach.measures_in_place or ()) & {"data_encryption", "pseudonymisation"}
            if breach.unintelligible != "yes_intact" or not protected:
                errors.add("art34_ground", _l("Ground (a) needs data that were unintelligible with the protection "
                                              "intact, and encryption or pseudonymisation recorded under Facts."))
        if ground == "b_subsequent_measures":
            moment = now or utcnow()
            done = [m for m in measures if m.kind == "corrective" and m.done_at and m.done_at <= moment]
            if not done:
                errors.add("art34_ground", _l("Ground (b) needs at least one corrective measure that has been "
                                              "carried out."))
    if choice != "exempt":
        for name in ("art34_ground", "art34_justification", "art34_evidence"):
            data[name] = None
    if choice != "inform":
        data["planned_on"] = None
    fg_followed(data, advice, "advise_inform_subjects", choice == "inform", errors)
    return errors


# --- Rules 1, 2, 8, 11, 13: notifications to the AP --------------------------------------------

def ap_notification(data: dict, breach, notifications) -> Errors:
    errors = Errors()
    kind, submitted = data.get("kind"), data.get("submitted_at")
    not_in_future(data, ("submitted_at",), errors)
    if not breach.aware_at:
        errors.add("submitted_at", _l("Record when the organisation became aware (Timeline) first."))
    elif submitted and submitted < breach.aware_at:
        errors.add("submitted_at", _l("A notification cannot precede the moment the organisation became aware."))
    initial = next((n for n in notifications if n.kind == "initial"), None)
    if any(n.kind == "withdrawal" for n in notifications):
        errors.add("kind", _l("The notification was withdrawn; nothing can follow a withdrawal."))
    if kind in ("initial", "supplement") and not data.get("sub_type"):
        errors.add("sub_type", _l("Say whether the notification is complete or will be supplemented."))
    if kind == "initial":
        if initial is not None:
            errors.add("kind", _l("This breach already has an initial notification; add a supplement, an "
                                  "amendment or a withdrawal."))
        if breach.notify_ap is not True:
            errors.add("kind", _l("The decision to notify the AP has not been taken (by the board or a "
                                  "mandated manager)."))
        if submitted and clock.notified_late(breach.aware_at, submitted) \
                and not (data.get("delay_reason") or "").strip():
            errors.add("delay_reason", _l("This notification comes more than 72 hours after awareness: give the "
                                          "reason for the delay."))
    elif kind in ("supplement", "amendment", "withdrawal"):
        if initial is None:
            errors.add("kind", _l("Record the initial notification first."))
        else:
            if data.get("ap_reference") != initial.ap_reference:
                errors.add("ap_reference", _l("A follow-up refers to the AP's reference of the initial "
                                              "notification (%(reference)s).", reference=initial.ap_reference))
            if submitted and submitted < initial.submitted_at:
                errors.add("submitted_at", _l("A follow-up cannot precede the initial notification."))
    if kind == "withdrawal":
        if not data.get("withdrawal_reason"):
            errors.add("withdrawal_reason", _l("Choose why the notification is withdrawn."))
        if not (data.get("withdrawal_text") or "").strip():
            errors.add("withdrawal_text", _l("Explain the withdrawal."))
    if data.get("sub_type") == COMPLETE_NOTIFICATION and breach.persons_count_mode == "tbd":
        errors.add("sub_type", _l("The number of people is still 'to be determined': send an incomplete "
                                  "notification and supplement it later."))
    return errors


def followup_open(notifications) -> bool:
    """Rule 11: an incomplete initial keeps a task open until a complete supplement or withdrawal."""
    initial = next((n for n in notifications if n.kind == "initial"), None)
    if initial is None or initial.sub_type != "incomplete":
        return False
    return not any((n.kind == "supplement" and n.sub_type == COMPLETE_NOTIFICATION) or n.kind == "withdrawal"
                   for n in notifications)


# --- Rules 1 and 7: communication to the people affected ---------------------------------------

def communication(data: dict, breach) -> Errors:
    errors = Errors()
    not_in_future(data, ("sent_at",), errors)
    if breach.aware_at and data.get("sent_at") and data["sent_at"] < breach.aware_at:
        errors.add("sent_at", _l("People cannot be informed before the organisation was aware."))
    for name, message in (
            ("covers_contact_point", _l("The message must name a contact point (Art. 34(2)).")),
            ("covers_consequences", _l("The message must describe the likely consequences (Art. 34(2)).")),
            ("covers_measures", _l("The message must describe the measures taken or proposed (Art. 34(2))."))):
        if not data.get(name):
            errors.add(name, message)
    minors = "child_client" in (breach.subject_categories or ())
    if minors and data.get("channel") == "individual" and not data.get("to_legal_representatives"):
        errors.add("to_legal_representatives", _l("Children are affected: their legal representatives (parents "
                                                  "with authority or guardian) must be informed as well."))
    return errors


def communication_warnings(data: dict) -> list[str]:
    return ["guardian_conflict"] if data.get("institution_is_guardian") else []


# --- Incident intake and triage ---------------------------------------------------------------

def incident(data: dict) -> Errors:
    errors = Errors()
    not_in_future(data, ("occurred_at", "noticed_at"), errors)
    if _later(data.get("occurred_at"), data.get("noticed_at")):
        errors.add("noticed_at", _l("You cannot have noticed it before it happened."))
    return errors


def triage(data: dict, incident) -> Errors:
    errors = Errors()
    if data.get("outcome") == "not_breach":
        if not (data.get("reason") or "").strip():
            errors.add("reason", _l("Say why this is not a personal-data breach."))
        return errors
    if not (data.get("title") or "").strip():
        errors.add("title", _l("Give the breach a short title (no names)."))
    aware = data.get("aware_at")
    if not aware:
        errors.add("aware_at", _l("Give when the organisation became aware: the 72-hour clock starts then."))
        return errors
    not_in_future(data, ("aware_at",), errors)
    if incident is not None and _later(incident.noticed_at, aware):
        errors.add("aware_at", _l("The organisation cannot be aware before the incident was noticed."))
    if incident is not None and clock.awareness_gap_too_long(incident.noticed_at, aware) \
            and not (data.get("awareness_justification") or "").strip():
        errors.add("awareness_justification",
                   _l("More than 24 hours passed between discovery and awareness: explain what was "
                      "investigated in that time."))
    return errors


# --- Measures and mandates ------------------------------------------------------------------------

def measure(data: dict) -> Errors:
    errors = Errors()
    not_in_future(data, ("done_at",), errors)
    if data.get("status") == "done" and not data.get("done_at"):
        data["done_at"] = utcnow()
    if data.get("status") != "done":
        data["done_at"] = None  # only an implemented measure has a completion date
    return errors


def mandate(data: dict, grantee_roles) -> Errors:
    errors = Errors()
    if grantee_roles is None:
        errors.add("grantee_id", _l("Choose a member of this organisation."))
    elif "fg" in grantee_roles:
        errors.add("grantee_id", _l("The FG advises and supervises; the FG cannot take notification decisions, "
                                    "also not on a mandate."))
    elif "board" in grantee_roles:
        errors.add("grantee_id", _l("Board members decide themselves; a mandate is for a manager."))
    if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
        errors.add("valid_until", _l("The mandate cannot end before it starts."))
    return errors
