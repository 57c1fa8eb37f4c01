"""The breach workflow in the REST API (/api/v1), with the same schemas as the forms.

Every operation of the pages is here: report an incident, triage, the register entry by
section, assessments, FG advice, decisions, AP notifications and the AP sheet,
communication, crisis communication, the checklist, parties, measures, closing, the
processing register and decision mandates. Input errors: 422 with field messages;
conflicts with the state of a breach: 409. Free-text warnings (data minimisation) come
back in `warnings` and never block.
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import abort, g
from flask.views import MethodView
from marshmallow import Schema, fields

from lekwijzer.apiblueprint import api_blueprint, register
from lekwijzer.db import db, utcnow
from lekwijzer.edge import can, get_or_404, requires

from . import access, apsheet, clock, completeness, minimisation, rules, schemas, service
from .models import (ApNotification, Breach, DecisionMandate, Incident, Measure, Party, ProcessingActivity)

blp = api_blueprint("register_api", __name__, description="Incidents, triage and the breach workflow")


# --- Output schemas ---------------------------------------------------------------------------------

class WarningOut(Schema):
    field = fields.String()
    kind = fields.String()
    message = fields.String()


class IncidentOut(Schema):
    id = fields.UUID()
    reported_at = fields.DateTime()
    what_happened = fields.String()
    occurred_at = fields.DateTime()
    noticed_at = fields.DateTime()
    information_kind = fields.String()
    people_estimate = fields.String()
    actions_taken = fields.String()
    status = fields.String()
    triaged_at = fields.DateTime()
    triage_reason = fields.String()
    breach_id = fields.Method("_breach_id")
    warnings = fields.Method("_warnings")

    def _breach_id(self, obj):
        breach = db.session.scalar(sa.select(Breach.id).where(Breach.incident_id == obj.id))
        return str(breach) if breach else None

    def _warnings(self, obj):
        return [w.as_dict() for w in minimisation.check_object(obj, service.INCIDENT_TEXT)]


class AssessmentOut(Schema):
    id = fields.UUID()
    version = fields.Integer()
    method = fields.String()
    created_at = fields.DateTime()
    dpc_base = fields.Integer()
    dpc_adjustment = fields.Integer()
    dpc_adjustment_reason = fields.String()
    dpc_final = fields.Integer()
    ease_of_identification = fields.Decimal(as_string=True)
    cb_confidentiality = fields.Decimal(as_string=True)
    cb_integrity = fields.Decimal(as_string=True)
    cb_availability = fields.Decimal(as_string=True)
    cb_malicious = fields.Decimal(as_string=True)
    malicious_reason = fields.String()
    score = fields.Decimal(as_string=True)
    band = fields.String()
    formula = fields.String()
    flag_over_100 = fields.Boolean()
    flag_unintelligible = fields.Boolean()
    override_band = fields.String()
    override_reason = fields.String()
    risk_outcome = fields.String()
    risk_reasoning = fields.String()
    inputs = fields.Dict()


class AdviceOut(Schema):
    id = fields.UUID()
    given_at = fields.DateTime()
    involved_from = fields.DateTime()
    advise_notify_ap = fields.Boolean()
    advise_inform_subjects = fields.Boolean()
    advice = fields.String()


class DecisionOut(Schema):
    id = fields.UUID()
    kind = fields.String()
    outcome = fields.Boolean()
    reasoning = fields.String()
    override_note = fields.String()
    art34_ground = fields.String()
    art34_justification = fields.String()
    art34_evidence = fields.String()
    communication_status = fields.String()
    planned_on = fields.Date()
    decided_role = fields.String()
    decided_at = fields.DateTime()
    mandate_id = fields.UUID()
    fg_advice_id = fields.UUID()
    fg_advice_followed = fields.Boolean()
    deviation_reason = fields.String()
    no_fg_advice_reason = fields.String()
    superseded_at = fields.DateTime()


class NotificationOut(Schema):
    id = fields.UUID()
    kind = fields.String()
    sub_type = fields.String()
    ap_reference = fields.String()
    initial_id = fields.UUID()
    submitted_at = fields.DateTime()
    late = fields.Boolean()
    withdrawal_reason = fields.String()
    withdrawal_text = fields.String()
    notifier_name = fields.String()
    notifier_function = fields.String()
    notifier_phone = fields.String()
    notifier_email = fields.String()
    payload = fields.Dict(metadata={"description": "Frozen copy of the AP sheet as sent (sections 0-9)"})


class CommunicationOut(Schema):
    id = fields.UUID()
    channel = fields.String()
    sent_at = fields.DateTime()
    to_legal_representatives = fields.Boolean()
    institution_is_guardian = fields.Boolean()
    reach_count = fields.Integer()
    all_subjects_reached = fields.Boolean()
    content = fields.String()
    proof = fields.String()
    covers_contact_point = fields.Boolean()
    covers_consequences = fields.Boolean()
    covers_measures = fields.Boolean()


class CrisisOut(Schema):
    id = fields.UUID()
    stakeholder = fields.String()
    at = fields.DateTime()
    channel = fields.String()
    summary = fields.String()


class StepOut(Schema):
    id = fields.UUID()
    step = fields.String()
    done_at = fields.DateTime()
    note = fields.String()


class PartyOut(Schema):
    id = fields.UUID()
    role = fields.String()
    name = fields.String()
    notified_controller_at = fields.DateTime()
    note = fields.String()


class MeasureOut(Schema):
    id = fields.UUID()
    breach_id = fields.UUID()
    kind = fields.String()
    title = fields.String()
    description = fields.String()
    owner_id = fields.UUID()
    due_date = fields.Date()
    status = fields.String()
    done_at = fields.DateTime()
    target_incident_type = fields.String()
    created_at = fields.DateTime()


class ClockOut(Schema):
    code = fields.String()
    deadline = fields.DateTime()
    remaining_seconds = fields.Method("_remaining")
    elapsed_seconds = fields.Method("_elapsed")

    def _remaining(self, obj):
        return int(obj.remaining.total_seconds()) if obj.remaining is not None else None

    def _elapsed(self, obj):
        return int(obj.elapsed.total_seconds()) if obj.elapsed is not None else None


class MissingOut(Schema):
    code = fields.String()
    message = fields.String()
    anchor = fields.String()


BREACH_SCALARS = (
    "reference", "incident_id", "processing_activity_id", "title", "status", "created_at", "updated_at",
    "incident_type", "cause", "cause_description", "what_happened", "discovery_source", "nature",
    "confidentiality_level", "integrity_level", "availability_level", "unintelligible", "measures_in_place",
    "data_categories", "subject_categories", "persons_count_mode", "persons_min", "persons_max", "records_count",
    "occurrence_mode", "occurred_from", "occurred_until", "dates_estimated", "discovered_at",
    "processor_notified_controller_at", "aware_at", "awareness_justification", "contained_at", "ended_at",
    "consequences", "impacts", "impact_severity", "ended_how", "no_corrective_measures_reason", "prevention_notes",
    "reported_to_police", "other_authorities", "cross_border", "delay_reason", "no_notification_reasoning",
    "subject_communication_status", "severity_score", "severity_band", "risk_outcome", "ap_deadline_at",
    "ap_notified_at", "notified_late", "notify_ap", "inform_subjects", "subjects_planned_on",
    "subjects_informed_at", "followup_open", "closed_at",
)


class BreachOut(Schema):
    """A register entry with everything that hangs off it, the clock, what is missing and warnings."""

    id = fields.UUID()
    reference = fields.String()
    incident_id = fields.UUID()
    processing_activity_id = fields.UUID()
    title = fields.String()
    status = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    incident_type = fields.String()
    cause = fields.String()
    cause_description = fields.String()
    what_happened = fields.String()
    discovery_source = fields.String()
    nature = fields.List(fields.String())
    confidentiality_level = fields.String()
    integrity_level = fields.String()
    availability_level = fields.String()
    unintelligible = fields.String()
    measures_in_place = fields.List(fields.String())
    data_categories = fields.List(fields.String())
    subject_categories = fields.List(fields.String())
    persons_count_mode = fields.String()
    persons_min = fields.Integer()
    persons_max = fields.Integer()
    records_count = fields.Integer()
    occurrence_mode = fields.String()
    occurred_from = fields.DateTime()
    occurred_until = fields.DateTime()
    dates_estimated = fields.Boolean()
    discovered_at = fields.DateTime()
    processor_notified_controller_at = fields.DateTime()
    aware_at = fields.DateTime()
    awareness_justification = fields.String()
    contained_at = fields.DateTime()
    ended_at = fields.DateTime()
    consequences = fields.String()
    impacts = fields.List(fields.String())
    impact_severity = fields.String()
    ended_how = fields.String()
    no_corrective_measures_reason = fields.String()
    prevention_notes = fields.String()
    reported_to_police = fields.Boolean()
    other_authorities = fields.String()
    cross_border = fields.Boolean()
    delay_reason = fields.String()
    no_notification_reasoning = fields.String()
    subject_communication_status = fields.String()
    severity_score = fields.Decimal(as_string=True)
    severity_band = fields.String()
    risk_outcome = fields.String()
    ap_deadline_at = fields.DateTime()
    ap_notified_at = fields.DateTime()
    notified_late = fields.Boolean()
    notify_ap = fields.Boolean()
    inform_subjects = fields.Boolean()
    subjects_planned_on = fields.Date()
    subjects_informed_at = fields.DateTime()
    followup_open = fields.Boolean()
    closed_at = fields.DateTime()
    clock = fields.Nested(ClockOut)
    overdue = fields.Boolean()
    missing = fields.List(fields.Nested(MissingOut))
    warnings = fields.List(fields.Nested(WarningOut))
    assessments = fields.List(fields.Nested(AssessmentOut))
    fg_advice = fields.List(fields.Nested(AdviceOut))
    decisions = fields.List(fields.Nested(DecisionOut))
    ap_notifications = fields.List(fields.Nested(NotificationOut))
    communications = fields.List(fields.Nested(CommunicationOut))
    crisis_messages = fields.List(fields.Nested(CrisisOut))
    steps = fields.List(fields.Nested(StepOut))
    parties = fields.List(fields.Nested(PartyOut))
    measures = fields.List(fields.Nested(MeasureOut))


def breach_out(breach: Breach) -> dict:
    record = service.load(breach)
    now = utcnow()
    out = {name: getattr(breach, name) for name in BREACH_SCALARS}
    out["id"] = breach.id
    closed = breach.status == "closed"
    out["clock"] = clock.state(breach.aware_at, now, notified_at=breach.ap_notified_at,
                               notify_decision=breach.notify_ap, closed=closed)
    out["overdue"] = clock.is_overdue(breach.aware_at, now, notified_at=breach.ap_notified_at,
                                      notify_decision=breach.notify_ap, closed=closed)
    out["missing"] = [m.as_dict() for m in completeness.missing(breach, record)] if not closed else []
    out["warnings"] = service.warnings(breach, record)
    out.update(assessments=record.assessments, fg_advice=record.advice, decisions=record.decisions,
               ap_notifications=record.notifications, communications=record.communications,
               crisis_messages=record.crisis, steps=record.steps, parties=record.parties, measures=record.measures)
    return out


def _fail(exc: service.RegisterError):
    db.session.rollback()
    abort(exc.status, str(exc.message))


def _breach(breach_id) -> Breach:
    breach = get_or_404(Breach, breach_id)
    if not access.may_view_breaches():
        abort(403)
    return breach


# --- Incidents -----------------------------------------------------------------------------------------

@blp.route("/incidents")
class Incidents(MethodView):
    @requires("incident.report")
    @blp.arguments(schemas.IncidentReportSchema)
    @blp.response(201, IncidentOut)
    def post(self, data):
        """Report a security incident (what happened, when, roughly how many people)."""
        incident = service.report_incident(data, token_id=g.api_token.id)
        db.session.commit()
        return incident


@blp.route("/incidents/mine")
class MyIncidents(MethodView):
    @requires("incident.report")
    @blp.response(200, IncidentOut(many=True))
    def get(self):
        """Incidents reported with this token, and their status."""
        return db.session.scalars(sa.select(Incident).where(Incident.reported_token_id == g.api_token.id)
                                  .order_by(Incident.reported_at.desc()).limit(500)).all()


@blp.route("/incidents/<uuid:incident_id>")
class IncidentItem(MethodView):
    @requires("incident.report")
    @blp.response(200, IncidentOut)
    def get(self, incident_id: uuid.UUID):
        """One incident (its reporter, the privacy officer and breach readers)."""
        incident = get_or_404(Incident, incident_id)
        if not (can("incident.triage") or can("breach.view") or access.is_reporter_of(incident)):
            abort(403)
        return incident


class TriageOut(Schema):
    incident = fields.Nested(IncidentOut)
    breach_id = fields.UUID()
    reference = fields.String()


@blp.route("/incidents/<uuid:incident_id>/triage")
class Triage(MethodView):
    @requires("incident.triage")
    @blp.arguments(schemas.TriageSchema)
    @blp.response(200, TriageOut)
    def post(self, data, incident_id: uuid.UUID):
        """Triage: a personal-data breach (creates a register entry) or not (stays in the incident log)."""
        incident = get_or_404(Incident, incident_id)
        try:
            breach = service.triage(incident, data)
        except service.RegisterError as exc:
            _fail(exc)
        db.session.commit()
        return {"incident": incident, "breach_id": breach.id if breach else None,
                "reference": breach.reference if breach else None}


# --- The register entry ------------------------------------------------------------------------------------

@blp.route("/breaches/<uuid:breach_id>")
class BreachItem(MethodView):
    @blp.response(200, BreachOut)
    def get(self, breach_id: uuid.UUID):
        """A register entry: every field, the 72-hour clock, what is missing to close, warnings."""
        return breach_out(_breach(breach_id))


def _section_view(section: str):
    schema = schemas.SECTION_SCHEMAS[section]

    @requires("breach.edit")
    @blp.arguments(schema)
    @blp.response(200, BreachOut)
    def put(self, data, breach_id: uuid.UUID):
        breach = get_or_404(Breach, breach_id)
        try:
            service.update_section(breach, section, data)
        except service.RegisterError as exc:
            _fail(exc)
        db.session.commit()
        return breach_out(breach)

    put.__doc__ = f"Replace the '{section}' section of a register entry (optional fields left out become empty)."
    return type(f"Breach{section.title()}", (MethodView,), {"put": put})


for _section in schemas.SECTION_SCHEMAS:
    blp.route(f"/breaches/<uuid:breach_id>/{_section}")(_section_view(_section))


@blp.route("/breaches/<uuid:breach_id>/assessments")
class Assessments(MethodView):
    @blp.response(200, AssessmentOut(many=True))
    def get(self, breach_id: uuid.UUID):
        """Every version of the severity assessment, oldest first (append-only)."""
        return service.load(_breach(breach_id)).assessments

    @requires("breach.assess")
    @blp.arguments(schemas.AssessmentSchema)
    @blp.response(201, AssessmentOut)
    def post(self, data, breach_id: uuid.UUID):
        """Add a version of the ENISA assessment and the risk outcome with its reasoning."""
        breach = get_or_404(Breach, breach_id)
        _errors, result = rules.assessment(data, breach)
        try:
            row = service.record_assessment(breach, data, result)
        except service.RegisterError as exc:
            _fail(exc)
        db.session.commit()
        return row


@blp.route("/breaches/<uuid:breach_id>/fg-advice")
class Advice(MethodView):
    @requires("breach.advise")
    @blp.arguments(schemas.FgAdviceSchema)
    @blp.response(201, AdviceOut)
    def post(self, data, breach_id: uuid.UUID):
        """The FG's advice, recorded on its own (the FG advises; the board decides)."""
        breach = get_or_404(Breach, breach_id)
        try:
            row = service.record_advice(breach, data)
        except service.RegisterError as exc:
            _fail(exc)
        db.session.commit()
        return row


