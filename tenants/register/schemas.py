"""One marshmallow schema per input: the HTML forms (`load_form`) and the API
(`@blp.arguments`) load the same classes, so every rule (rules.py) holds for both.

Schemas that check an input against the state of a breach or an incident find that
object through the URL of the request (`breach_id`, `incident_id`), or get it passed
(`Schema(breach=…)`, for use outside a request). Instances are shared between requests
by flask-smorest, so nothing request-specific is ever stored on them.
"""
from __future__ import annotations

from datetime import timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates, validates_schema

from lekwijzer.db import db
from lekwijzer.edge import get_or_404

from . import enums, rules
from .models import ApNotification, Breach, Incident, Measure, ProcessingActivity

LOCAL = ZoneInfo("Europe/Amsterdam")
CHOOSE = _l("Choose one of the options.")
TEXT_MAX = 20000


class LocalDateTime(fields.DateTime):
    """ISO 8601 date-time. Without an offset (an HTML datetime-local field) it is read as
    Dutch time (Europe/Amsterdam, summer time included); stored as UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and len(value) == 16 and value[10] == "T":
            value = value + ":00"  # datetime-local gives minutes only
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=LOCAL)
        return parsed.astimezone(timezone.utc)


def code(mapping, **kw):
    _optional(kw)
    return fields.String(validate=validate.OneOf(list(mapping), error=CHOOSE), **kw)


def codes(mapping, **kw):
    if not kw.get("required"):
        kw.setdefault("load_default", list)
    return fields.List(fields.String(validate=validate.OneOf(list(mapping), error=CHOOSE)), **kw)


def _optional(kw: dict) -> dict:
    """Optional fields left out of an API body mean "no value", as an emptied form field
    does: a section is always sent whole."""
    if not kw.get("required") and kw.get("allow_none"):
        kw.setdefault("load_default", None)
    return kw


def text(required=False, max_length=TEXT_MAX, **kw):
    kw.setdefault("allow_none", not required)
    kw["required"] = required
    _optional(kw)
    kw.pop("required")
    return fields.String(required=required, validate=validate.Length(max=max_length), **kw)


def required_text(min_length=1, max_length=TEXT_MAX, **kw):
    return fields.String(required=True, validate=validate.Length(
        min=min_length, max=max_length,
        error=_l("Write at least %(min)s characters.", min=min_length) if min_length > 1 else None), **kw)


def when(**kw):
    return LocalDateTime(allow_none=True, load_default=None, **kw)


class Bound(Schema):
    """A schema that checks input against the breach (or incident) named in the URL."""

    def __init__(self, *args, breach=None, incident=None, **kw):
        super().__init__(*args, **kw)
        self._breach, self._incident = breach, incident

    def _from_url(self, model, key):
        if has_request_context():
            value = (request.view_args or {}).get(key)
            if value is not None:
                return get_or_404(model, value)
        return None

    @property
    def breach(self) -> Breach | None:
        return self._breach if self._breach is not None else self._from_url(Breach, "breach_id")

    @property
    def incident(self) -> Incident | None:
        return self._incident if self._incident is not None else self._from_url(Incident, "incident_id")


def _activity_exists(value) -> None:
    if value is not None and db.session.get(ProcessingActivity, (_tenant(), value)) is None:
        raise ValidationError(_l("Choose an activity from the processing register."))


def _tenant():
    from lekwijzer.tenancy import current_tenant_id

    return current_tenant_id()


# --- Incident intake and triage -------------------------------------------------------------------

class IncidentReportSchema(Schema):
    what_happened = required_text(min_length=10, max_length=5000,
                                  metadata={"description": "What happened, without names or numbers of people"})
    occurred_at = when(metadata={"description": "When it happened (if known)"})
    noticed_at = LocalDateTime(required=True, metadata={"description": "When it was noticed"})
    information_kind = text(max_length=2000)
    people_estimate = code(enums.PEOPLE_ESTIMATE, allow_none=True)
    actions_taken = text(max_length=5000)
    send_anyway = fields.Boolean(load_default=False, load_only=True,
                                 metadata={"description": "Forms: send despite data-minimisation warnings"})

    @validates_schema
    def _rules(self, data, **kw):
        rules.incident(data).raise_if_any()


class TriageSchema(Bound):
    outcome = code(enums.TRIAGE_OUTCOME, required=True)
    reason = text(max_length=5000)
    title = text(max_length=200)
    aware_at = when()
    awareness_justification = text()
    processing_activity_id = fields.UUID(allow_none=True, load_default=None)
    incident_type = code(enums.INCIDENT_TYPE, allow_none=True)

    @validates("processing_activity_id")
    def _activity(self, value, **kw):
        _activity_exists(value)

    @validates_schema
    def _rules(self, data, **kw):
        rules.triage(data, self.incident).raise_if_any()


# --- The register entry, by section ------------------------------------------------------------------

class FactsSchema(Bound):
    title = required_text(max_length=200)
    processing_activity_id = fields.UUID(allow_none=True, load_default=None)
    incident_type = code(enums.INCIDENT_TYPE, required=True)
    cause = code(enums.CAUSE, required=True)
    cause_description = text()
    what_happened = required_text(min_length=10)
    nature = codes(enums.NATURE, required=True)
    confidentiality_level = code(enums.CONFIDENTIALITY_LEVEL, allow_none=True)
    integrity_level = code(enums.INTEGRITY_LEVEL, allow_none=True)
    availability_level = code(enums.AVAILABILITY_LEVEL, allow_none=True)
    unintelligible = code(enums.UNINTELLIGIBLE, allow_none=True)
    measures_in_place = codes(enums.MEASURES_IN_PLACE, load_default=list)

    @validates("processing_activity_id")
    def _activity(self, value, **kw):
        _activity_exists(value)

    @validates_schema
    def _rules(self, data, **kw):
        rules.nature(data).raise_if_any()  # rule 9

    @post_load
    def _levels(self, data, **kw):
        return rules.clear_unselected_levels(data)


class PeopleSchema(Bound):
    subject_categories = codes(enums.SUBJECT_CATEGORY, required=True, validate=validate.Length(
        min=1, error=_l("Choose at least one group (or 'not yet known').")))
    data_categories = codes(enums.DATA_CATEGORY, required=True, validate=validate.Length(
        min=1, error=_l("Choose at least one kind (or 'not yet known').")))
    persons_count_mode = code(enums.COUNT_MODE, required=True)
    persons_min = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0, error=_l("Not below 0.")))
    persons_max = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0, error=_l("Not below 0.")))
    records_count = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0, error=_l("Not below 0.")))

    @validates_schema
    def _rules(self, data, **kw):
        breach = self.breach
        complete = False
        if breach is not None:
            complete = db.session.scalar(sa.select(sa.func.count()).select_from(ApNotification).where(
                ApNotification.breach_id == breach.id, ApNotification.sub_type == "complete")) > 0
        rules.counts(data, breach, complete).raise_if_any()  # rule 8


class TimelineSchema(Bound):
    occurrence_mode = code(enums.OCCURRENCE_MODE, required=True)
    occurred_from = when()
    occurred_until = when()
    dates_estimated = fields.Boolean(load_default=False)
    discovery_source = code(enums.DISCOVERY_SOURCE, required=True)
    discovered_at = LocalDateTime(required=True)
    processor_notified_controller_at = when()
    aware_at = LocalDateTime(required=True)
    awareness_justification = text()
    contained_at = when()
    ended_at = when()
    delay_reason = text()

    @validates_schema
    def _rules(self, data, **kw):
        rules.timeline(data, self.breach).raise_if_any()  # rules 1-4


class ConsequencesSchema(Bound):
    consequences = required_text(min_length=10)
    impacts = codes(enums.IMPACT, load_default=list)
    impact_severity = code(enums.IMPACT_SEVERITY, allow_none=True)
    ended_how = text()
    no_corrective_measures_reason = text()
    reported_to_police = fields.Boolean(allow_none=True, load_default=None)
    other_authorities = text(max_length=2000)
    cross_border = fields.Boolean(load_default=False)


class PreventionSchema(Bound):
    prevention_notes = required_text(min_length=10)


SECTION_SCHEMAS = {"facts": FactsSchema, "people": PeopleSchema, "timeline": TimelineSchema,
                   "consequences": ConsequencesSchema, "prevention": PreventionSchema}


class PartySchema(Schema):
    role = code(enums.PARTY_ROLE, required=True)
    name = required_text(max_length=200, metadata={"description": "The organisation, not a person"})
    notified_controller_at = when()
    note = text(max_length=5000)

    @validates_schema
    def _rules(self, data, **kw):
        errors = rules.Errors()
        rules.not_in_future(data, ("notified_controller_at",), errors)
        errors.raise_if_any()


# --- Severity and risk ----------------------------------------------------------------------------------

class AssessmentSchema(Bound):
    dpc_adjustment = fields.Integer(load_default=0, validate=validate.Range(
        min=-3, max=3, error=_l("The adjustment lies between −3 and +3.")))
    dpc_adjustment_reason = text()
    ease_of_identification = fields.Decimal(required=True, metadata={"enum": ["0.25", "0.5", "0.75", "1"]})
    malicious = fields.Boolean(required=True)
    malicious_reason = text()
    override_band = code(enums.ENISA_BAND, allow_none=True)
    override_reason = text()
    risk_outcome = code(enums.RISK_OUTCOME, required=True)
    risk_reasoning = required_text(min_length=10,
                                   metadata={"description": "Why this risk outcome: the risk always has its reasons"})

    @validates_schema
    def _rules(self, data, **kw):
        errors, _result = rules.assessment(data, self.breach)  # rule 10
        errors.raise_if_any()


# --- FG advice and decisions ---------------------------------------------------------------------------

class FgAdviceSchema(Bound):
    advise_notify_ap = fields.Boolean(required=True)
    advise_inform_subjects = fields.Boolean(required=True)
    advice = required_text(min_length=10)
    involved_from = when()

    @validates_schema
    def _rules(self, data, **kw):
        errors = rules.Errors()
        rules.not_in_future(data, ("involved_from",), errors)
        errors.raise_if_any()


def _latest_advice(breach):
    from .models import FgAdvice

    if breach is None:
        return None
    return db.session.scalars(sa.select(FgAdvice).where(FgAdvice.breach_id == breach.id)
                              .order_by(FgAdvice.given_at.desc()).limit(1)).first()


class NotifyDecisionSchema(Bound):
    choice = code(enums.NOTIFY_CHOICE, required=True)
    reasoning = required_text(min_length=10)
    override_note = text()
    deviation_reason = text()
    no_fg_advice_reason = text()

    @validates_schema
    def _rules(self, data, **kw):
        breach = self.breach
        rules.notify_decision(data, breach, _latest_advice(breach)).raise_if_any()  # rules 5, 12


class InformDecisionSchema(Bound):
    choice = code(enums.INFORM_CHOICE, required=True)
    planned_on = fields.Date(allow_none=True, load_default=None)
    art34_ground = code(enums.ART34_GROUND, allow_none=True)
    art34_justification = text()
    art34_evidence = text()
    reasoning = required_text(min_length=10)
    deviation_reason = text()
    no_fg_advice_reason = text()

    @validates_schema
    def _rules(self, data, **kw):
        breach = self.breach
        measures = db.session.scalars(sa.select(Measure).where(Measure.breach_id == breach.id)).all() \
            if breach is not None else []
        rules.inform_decision(data, breach, _latest_advice(breach), measures).raise_if_any()  # rules 6, 12


# --- Notifications to the AP ------------------------------------------------------------------------------

class ApNotificationSchema(Bound):
    kind = code(enums.AP_NOTIFICATION_KIND, required=True)
    sub_type = code(enums.AP_SUB_TYPE, allow_none=True)
    ap_reference = fields.String(required=True, validate=validate.Length(min=1, max=64),
                                 metadata={"description": "The AP's reference, exactly as the AP gave it"})
    submitted_at = LocalDateTime(required=True)
    withdrawal_reason = code(enums.WITHDRAWAL_REASON, allow_none=True)
    withdrawal_text = text()
    delay_reason = text()
    # Rule 13: the AP asks for the notifier's name, function and telephone number.
    notifier_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    notifier_function = fields.String(required=True, validate=validate.Length(min=1, max=200))
    notifier_phone = fields.String(required=True, validate=validate.Regexp(
        r"^\+?[0-9 ()\-]{6,20}$", error=_l("Give a telephone number (digits, spaces, +, - and brackets).")))
    notifier_email = fields.Email(allow_none=True, load_default=None)

    @validates_schema
    def _rules(self, data, **kw):
        breach = self.breach
        notifications = db.session.scalars(sa.select(ApNotification).where(ApNotification.breach_id == breach.id)
                                           .order_by(ApNotification.submitted_at)).all()
        rules.ap_notification(data, breach, notifications).raise_if_any()  # rules 1, 2, 8, 11

    @post_load
    def _clean(self, data, **kw):
        data["ap_reference"] = data["ap_reference"].strip()
        if data.get("kind") != "withdrawal":
            data["withdrawal_reason"] = data["withdrawal_text"] = None
        if data.get("kind") in ("amendment", "withdrawal"):
            data["sub_type"] = None
        return data


# --- Communication, crisis communication, the checklist -------------------------------------------------------

class CommunicationSchema(Bound):
    channel = code(enums.CHANNEL, required=True)
    sent_at = LocalDateTime(required=True)
    to_legal_representatives = fields.Boolean(load_default=False)
    institution_is_guardian = fields.Boolean(load_default=False)
    reach_count = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0, error=_l("Not below 0.")))
    all_subjects_reached = fields.Boolean(required=True)
    content = required_text(min_length=20, metadata={"description": "The text of the message (a template, no names)"})
    proof = required_text(min_length=3, max_length=2000,
                          metadata={"description": "Where the proof is kept (document reference)"})
    covers_contact_point = fields.Boolean(load_default=False)
    covers_consequences = fields.Boolean(load_default=False)
    covers_measures = fields.Boolean(load_default=False)

    @validates_schema
    def _rules(self, data, **kw):
        rules.communication(data, self.breach).raise_if_any()  # rules 1, 7


class CrisisMessageSchema(Bound):
    stakeholder = code(enums.STAKEHOLDER_GROUP, required=True)
    at = LocalDateTime(required=True)
    channel = text(max_length=100)
    summary = required_text(min_length=5, max_length=5000)

    @validates_schema
    def _rules(self, data, **kw):
        errors = rules.Errors()
        rules.not_in_future(data, ("at",), errors)
        breach = self.breach
        if breach is not None and breach.discovered_at and data.get("at") and data["at"] < breach.discovered_at:
            errors.add("at", _l("This lies before the breach was discovered."))
        errors.raise_if_any()


class StepSchema(Schema):
    step = code(enums.HANDLING_STEP, required=True)
    done_at = when()
    note = text(max_length=2000)

    @validates_schema
    def _rules(self, data, **kw):
        errors = rules.Errors()
        rules.not_in_future(data, ("done_at",), errors)
        errors.raise_if_any()


# --- Measures -------------------------------------------------------------------------------------------------

def _member(value) -> None:
    from . import service

    if value is not None and service.member_roles(value) is None:
        raise ValidationError(_l("Choose a member of this organisation."))


class MeasureSchema(Schema):
    kind = code(enums.MEASURE_KIND, required=True)
    title = required_text(max_length=200)
    description = text()
    owner_id = fields.UUID(allow_none=True, load_default=None)
    due_date = fields.Date(allow_none=True, load_default=None)
    status = code(enums.MEASURE_STATUS, load_default="planned")
    done_at = when()
    target_incident_type = code(enums.INCIDENT_TYPE, allow_none=True)

    @validates("owner_id")
    def _owner(self, value, **kw):
        _member(value)

    @validates_schema
    def _rules(self, data, **kw):
        rules.measure(data).raise_if_any()


class CloseSchema(Bound):
    """Closing takes no input: it checks completeness (rule 14)."""

    @validates_schema
    def _complete(self, data, **kw):
        from . import completeness, service

        breach = self.breach
        if breach is None:
            return
        items = completeness.missing(breach, service.load(breach))
        if items:
            raise ValidationError({"_schema": [item.message for item in items]})


class ReopenSchema(Schema):
    pass


# --- The processing register and mandates ------------------------------------------------------------------------

class ProcessingActivitySchema(Schema):
    name = required_text(max_length=200)
    purpose = required_text(min_length=5, max_length=5000)
    legal_basis = text(max_length=200)
    data_categories = codes(enums.DATA_CATEGORY, required=True, validate=validate.Length(
        min=1, error=_l("Choose at least one kind of personal data.")))
    subject_categories = codes(enums.SUBJECT_CATEGORY, required=True, validate=validate.Length(
        min=1, error=_l("Choose at least one group of people.")))
    systems = text(max_length=5000)
    processors = text(max_length=5000)
    retention = text(max_length=200)
    active = fields.Boolean(load_default=True)


class MandateSchema(Schema):
    grantee_id = fields.UUID(required=True)
    scope = codes(enums.DECISION_KIND, required=True, validate=validate.Length(
        min=1, error=_l("Choose at least one kind of decision.")))
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    note = text(max_length=2000)

    @validates_schema
    def _rules(self, data, **kw):
        from . import service

        roles = service.member_roles(data["grantee_id"]) if data.get("grantee_id") else None
        rules.mandate(data, roles).raise_if_any()
