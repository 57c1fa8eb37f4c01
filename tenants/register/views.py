"""Pages of the breach workflow: intake, triage, the register entry, decisions, closing.

Route → schema (rules) → service → data. Every form posts to its own address and, on a
mistake, comes back with an error summary and status 422; on success it redirects to
the breach. The register list and the incident log are in tenants/listing.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import BuildError

from lekwijzer.db import db, utcnow
from lekwijzer.edge import can, get_or_404, org_blueprint, requires
from lekwijzer.forms import load_form
from lekwijzer.models import Membership, User

from . import access, apsheet, clock, completeness, enums, formvalues, minimisation, rules, schemas, service
from .models import (ApNotification, Breach, DecisionMandate, Incident, Measure, Party, ProcessingActivity)

bp = org_blueprint("register", __name__, template_folder="templates")


@bp.app_template_global()
def optional_url(endpoint: str, **values) -> str | None:
    """A link to a page of another feature, or None when that feature is not installed."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _error_page(exc: service.RegisterError):
    if exc.status == 403:
        abort(403)
    flash(str(exc.message), "error")


def _members() -> list[tuple[str, str]]:
    rows = db.session.scalars(sa.select(Membership).where(Membership.tenant_id == g.org.id)
                              .join(User).order_by(User.name)).all()
    return [(str(m.user_id), m.user.name) for m in rows]


# --- Incident intake --------------------------------------------------------------------------------

INCIDENT_FIELDS = ("what_happened", "occurred_at", "noticed_at", "information_kind", "people_estimate",
                   "actions_taken")


@bp.route("/incidents/new", methods=["GET", "POST"])
@requires("incident.report")
def report():
    if request.method == "GET":
        form = formvalues.from_object({}, INCIDENT_FIELDS, noticed_at=utcnow())
        return render_template("register/report.html", form=form, errors={}, warnings=[])
    data, errors = load_form(schemas.IncidentReportSchema())
    if errors:
        return render_template("register/report.html", form=request.form, errors=errors, warnings=[]), 422
    found = minimisation.check(data, service.INCIDENT_TEXT)
    if found and not data.get("send_anyway"):
        # Rule 16 is a warning, not a block: one more click sends it as it is.
        return render_template("register/report.html", form=request.form, errors={},
                               warnings=[w.as_dict() for w in found])
    incident = service.report_incident(data)
    db.session.commit()
    flash(_l("Thank you. Your report has been sent to the privacy officer."), "success")
    return redirect(url_for(".my_reports", reported=incident.id))


@bp.get("/incidents/mine")
@requires("incident.report")
def my_reports():
    rows = db.session.scalars(sa.select(Incident).where(Incident.reported_by == current_user.id)
                              .order_by(Incident.reported_at.desc()).limit(200)).all()
    breaches = {b.incident_id: b for b in db.session.scalars(
        sa.select(Breach).where(Breach.incident_id.in_([r.id for r in rows])))} if rows else {}
    return render_template("register/my_reports.html", incidents=rows, breaches=breaches,
                           highlight=request.args.get("reported"))


# --- Incident page and triage ---------------------------------------------------------------------------