def _decide(kind: str, data, breach_id):
    breach = get_or_404(Breach, breach_id)
    decider = access.decider(kind)
    if decider is None:
        abort(403, "Only the board or a mandated manager takes this decision; never the FG.")
    try:
        row = service.decide(breach, kind, data, *decider)
    except service.RegisterError as exc:
        _fail(exc)
    db.session.commit()
    return row


@blp.route("/breaches/<uuid:breach_id>/decisions/notify-ap")
class NotifyDecision(MethodView):
    @requires("org.view")
    @blp.arguments(schemas.NotifyDecisionSchema)
    @blp.response(201, DecisionOut)
    def post(self, data, breach_id: uuid.UUID):
        """Decide whether to notify the AP (board or mandated manager; never the FG)."""
        return _decide("notify_ap", data, breach_id)


@blp.route("/breaches/<uuid:breach_id>/decisions/inform-subjects")
class InformDecision(MethodView):
    @requires("org.view")
    @blp.arguments(schemas.InformDecisionSchema)
    @blp.response(201, DecisionOut)
    def post(self, data, breach_id: uuid.UUID):
        """Decide whether to inform the people affected, or which Art. 34(3) exception applies."""
        return _decide("inform_subjects", data, breach_id)


# --- Notifications to the AP -------------------------------------------------------------------------------

class SheetSectionRow(Schema):
    key = fields.String()
    label = fields.String()
    value = fields.String()


class SheetSection(Schema):
    number = fields.Integer()
    title = fields.String()
    rows = fields.List(fields.Nested(SheetSectionRow))


class SheetOut(Schema):
    payload = fields.Dict()
    sections = fields.List(fields.Nested(SheetSection))


@blp.route("/breaches/<uuid:breach_id>/ap-sheet")
class Sheet(MethodView):
    @blp.response(200, SheetOut)
    def get(self, breach_id: uuid.UUID):
        """The register entry in the order of the AP's notification form (sections 0-9)."""
        breach = _breach(breach_id)
        payload = apsheet.payload(breach, service.load(breach), g.org)
        return {"payload": payload, "sections": apsheet.render(payload)}


@blp.route("/breaches/<uuid:breach_id>/ap-notifications")
class Notifications(MethodView):
    @blp.response(200, NotificationOut(many=True))
    def get(self, breach_id: uuid.UUID):
        """The notifications sent to the AP, each with a frozen copy of what was sent."""
        return service.load(_breach(breach_id)).notifications

    @requires("breach.notify")
    @blp.arguments(schemas.ApNotificationSchema)
    @blp.response(201, NotificationOut)
    def post(self, data, breach_id: uuid.UUID):
        """Record an initial notification, a supplement, an amendment or a withdrawal."""
        breach = get_or_404(Breach, breach_id)
        record = service.load(breach)
        try:
            row = service.record_notification(breach, data, apsheet.payload(breach, record, g.org, data))
        except service.RegisterError as exc:
            _fail(exc)
        db.session.commit()
        return row