def _incident_page(incident, form=None, errors=None, status=200):
    if not (can("incident.triage") or can("breach.view") or access.is_reporter_of(incident)):
        abort(403)
    breach = db.session.scalar(sa.select(Breach).where(Breach.incident_id == incident.id))
    activities = db.session.scalars(sa.select(ProcessingActivity).where(ProcessingActivity.active.is_(True))
                                    .order_by(ProcessingActivity.name)).all()
    names = service.user_names([incident.reported_by, incident.triaged_by])
    if form is None:
        form = formvalues.from_object({}, ("outcome", "reason", "title", "aware_at", "awareness_justification",
                                           "processing_activity_id", "incident_type"), aware_at=utcnow())
    warnings = [w.as_dict() for w in minimisation.check_object(incident, service.INCIDENT_TEXT)]
    return render_template("register/incident.html", incident=incident, breach=breach, activities=activities,
                           names=names, form=form, errors=errors or {}, warnings=warnings,
                           gap_hours=int(clock.AWARENESS_GAP.total_seconds() // 3600)), status


@bp.get("/incidents/<uuid:incident_id>")
@requires("incident.report")
def incident(incident_id: uuid.UUID):
    return _incident_page(get_or_404(Incident, incident_id))


@bp.post("/incidents/<uuid:incident_id>/triage")
@requires("incident.triage")
def triage(incident_id: uuid.UUID):
    incident_row = get_or_404(Incident, incident_id)
    data, errors = load_form(schemas.TriageSchema())
    if errors:
        return _incident_page(incident_row, request.form, errors, 422)
    try:
        breach = service.triage(incident_row, data)
    except service.RegisterError as exc:
        db.session.rollback()
        _error_page(exc)
        return redirect(url_for(".incident", incident_id=incident_id))
    db.session.commit()
    if breach is None:
        flash(_l("Recorded: not a personal-data breach. The incident stays in the incident log."), "success")
        return redirect(url_for(".incident", incident_id=incident_id))
    flash(_l("Breach %(reference)s is in the register. The 72-hour clock runs from the moment of awareness.",
             reference=breach.reference), "success")
    return redirect(url_for(".breach", breach_id=breach.id))


# --- The breach page ---------------------------------------------------------------------------------------

def _breach_context(breach: Breach) -> dict:
    record = service.load(breach)
    now = utcnow()
    state = clock.state(breach.aware_at, now, notified_at=breach.ap_notified_at, notify_decision=breach.notify_ap,
                        closed=breach.status == "closed")
    ids = [breach.closed_by] + [s.done_by for s in record.steps] + [d.decided_by for d in record.decisions] \
        + [a.given_by for a in record.advice] + [m.owner_id for m in record.measures] \
        + [a.created_by for a in record.assessments] + [c.by_user for c in record.crisis]
    activity = db.session.get(ProcessingActivity, (breach.tenant_id, breach.processing_activity_id)) \
        if breach.processing_activity_id else None
    initial = record.initial
    next_kinds = []
    if not any(n.kind == "withdrawal" for n in record.notifications):
        next_kinds = ["supplement", "amendment", "withdrawal"] if initial else ["initial"]
    return {
        "breach": breach, "record": record, "clock": state, "now": now,
        "missing": completeness.missing(breach, record) if breach.status != "closed" else [],
        "warnings": service.warnings(breach, record), "activity": activity, "names": service.user_names(ids),
        "next_kinds": next_kinds, "initial": initial,
        "decider_notify": access.decider("notify_ap"), "decider_inform": access.decider("inform_subjects"),
        "steps_done": {s.step: s for s in record.steps},
    }


@bp.get("/breaches/<uuid:breach_id>")
@access.breach_view_required
def breach(breach_id: uuid.UUID):
    return render_template("register/breach.html", **_breach_context(get_or_404(Breach, breach_id)))


def _closed_guard(breach):
    if breach.status == "closed":
        flash(_l("This breach is closed. Reopen it to change it."), "error")
        return redirect(url_for(".breach", breach_id=breach.id))
    return None


# --- Sections ------------------------------------------------------------------------------------------------

def _section_page(breach, section, form, errors, status=200):
    activities = db.session.scalars(sa.select(ProcessingActivity).order_by(ProcessingActivity.name)).all()
    activity = next((a for a in activities if a.id == breach.processing_activity_id), None)
    return render_template(f"register/section_{section}.html", breach=breach, section=section, form=form,
                           errors=errors, activities=activities, activity=activity,
                           gap_hours=int(clock.AWARENESS_GAP.total_seconds() // 3600)), status


@bp.route("/breaches/<uuid:breach_id>/edit/<section>", methods=["GET", "POST"])
@requires("breach.edit")
def section(breach_id: uuid.UUID, section: str):
    breach_row = get_or_404(Breach, breach_id)
    if section not in schemas.SECTION_SCHEMAS:
        abort(404)
    closed = _closed_guard(breach_row)
    if closed:
        return closed
    if request.method == "GET":
        return _section_page(breach_row, section, formvalues.from_object(breach_row, service.SECTION_FIELDS[section]),
                             {})
    data, errors = load_form(schemas.SECTION_SCHEMAS[section]())
    if errors:
        return _section_page(breach_row, section, request.form, errors, 422)
    service.update_section(breach_row, section, data)
    db.session.commit()
    flash(_l("Saved: %(section)s.", section=gettext(enums.SECTIONS[section])), "success")
    return redirect(url_for(".breach", breach_id=breach_id, _anchor=f"section-{section}"))


# --- Severity and risk ----------------------------------------------------------------------------------------

ASSESSMENT_FIELDS = ("dpc_adjustment", "dpc_adjustment_reason", "ease_of_identification", "malicious",
                     "malicious_reason", "override_band", "override_reason", "risk_outcome", "risk_reasoning")


def _assessment_page(breach, form, errors, status=200):
    from . import severity

    record = service.load(breach)
    try:
        basis = severity.dpc_basis(breach.data_categories or ())
    except severity.SeverityError:
        basis = ()
    names = service.user_names([a.created_by for a in record.assessments])
    return render_template("register/assessment.html", breach=breach, record=record, form=form, errors=errors,
                           basis=basis, base=max((b[2] for b in basis), default=None),
                           prompts=severity.prompts(breach.data_categories or (), breach.subject_categories or ()),
                           suggested=severity.suggested_malicious(breach.cause), names=names), status


@bp.route("/breaches/<uuid:breach_id>/assessment", methods=["GET", "POST"])
@access.breach_view_required
def assessment(breach_id: uuid.UUID):
    breach_row = get_or_404(Breach, breach_id)
    if request.method == "GET":
        latest = service.load(breach_row).assessment
        form = formvalues.from_object(latest, ASSESSMENT_FIELDS, malicious=latest.cb_malicious > 0) \
            if latest else formvalues.from_object(
            {}, ASSESSMENT_FIELDS, dpc_adjustment=0)
        return _assessment_page(breach_row, form, {})
    if not can("breach.assess"):
        abort(403)
    closed = _closed_guard(breach_row)
    if closed:
        return closed
    data, errors = load_form(schemas.AssessmentSchema())
    if errors:
        return _assessment_page(breach_row, request.form, errors, 422)
    _errors, result = rules.assessment(data, breach_row)
    row = service.record_assessment(breach_row, data, result)
    db.session.commit()
    flash(_l("Assessment version %(version)s saved.", version=row.version), "success")
    return redirect(url_for(".breach", breach_id=breach_id, _anchor="severity"))


# --- FG advice and decisions -------------------------------------------------------------------------------------

@bp.route("/breaches/<uuid:breach_id>/fg-advice", methods=["GET", "POST"])
@requires("breach.advise")
def fg_advice(breach_id: uuid.UUID):
    breach_row = get_or_404(Breach, breach_id)
    closed = _closed_guard(breach_row)
    if closed:
        return closed
    fields_ = ("advise_notify_ap", "advise_inform_subjects", "advice", "involved_from")
    if request.method == "GET":
        return _advice_page(breach_row, formvalues.from_object({}, fields_), {})
    data, errors = load_form(schemas.FgAdviceSchema())
    if errors:
        return _advice_page(breach_row, request.form, errors, 422)
    service.record_advice(breach_row, data)
    db.session.commit()
    flash(_l("Your advice has been recorded. The board has been asked to decide."), "success")
    return redirect(url_for(".breach", breach_id=breach_id, _anchor="decisions"))


def _advice_page(breach, form, errors, status=200):
    record = service.load(breach)
    return render_template("register/fg_advice.html", breach=breach, record=record, form=form, errors=errors,
                           names=service.user_names([a.given_by for a in record.advice])), status


DECISION_SCHEMAS = {"notify_ap": schemas.NotifyDecisionSchema, "inform_subjects": schemas.InformDecisionSchema}
DECISION_FIELDS = ("choice", "reasoning", "override_note", "deviation_reason", "no_fg_advice_reason", "planned_on",
                   "art34_ground", "art34_justification", "art34_evidence")


def _decision_page(breach, kind, form, errors, status=200):
    record = service.load(breach)
    return render_template("register/decision.html", breach=breach, record=record, kind=kind, form=form,
                           errors=errors, advice=record.latest_advice, current=record.current_decision(kind),
                           decider=access.decider(kind),
                           names=service.user_names([d.decided_by for d in record.decisions]
                                                    + [a.given_by for a in record.advice])), status


@bp.route("/breaches/<uuid:breach_id>/decision/<kind>", methods=["GET", "POST"])
@access.breach_view_required
def decision(breach_id: uuid.UUID, kind: str):
    breach_row = get_or_404(Breach, breach_id)
    if kind not in DECISION_SCHEMAS:
        abort(404)
    decider = access.decider(kind)
    if decider is None:
        abort(403)  # the FG never decides, nor anyone without the board role or a mandate
    closed = _closed_guard(breach_row)
    if closed:
        return closed
    if request.method == "GET":
        return _decision_page(breach_row, kind, formvalues.from_object({}, DECISION_FIELDS), {})
    data, errors = load_form(DECISION_SCHEMAS[kind]())
    if errors:
        return _decision_page(breach_row, kind, request.form, errors, 422)
    role, mandate = decider
    service.decide(breach_row, kind, data, role, mandate)
    db.session.commit()
    flash(_l("The decision has been recorded."), "success")
    return redirect(url_for(".breach", breach_id=breach_id, _anchor="decisions"))


# --- Notifications to the AP ---------------------------------------------------------------------------------------

@bp.get("/breaches/<uuid:breach_id>/ap-sheet")
@access.breach_view_required
def ap_sheet(breach_id: uuid.UUID):
    breach_row = get_or_404(Breach, breach_id)
    record = service.load(breach_row)
    sections = apsheet.render(apsheet.payload(breach_row, record, g.org))
    return render_template("register/ap_sheet.html", breach=breach_row, sections=sections, frozen=None)


NOTIFICATION_FIELDS = ("kind", "sub_type", "ap_reference", "submitted_at", "withdrawal_reason", "withdrawal_text",
                       "delay_reason", "notifier_name", "notifier_function", "notifier_phone", "notifier_email")


def _notification_page(breach, form, errors, status=200):
    record = service.load(breach)
    return render_template("register/ap_notification_form.html", breach=breach, record=record, form=form,
                           errors=errors, initial=record.initial,
                           late=clock.notified_late(breach.aware_at, utcnow())), status


@bp.route("/breaches/<uuid:breach_id>/ap-notifications/new", methods=["GET", "POST"])
@requires("breach.notify")
def ap_notification_new(breach_id: uuid.UUID):
    breach_row = get_or_404(Breach, breach_id)
    closed = _closed_guard(breach_row)
    if closed:
        return closed
    record = service.load(breach_row)
    if request.method == "GET":
        last = record.notifications[-1] if record.notifications else None
        prefill = {"kind": "supplement" if record.initial else "initial",
                   "ap_reference": record.initial.ap_reference if record.initial else "",
                   "submitted_at": utcnow(), "delay_reason": breach_row.delay_reason}
        if last is not None:
            prefill.update(notifier_name=last.notifier_name, notifier_function=last.notifier_function,
                           notifier_phone=last.notifier_phone, notifier_email=last.notifier_email)
        return _notification_page(breach_row, formvalues.from_object(prefill, NOTIFICATION_FIELDS), {})
    data, errors = load_form(schemas.ApNotificationSchema())
    if errors:
        return _notification_page(breach_row, request.form, errors, 422)
    payload = apsheet.payload(breach_row, record, g.org, data)
    row = service.record_notification(breach_row, data, payload)
    db.session.commit()
    flash(_l("The notification has been recorded with a frozen copy of what was sent."), "success")
    return redirect(url_for(".ap_notification", breach_id=breach_id, ap_notification_id=row.id))


@bp.get("/breaches/<uuid:breach_id>/ap-notifications/<uuid:ap_notification_id>")
@access.breach_view_required
def ap_notification(breach_id: uuid.UUID, ap_notification_id: uuid.UUID):
    breach_row = get_or_404(Breach, breach_id)
    row = get_or_404(ApNotification, ap_notification_id)
    if row.breach_id != breach_row.id:
        abort(404)
    return render_template("register/ap_sheet.html", breach=breach_row, sections=apsheet.render(row.payload),
                           frozen=row)


# --- Communication and crisis communication --------------------------------------------------------------------------

COMMUNICATION_FIELDS = ("channel", "sent_at", "to_legal_representatives", "institution_is_guardian", "reach_count",
                        "all_subjects_reached", "content", "proof", "covers_contact_point", "covers_consequences",
                        "covers_measures")


@bp.route("/breaches/<uuid:breach_id>/communications/new", methods=["GET", "POST"])
@requires("breach.communicate")
def communication_new(breach_id: uuid.UUID):
    breach_row = get_or_404(Breach, breach_id)
    closed = _closed_guard(breach_row)
    if closed:
        return closed
    minors = "child_client" in (breach_row.subject_categories or ())
    if request.method == "GET":
        form = formvalues.from_object({}, COMMUNICATION_FIELDS, sent_at=utcnow(), to_legal_representatives=minors)
        return render_template("register/communication_form.html", breach=breach_row, form=form, errors={},
                               minors=minors)
    data, errors = load_form(schemas.CommunicationSchema())
    if errors:
        return render_template("register/communication_form.html", breach=breach_row, form=request.form,
                               errors=errors, minors=minors), 422
    service.record_communication(breach_row, data)
    db.session.commit()
    flash(_l("The communication to the people affected has been recorded."), "success")
    return redirect(url_for(".breach", breach_id=breach_id, _anchor="communication"))


@bp.route("/breaches/<uuid:breach_id>/crisis-messages/new", methods=["GET", "POST"])
@requires("breach.communicate")
def crisis_message_new(breach_id: uuid.UUID):
    breach_row = get_or_404(Breach, breach_id)
    fields_ = ("stakeholder", "at", "channel", "summary")
    if request.method == "GET":
        return render_template("register/crisis_form.html", breach=breach_row,
                               form=formvalues.from_object({}, fields_, at=utcnow()), errors={})
    data, errors = load_form(schemas.CrisisMessageSchema())
    if errors:
        return render_template("register/crisis_form.html", breach=breach_row, form=request.form, errors=errors), 422
    service.record_crisis_message(breach_row, data)
    db.session.commit()
    flash(_l("Added to the crisis-communication timeline."), "success")
    return redirect(url_for(".breach", breach_id=breach_id, _anchor="communication"))


# --- The handling checklist ----------------------------------------------------------------------------------------

@bp.route("/breaches/<uuid:breach_id>/steps/<step>", methods=["GET", "POST"])
@requires("breach.edit")
def step(breach_id: uuid.UUID, step: str):
    breach_row = get_or_404(Breach, breach_id)
    if step not in enums.HANDLING_STEP:
        abort(404)
    closed = _closed_guard(breach_row)
    if closed:
        return closed
    if request.method == "GET":
        return render_template("register/step_form.html", breach=breach_row, step=step,
                               form=formvalues.from_object({}, ("done_at", "note"), done_at=utcnow()), errors={})
    form = request.form.copy()
    form["step"] = step
    data, errors = load_form(schemas.StepSchema(), form)
    if errors:
        return render_template("register/step_form.html", breach=breach_row, step=step, form=request.form,
                               errors=errors), 422
    try:
        service.tick_step(breach_row, data)
    except service.RegisterError as exc:
        db.session.rollback()
        _error_page(exc)
        return redirect(url_for(".breach", breach_id=breach_id, _anchor="checklist"))
    db.session.commit()
    flash(_l("Step recorded."), "success")
    return redirect(url_for(".breach", breach_id=breach_id, _anchor="checklist"))


# --- Parties ---------------------------------------------------------------------------------------------------------

@bp.route("/breaches/<uuid:breach_id>/parties/new", methods=["GET", "POST"])
@requires("breach.edit")
def party_new(breach_id: uuid.UUID):
    breach_row = get_or_404(Breach, breach_id)
    closed = _closed_guard(breach_row)
    if closed:
        return closed
    if request.method == "GET":
        return render_template("register/party_form.html", breach=breach_row,
                               form=formvalues.from_object({}, ("role", "name", "notified_controller_at", "note")),
                               errors={})
    data, errors = load_form(schemas.PartySchema())
    if errors:
        return render_template("register/party_form.html", breach=breach_row, form=request.form, errors=errors), 422
    service.add_party(breach_row, data)
    db.session.commit()
    flash(_l("Party added."), "success")
    return redirect(url_for(".breach", breach_id=breach_id, _anchor="parties"))


@bp.post("/breaches/<uuid:breach_id>/parties/<uuid:party_id>/remove")
@requires("breach.edit")
def party_remove(breach_id: uuid.UUID, party_id: uuid.UUID):
    breach_row = get_or_404(Breach, breach_id)
    party = get_or_404(Party, party_id)
    try:
        service.remove_party(breach_row, party)
    except service.RegisterError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        _error_page(exc)
        return redirect(url_for(".breach", breach_id=breach_id, _anchor="parties"))
    db.session.commit()
    flash(_l("Party removed."), "success")
    return redirect(url_for(".breach", breach_id=breach_id, _anchor="parties"))


# --- Measures ----------------------------------------------------------------------------------------------------------

MEASURE_FIELDS = ("kind", "title", "description", "owner_id", "due_date", "status", "done_at", "target_incident_type")


@bp.route("/breaches/<uuid:breach_id>/measures/new", methods=["GET", "POST"])
@requires("measure.manage")
def measure_new(breach_id: uuid.UUID):
    breach_row = get_or_404(Breach, breach_id)
    closed = _closed_guard(breach_row)
    if closed:
        return closed
    kind = request.args.get("kind") if request.args.get("kind") in enums.MEASURE_KIND else "corrective"
    if request.method == "GET":
        form = formvalues.from_object({}, MEASURE_FIELDS, kind=kind, status="planned",
                                      target_incident_type=breach_row.incident_type
                                      if breach_row.incident_type != "tbd" else None)
        return render_template("register/measure_form.html", breach=breach_row, measure=None, form=form, errors={},
                               members=_members())
    data, errors = load_form(schemas.MeasureSchema())
    if errors:
        return render_template("register/measure_form.html", breach=breach_row, measure=None, form=request.form,
                               errors=errors, members=_members()), 422
    service.add_measure(breach_row, data)
    db.session.commit()
    flash(_l("Measure added."), "success")
    return redirect(url_for(".breach", breach_id=breach_id, _anchor="measures"))


@bp.route("/measures/<uuid:measure_id>", methods=["GET", "POST"])
@requires("incident.report")
def measure(measure_id: uuid.UUID):
    row = get_or_404(Measure, measure_id)
    if not (can("measure.manage") or row.owner_id == current_user.id):
        abort(403)
    breach_row = db.session.get(Breach, (row.tenant_id, row.breach_id)) if row.breach_id else None
    if request.method == "GET":
        return render_template("register/measure_form.html", breach=breach_row, measure=row,
                               form=formvalues.from_object(row, MEASURE_FIELDS), errors={}, members=_members())
    data, errors = load_form(schemas.MeasureSchema())
    if errors:
        return render_template("register/measure_form.html", breach=breach_row, measure=row, form=request.form,
                               errors=errors, members=_members()), 422
    service.update_measure(row, data)
    db.session.commit()
    flash(_l("Measure saved."), "success")
    if breach_row is not None and access.may_view_breaches():
        return redirect(url_for(".breach", breach_id=breach_row.id, _anchor="measures"))
    return redirect(url_for(".measure", measure_id=row.id))


# --- Closing ------------------------------------------------------------------------------------------------------------

@bp.post("/breaches/<uuid:breach_id>/close")
@requires("breach.close")
def close(breach_id: uuid.UUID):
    breach_row = get_or_404(Breach, breach_id)
    closed = _closed_guard(breach_row)
    if closed:
        return closed
    _data, errors = load_form(schemas.CloseSchema())
    if errors:
        context = _breach_context(breach_row)
        return render_template("register/breach.html", close_errors=errors, **context), 422
    service.close(breach_row)
    db.session.commit()
    flash(_l("Breach %(reference)s is closed.", reference=breach_row.reference), "success")
    return redirect(url_for(".breach", breach_id=breach_id))


@bp.post("/breaches/<uuid:breach_id>/reopen")
@requires("breach.close")
def reopen(breach_id: uuid.UUID):
    breach_row = get_or_404(Breach, breach_id)
    try:
        service.reopen(breach_row, {})
    except service.RegisterError as exc:
        db.session.rollback()
        _error_page(exc)
        return redirect(url_for(".breach", breach_id=breach_id))
    db.session.commit()
    flash(_l("The breach has been reopened."), "success")
    return redirect(url_for(".breach", breach_id=breach_id))


# --- The processing register (Art. 30) -------------------------------------------------------------------------------

ACTIVITY_FIELDS = service.ACTIVITY_FIELDS


@bp.get("/processing")
@requires("processing.view")
def activities():
    rows = db.session.scalars(sa.select(ProcessingActivity).order_by(ProcessingActivity.active.desc(),
                                                                      ProcessingActivity.name)).all()
    counts = dict(db.session.execute(sa.select(Breach.processing_activity_id, sa.func.count())
                                     .group_by(Breach.processing_activity_id)).all())
    return render_template("register/activities.html", activities=rows, counts=counts)


@bp.route("/processing/new", methods=["GET", "POST"])
@requires("processing.manage")
def activity_new():
    if request.method == "GET":
        return render_template("register/activity_form.html", activity=None,
                               form=formvalues.from_object({}, ACTIVITY_FIELDS, active=True), errors={})
    data, errors = load_form(schemas.ProcessingActivitySchema())
    if errors:
        return render_template("register/activity_form.html", activity=None, form=request.form, errors=errors), 422
    service.save_activity(None, data)
    db.session.commit()
    flash(_l("Activity added to the processing register."), "success")
    return redirect(url_for(".activities"))


@bp.route("/processing/<uuid:processing_activity_id>", methods=["GET", "POST"])
@requires("processing.view")
def activity(processing_activity_id: uuid.UUID):
    row = get_or_404(ProcessingActivity, processing_activity_id)
    if request.method == "GET":
        return render_template("register/activity_form.html", activity=row,
                               form=formvalues.from_object(row, ACTIVITY_FIELDS), errors={})
    if not can("processing.manage"):
        abort(403)
    data, errors = load_form(schemas.ProcessingActivitySchema())
    if errors:
        return render_template("register/activity_form.html", activity=row, form=request.form, errors=errors), 422
    service.save_activity(row, data)
    db.session.commit()
    flash(_l("Activity saved."), "success")
    return redirect(url_for(".activities"))


# --- Decision mandates ----------------------------------------------------------------------------------------------------

def _mandates_page(form, errors, status=200):
    rows = db.session.scalars(sa.select(DecisionMandate).order_by(DecisionMandate.valid_until.desc())).all()
    names = service.user_names([m.grantee_id for m in rows] + [m.granted_by for m in rows])
    today = utcnow().date()
    eligible = [(uid, name) for uid, name in _members()
                if not {"fg", "board"} & set(service.member_roles(uuid.UUID(uid)) or [])]
    return render_template("register/mandates.html", mandates=rows, names=names, today=today, form=form,
                           errors=errors, eligible=eligible), status


@bp.route("/mandates", methods=["GET", "POST"])
@requires("mandate.view")
def mandates():
    fields_ = ("grantee_id", "scope", "valid_from", "valid_until", "note")
    if request.method == "GET":
        today = utcnow().date()
        return _mandates_page(formvalues.from_object({}, fields_, valid_from=today,
                                                     valid_until=today + timedelta(days=30),
                                                     scope=list(enums.DECISION_KIND)), {})
    if not can("mandate.manage"):
        abort(403)
    data, errors = load_form(schemas.MandateSchema())
    if errors:
        return _mandates_page(request.form, errors, 422)
    service.grant_mandate(data)
    db.session.commit()
    flash(_l("Mandate granted."), "success")
    return redirect(url_for(".mandates"))


@bp.post("/mandates/<uuid:decision_mandate_id>/revoke")
@requires("mandate.manage")
def mandate_revoke(decision_mandate_id: uuid.UUID):
    row = get_or_404(DecisionMandate, decision_mandate_id)
    try:
        service.revoke_mandate(row)
    except service.RegisterError as exc:
        db.session.rollback()
        _error_page(exc)
        return redirect(url_for(".mandates"))
    db.session.commit()
    flash(_l("Mandate revoked."), "success")
    return redirect(url_for(".mandates"))