@blp.route("/breaches/<uuid:breach_id>/ap-notifications/<uuid:ap_notification_id>")
class NotificationItem(MethodView):
    @blp.response(200, NotificationOut)
    def get(self, breach_id: uuid.UUID, ap_notification_id: uuid.UUID):
        """One notification with its frozen copy."""
        breach = _breach(breach_id)
        row = get_or_404(ApNotification, ap_notification_id)
        if row.breach_id != breach.id:
            abort(404)
        return row


# --- Communication, crisis communication, checklist, parties ---------------------------------------------------

def _add(service_fn, data, breach_id):
    breach = get_or_404(Breach, breach_id)
    try:
        row = service_fn(breach, data)
    except service.RegisterError as exc:
        _fail(exc)
    db.session.commit()
    return row


@blp.route("/breaches/<uuid:breach_id>/communications")
class Communications(MethodView):
    @requires("breach.communicate")
    @blp.arguments(schemas.CommunicationSchema)
    @blp.response(201, CommunicationOut)
    def post(self, data, breach_id: uuid.UUID):
        """Record how the people affected were informed (Art. 34): channel, date, content, reach, proof."""
        return _add(service.record_communication, data, breach_id)


@blp.route("/breaches/<uuid:breach_id>/crisis-messages")
class CrisisMessages(MethodView):
    @requires("breach.communicate")
    @blp.arguments(schemas.CrisisMessageSchema)
    @blp.response(201, CrisisOut)
    def post(self, data, breach_id: uuid.UUID):
        """Add to the crisis-communication timeline (clients, staff, partners, commissioners, public, press)."""
        return _add(service.record_crisis_message, data, breach_id)


@blp.route("/breaches/<uuid:breach_id>/steps")
class Steps(MethodView):
    @requires("breach.edit")
    @blp.arguments(schemas.StepSchema)
    @blp.response(201, StepOut)
    def post(self, data, breach_id: uuid.UUID):
        """Record one of the six handling steps as done (who and when)."""
        return _add(service.tick_step, data, breach_id)


@blp.route("/breaches/<uuid:breach_id>/parties")
class Parties(MethodView):
    @requires("breach.edit")
    @blp.arguments(schemas.PartySchema)
    @blp.response(201, PartyOut)
    def post(self, data, breach_id: uuid.UUID):
        """Add a processor or other party involved."""
        return _add(service.add_party, data, breach_id)


@blp.route("/breaches/<uuid:breach_id>/parties/<uuid:party_id>")
class PartyItem(MethodView):
    @requires("breach.edit")
    @blp.response(204)
    def delete(self, breach_id: uuid.UUID, party_id: uuid.UUID):
        """Remove a party."""
        breach = get_or_404(Breach, breach_id)
        party = get_or_404(Party, party_id)
        try:
            service.remove_party(breach, party)
        except service.RegisterError as exc:
            _fail(exc)
        db.session.commit()


# --- Measures ---------------------------------------------------------------------------------------------------

@blp.route("/breaches/<uuid:breach_id>/measures")
class BreachMeasures(MethodView):
    @blp.response(200, MeasureOut(many=True))
    def get(self, breach_id: uuid.UUID):
        """The corrective and preventive measures of a breach."""
        return service.load(_breach(breach_id)).measures

    @requires("measure.manage")
    @blp.arguments(schemas.MeasureSchema)
    @blp.response(201, MeasureOut)
    def post(self, data, breach_id: uuid.UUID):
        """Add a corrective or preventive measure (owner, due date, status)."""
        return _add(service.add_measure, data, breach_id)


@blp.route("/measures/<uuid:measure_id>")
class MeasureItem(MethodView):
    @requires("measure.manage")
    @blp.response(200, MeasureOut)
    def get(self, measure_id: uuid.UUID):
        """One measure."""
        return get_or_404(Measure, measure_id)

    @requires("measure.manage")
    @blp.arguments(schemas.MeasureSchema)
    @blp.response(200, MeasureOut)
    def put(self, data, measure_id: uuid.UUID):
        """Replace a measure (e.g. set its status to implemented)."""
        row = get_or_404(Measure, measure_id)
        service.update_measure(row, data)
        db.session.commit()
        return row


# --- Closing ---------------------------------------------------------------------------------------------------

@blp.route("/breaches/<uuid:breach_id>/close")
class Close(MethodView):
    @requires("breach.close")
    @blp.arguments(schemas.CloseSchema)
    @blp.response(200, BreachOut)
    def post(self, data, breach_id: uuid.UUID):
        """Close a breach; refused with the list of what is missing (Art. 33(5), decisions, communication)."""
        breach = get_or_404(Breach, breach_id)
        try:
            service.close(breach)
        except service.RegisterError as exc:
            _fail(exc)
        db.session.commit()
        return breach_out(breach)


@blp.route("/breaches/<uuid:breach_id>/reopen")
class Reopen(MethodView):
    @requires("breach.close")
    @blp.arguments(schemas.ReopenSchema)
    @blp.response(200, BreachOut)
    def post(self, data, breach_id: uuid.UUID):
        """Reopen a closed breach."""
        breach = get_or_404(Breach, breach_id)
        try:
            service.reopen(breach, data)
        except service.RegisterError as exc:
            _fail(exc)
        db.session.commit()
        return breach_out(breach)


# --- The processing register and mandates -------------------------------------------------------------------------

class ActivityOut(Schema):
    id = fields.UUID()
    name = fields.String()
    purpose = fields.String()
    legal_basis = fields.String()
    data_categories = fields.List(fields.String())
    subject_categories = fields.List(fields.String())
    systems = fields.String()
    processors = fields.String()
    retention = fields.String()
    active = fields.Boolean()
    created_at = fields.DateTime()


@blp.route("/processing-activities")
class Activities(MethodView):
    @requires("processing.view")
    @blp.response(200, ActivityOut(many=True))
    def get(self):
        """The processing register (Art. 30)."""
        return db.session.scalars(sa.select(ProcessingActivity).order_by(ProcessingActivity.name)).all()

    @requires("processing.manage")
    @blp.arguments(schemas.ProcessingActivitySchema)
    @blp.response(201, ActivityOut)
    def post(self, data):
        """Add an activity to the processing register."""
        row = service.save_activity(None, data)
        db.session.commit()
        return row


@blp.route("/processing-activities/<uuid:processing_activity_id>")
class ActivityItem(MethodView):
    @requires("processing.view")
    @blp.response(200, ActivityOut)
    def get(self, processing_activity_id: uuid.UUID):
        """One activity."""
        return get_or_404(ProcessingActivity, processing_activity_id)

    @requires("processing.manage")
    @blp.arguments(schemas.ProcessingActivitySchema)
    @blp.response(200, ActivityOut)
    def put(self, data, processing_activity_id: uuid.UUID):
        """Replace an activity."""
        row = service.save_activity(get_or_404(ProcessingActivity, processing_activity_id), data)
        db.session.commit()
        return row


class MandateOut(Schema):
    id = fields.UUID()
    grantee_id = fields.UUID()
    granted_by = fields.UUID()
    scope = fields.List(fields.String())
    valid_from = fields.Date()
    valid_until = fields.Date()
    note = fields.String()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime()


@blp.route("/decision-mandates")
class Mandates(MethodView):
    @requires("mandate.view")
    @blp.response(200, MandateOut(many=True))
    def get(self):
        """Mandates the board granted to managers to take notification decisions."""
        return db.session.scalars(sa.select(DecisionMandate).order_by(DecisionMandate.valid_until.desc())).all()

    @requires("mandate.manage")
    @blp.arguments(schemas.MandateSchema)
    @blp.response(201, MandateOut)
    def post(self, data):
        """Grant a mandate (board only; never to the FG)."""
        row = service.grant_mandate(data)
        db.session.commit()
        return row


@blp.route("/decision-mandates/<uuid:decision_mandate_id>/revoke")
class MandateRevoke(MethodView):
    @requires("mandate.manage")
    @blp.response(200, MandateOut)
    def post(self, decision_mandate_id: uuid.UUID):
        """Revoke a mandate."""
        row = get_or_404(DecisionMandate, decision_mandate_id)
        try:
            service.revoke_mandate(row)
        except service.RegisterError as exc:
            _fail(exc)
        db.session.commit()
        return row


def init_app(app) -> None:
    register(blp)
