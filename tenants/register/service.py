"""The breach workflow's business operations (no Flask request objects).

Every operation changes rows of the current tenant, keeps the breach's derived state
(`refresh`) consistent, writes an audit entry in the same transaction, and asks for
notification mails (subject, reference, link; never contents). Input has been validated
by the schemas (rules.py) before it gets here; what is left are conflicts with the
state of the breach (`RegisterError`, HTTP 409).
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import g
from sqlalchemy.dialects import postgresql
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from lekwijzer import audit, mail
from lekwijzer.db import db, utcnow
from lekwijzer.models import Membership, User

from . import clock, minimisation, rules
from .enums import HANDLING_STEP
from .models import (ApNotification, Breach, BreachAssessment, CrisisMessage, Decision, DecisionMandate, FgAdvice,
                     HandlingStep, Incident, Measure, Party, ProcessingActivity, SubjectCommunication)

SECTION_FIELDS = {
    "facts": ("title", "processing_activity_id", "incident_type", "cause", "cause_description", "what_happened",
              "nature", "confidentiality_level", "integrity_level", "availability_level", "unintelligible",
              "measures_in_place"),
    "people": ("subject_categories", "data_categories", "persons_count_mode", "persons_min", "persons_max",
               "records_count"),
    "timeline": ("occurrence_mode", "occurred_from", "occurred_until", "dates_estimated", "discovery_source",
                 "discovered_at", "processor_notified_controller_at", "aware_at", "awareness_justification",
                 "contained_at", "ended_at", "delay_reason"),
    "consequences": ("consequences", "impacts", "impact_severity", "ended_how", "no_corrective_measures_reason",
                     "reported_to_police", "other_authorities", "cross_border"),
    "prevention": ("prevention_notes",),
}
# Free-text fields checked for personal identifiers (rule 16).
BREACH_TEXT = ("title", "cause_description", "what_happened", "awareness_justification", "consequences",
               "ended_how", "no_corrective_measures_reason", "prevention_notes", "other_authorities",
               "delay_reason", "no_notification_reasoning")
INCIDENT_TEXT = ("what_happened", "information_kind", "actions_taken", "triage_reason")


class RegisterError(Exception):
    """The request conflicts with the state of the breach; the message is for the person."""

    def __init__(self, message, status: int = 409):
        super().__init__(str(message))
        self.message = message
        self.status = status


def _actor_user() -> uuid.UUID | None:
    actor = getattr(g, "actor", None)
    return actor[1] if actor and actor[0] == "user" else None


def members_with(role: str) -> list[uuid.UUID]:
    rows = db.session.scalars(sa.select(Membership).where(Membership.tenant_id == g.org.id)).all()
    return [m.user_id for m in rows if role in (m.roles or [])]


def _notify_all(user_ids, kind: str, object_id) -> None:
    for user_id in dict.fromkeys(user_ids):
        mail.notify(user_id, kind, g.org, object_id)


# --- Loading a breach with everything that hangs off it ---------------------------------------

@dataclass
class Record:
    breach: Breach
    assessments: list[BreachAssessment] = field(default_factory=list)
    advice: list[FgAdvice] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    notifications: list[ApNotification] = field(default_factory=list)
    communications: list[SubjectCommunication] = field(default_factory=list)
    crisis: list[CrisisMessage] = field(default_factory=list)
    steps: list[HandlingStep] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)

    @property
    def assessment(self) -> BreachAssessment | None:
        return self.assessments[-1] if self.assessments else None

    @property
    def latest_advice(self) -> FgAdvice | None:
        return self.advice[-1] if self.advice else None

    def current_decision(self, kind: str) -> Decision | None:
        current = [d for d in self.decisions if d.kind == kind and d.superseded_at is None]
        return current[-1] if current else None

    @property
    def initial(self) -> ApNotification | None:
        return next((n for n in self.notifications if n.kind == "initial"), None)


def load(breach: Breach) -> Record:
    def rows(model, order):
        return db.session.scalars(sa.select(model).where(model.breach_id == breach.id).order_by(order)).all()

    return Record(
        breach=breach,
        assessments=rows(BreachAssessment, BreachAssessment.version),
        advice=rows(FgAdvice, FgAdvice.given_at),
        decisions=rows(Decision, Decision.decided_at),
        notifications=rows(ApNotification, ApNotification.submitted_at),
        communications=rows(SubjectCommunication, SubjectCommunication.sent_at),
        crisis=rows(CrisisMessage, CrisisMessage.at),
        steps=rows(HandlingStep, HandlingStep.done_at),
        parties=rows(Party, Party.name),
        measures=rows(Measure, Measure.created_at),
    )


def derived(breach, record: Record) -> dict:
    """The breach's derived columns, computed from its rows: the one place these rules live.

    Reads only `breach.aware_at` and the rows in `record` (ORM objects or plain rows with
    the same attribute names), so `refresh` and `refresh_many` give the same answer.
    """
    aware_at = breach.aware_at
    initial = record.initial
    notified_at = initial.submitted_at if initial else None
    notify = record.current_decision("notify_ap")
    inform = record.current_decision("inform_subjects")
    informed = [c.sent_at for c in record.communications]
    everybody = any(c.all_subjects_reached for c in record.communications)
    assessment = record.assessment
    risk_outcome = assessment.risk_outcome if assessment else None
    if inform is not None:
        if inform.communication_status == "exempt_art34_3":
            status = "exempt_art34_3"
        elif inform.communication_status == "not_required_not_high_risk":
            status = "not_required_not_high_risk"
        else:
            status = "done" if everybody else ("planned_date" if inform.planned_on else "planned_tbd")
    else:
        status = "done" if everybody else ("investigation_ongoing" if risk_outcome == "high_risk" else None)
    return {
        "ap_deadline_at": clock.deadline(aware_at),
        "ap_notified_at": notified_at,
        "notified_late": clock.notified_late(aware_at, notified_at),
        "followup_open": rules.followup_open(record.notifications),
        "notify_ap": notify.outcome if notify else None,
        "inform_subjects": inform.outcome if inform else None,
        "no_notification_reasoning": notify.reasoning if notify is not None and not notify.outcome else None,
        "subjects_informed_at": min(informed) if informed else None,
        "severity_score": assessment.score if assessment else None,
        "severity_band": (assessment.override_band or assessment.band) if assessment else None,
        "risk_outcome": risk_outcome,
        "subjects_planned_on": inform.planned_on if inform is not None else None,
        "subject_communication_status": status,
    }


def refresh(breach: Breach, record: Record | None = None) -> Record:
    """Recompute the breach's derived columns from its rows (one rule, everywhere)."""
    db.session.flush()
    record = record or load(breach)
    for name, value in derived(breach, record).items():
        setattr(breach, name, value)
    breach.updated_at = utcnow()
    return record


REFRESH_BATCH = 500
# The columns `derived` reads, per kind of row (loaded as plain rows, not ORM objects).
_ROWS = {
    "assessments": (BreachAssessment, (BreachAssessment.score, BreachAssessment.band, BreachAssessment.override_band,
                                       BreachAssessment.risk_outcome), (BreachAssessment.version,)),
    "decisions": (Decision, (Decision.kind, Decision.outcome, Decision.reasoning, Decision.superseded_at,
                             Decision.communication_status, Decision.planned_on), (Decision.decided_at,)),
    "notifications": (ApNotification, (ApNotification.kind, ApNotification.sub_type, ApNotification.submitted_at),
                      (ApNotification.submitted_at,)),
    "communications": (SubjectCommunication, (SubjectCommunication.sent_at, SubjectCommunication.all_subjects_reached),
                       (SubjectCommunication.sent_at,)),
}


def _among(column, ids: list):
    """`column IN ids`: one array parameter on PostgreSQL rather than hundreds of them."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, ids, type_=postgresql.ARRAY(sa.Uuid())))
    return column.in_(ids)


def refresh_many(breach_ids=None) -> int:
    """`refresh` for many breaches at once: rows written around this service (bulk loads,
    demo data, test factories) get the same derived columns as the workflow gives them.

    The current tenant's breaches (all of them, or those in `breach_ids`) in batches: one
    query per kind of row per batch, `derived` per breach, one bulk UPDATE per batch.
    `updated_at` is left alone: nothing about the breach changed. Returns the number of
    breaches recomputed.
    """
    db.session.flush()
    stmt = sa.select(Breach.tenant_id, Breach.id, Breach.aware_at)
    if breach_ids is None:
        breaches = db.session.execute(stmt).all()
    else:
        wanted = list(dict.fromkeys(breach_ids))
        breaches = [b for start in range(0, len(wanted), REFRESH_BATCH)
                    for b in db.session.execute(stmt.where(_among(Breach.id, wanted[start:start + REFRESH_BATCH])))]
    names: list[str] = []
    for start in range(0, len(breaches), REFRESH_BATCH):
        batch = breaches[start:start + REFRESH_BATCH]
        ids = [b.id for b in batch]
        rows: dict = {}
        for kind, (model, columns, order) in _ROWS.items():
            found = db.session.execute(sa.select(model.breach_id, *columns)
                                       .where(_among(model.breach_id, ids)).order_by(model.breach_id, *order))
            for row in found:
                rows.setdefault((kind, row.breach_id), []).append(row)
        values = []
        for b in batch:
            record = Record(breach=b, **{kind: rows.get((kind, b.id), []) for kind in _ROWS})
            values.append(derived(b, record))
            names = list(values[-1])
            values[-1].update(tenant_id=b.tenant_id, id=b.id)
        db.session.execute(sa.update(Breach), values)
    # Breach objects this session already holds read the new values on their next access.
    recomputed = {b.id for b in breaches}
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Breach) and obj.id in recomputed:
            db.session.expire(obj, names)
    return len(breaches)


# --- Incident intake and triage --------------------------------------------------------------

def report_incident(data: dict, token_id=None) -> Incident:
    incident = Incident(
        reported_by=_actor_user(), reported_token_id=token_id,
        what_happened=data["what_happened"], occurred_at=data.get("occurred_at"),
        noticed_at=data.get("noticed_at"), information_kind=data.get("information_kind"),
        people_estimate=data.get("people_estimate"), actions_taken=data.get("actions_taken"),
        status="new",
    )
    db.session.add(incident)
    db.session.flush()
    audit.record("incident.reported", "incident", incident.id,
                 meta={"people_estimate": incident.people_estimate or None})
    _notify_all(members_with("privacy_officer"), "incident.reported", incident.id)
    return incident


_REF = re.compile(r"^DL-(\d{4})-(\d+)$")


def next_reference(year: int) -> str:
    """DL-2026-014: the next number of the year, per organisation."""
    refs = db.session.scalars(sa.select(Breach.reference).where(Breach.reference.like(f"DL-{year}-%"))).all()
    numbers = [int(m.group(2)) for m in (_REF.match(r) for r in refs) if m]
    return f"DL-{year}-{(max(numbers) if numbers else 0) + 1:03d}"


def create_breach(**values) -> Breach:
    """Insert a breach with the next free reference (retries when another took it)."""
    year = (values.get("aware_at") or utcnow()).year
    for _attempt in range(5):
        breach = Breach(reference=next_reference(year), **values)
        try:
            with db.session.begin_nested():
                db.session.add(breach)
        except IntegrityError:
            continue  # two triages at once: take the next number
        return breach
    raise RegisterError(_l("Could not assign a reference; try again."))


def triage(incident: Incident, data: dict) -> Breach | None:
    if incident.status != "new":
        raise RegisterError(_l("This incident has already been triaged."))
    now = utcnow()
    incident.triaged_by, incident.triaged_at = _actor_user(), now
    incident.triage_reason = data.get("reason")
    if data["outcome"] == "not_breach":
        incident.status = "not_breach"
        audit.record("incident.triaged", "incident", incident.id, meta={"outcome": "not_breach"})
        return None
    incident.status = "breach"
    breach = create_breach(
        incident_id=incident.id, title=data["title"].strip(), status="open",
        what_happened=incident.what_happened, occurred_from=incident.occurred_at,
        occurrence_mode="specific_day" if incident.occurred_at else "tbd",
        discovered_at=incident.noticed_at, aware_at=data["aware_at"],
        awareness_justification=data.get("awareness_justification"),
        processing_activity_id=data.get("processing_activity_id"),
        incident_type=data.get("incident_type") or "tbd", discovery_source="controller",
    )
    db.session.flush()
    db.session.add(HandlingStep(breach_id=breach.id, step="establish", done_at=now, done_by=_actor_user(),
                                note=None))
    refresh(breach)
    audit.record("incident.triaged", "incident", incident.id, meta={"outcome": "breach", "breach": breach.id})
    audit.record("breach.created", "breach", breach.id, meta={"reference": breach.reference})
    # The AP: involve the FG from the start.
    _notify_all(members_with("fg"), "breach.advice_requested", breach.id)
    return breach


# --- The register entry, section by section ------------------------------------------------------

def update_section(breach: Breach, section: str, data: dict) -> list[str]:
    _require_open(breach)
    changed = []
    for name in SECTION_FIELDS[section]:
        if name in data and getattr(breach, name) != data[name]:
            setattr(breach, name, data[name])
            changed.append(name)
    refresh(breach)
    audit.record(f"breach.{section}_updated", "breach", breach.id, meta={"fields": len(changed)})
    return changed


def _require_open(breach: Breach) -> None:
    if breach.status == "closed":
        raise RegisterError(_l("This breach is closed. Reopen it to change it."))


# --- Severity and risk -----------------------------------------------------------------------------

def record_assessment(breach: Breach, data: dict, result) -> BreachAssessment:
    _require_open(breach)
    version = (db.session.scalar(sa.select(sa.func.max(BreachAssessment.version))
                                 .where(BreachAssessment.breach_id == breach.id)) or 0) + 1
    row = BreachAssessment(
        breach_id=breach.id, version=version, created_by=_actor_user(),
        dpc_base=result.dpc_base, dpc_adjustment=result.dpc_adjustment,
        dpc_adjustment_reason=(data.get("dpc_adjustment_reason") or None) if result.dpc_adjustment else None,
        dpc_final=result.dpc_final, ease_of_identification=result.ease_of_identification,
        cb_confidentiality=result.cb_confidentiality, cb_integrity=result.cb_integrity,
        cb_availability=result.cb_availability, cb_malicious=result.cb_malicious,
        malicious_reason=data.get("malicious_reason") or None,
        score=result.score, band=result.band, formula=result.formula(),
        flag_over_100=result.flag_over_100, flag_unintelligible=result.flag_unintelligible,
        override_band=data.get("override_band") or None, override_reason=data.get("override_reason") or None,
        risk_outcome=data["risk_outcome"], risk_reasoning=data["risk_reasoning"].strip(),
        inputs={"data_categories": list(breach.data_categories or []), "nature": list(breach.nature or []),
                "confidentiality_level": breach.confidentiality_level,
                "integrity_level": breach.integrity_level, "availability_level": breach.availability_level,
                "persons_max": breach.persons_max, "unintelligible": breach.unintelligible,
                "dpc_basis": [list(b) for b in result.dpc_basis]},
    )
    db.session.add(row)
    db.session.flush()
    first = version == 1
    refresh(breach)
    audit.record("breach.assessed", "breach", breach.id,
                 meta={"version": version, "band": row.band, "override": row.override_band,
                       "risk": row.risk_outcome})
    if first:
        _notify_all(members_with("board"), "breach.decision_needed", breach.id)
    return row


# --- FG advice and decisions ------------------------------------------------------------------------

def record_advice(breach: Breach, data: dict) -> FgAdvice:
    _require_open(breach)
    row = FgAdvice(breach_id=breach.id, given_by=_actor_user(), given_at=utcnow(),
                   involved_from=data.get("involved_from"), advise_notify_ap=data["advise_notify_ap"],
                   advise_inform_subjects=data["advise_inform_subjects"], advice=data["advice"].strip())
    db.session.add(row)
    db.session.flush()
    audit.record("breach.fg_advice", "breach", breach.id,
                 meta={"notify_ap": row.advise_notify_ap, "inform": row.advise_inform_subjects})
    _notify_all(members_with("board"), "breach.decision_needed", breach.id)
    return row


INFORM_STATUS = {"inform": None, "not_required": "not_required_not_high_risk", "exempt": "exempt_art34_3"}


def decide(breach: Breach, kind: str, data: dict, role: str, mandate: DecisionMandate | None) -> Decision:
    """Record a decision; the previous one of the same kind is superseded, never removed."""
    _require_open(breach)
    if role not in ("board", "mandated_manager"):  # rule 12: never the FG
        raise RegisterError(_l("Only the board or a mandated manager takes this decision."), 403)
    record = load(breach)
    advice = record.latest_advice
    if kind == "notify_ap":
        outcome = data["choice"] == "yes"
        attribute = "advise_notify_ap"
    else:
        outcome = data["choice"] == "inform"
        attribute = "advise_inform_subjects"
    followed = None
    if advice is not None:
        advised = getattr(advice, attribute)
        followed = None if advised is None else advised == outcome
    now = utcnow()
    for previous in record.decisions:
        if previous.kind == kind and previous.superseded_at is None:
            previous.superseded_at = now
    row = Decision(
        breach_id=breach.id, kind=kind, outcome=outcome, reasoning=data["reasoning"].strip(),
        override_note=data.get("override_note") or None,
        art34_ground=data.get("art34_ground"), art34_justification=data.get("art34_justification"),
        art34_evidence=data.get("art34_evidence"),
        communication_status=INFORM_STATUS.get(data["choice"]) if kind == "inform_subjects" else None,
        planned_on=data.get("planned_on") if kind == "inform_subjects" else None,
        decided_by=_actor_user(), decided_role=role, decided_at=now, mandate_id=mandate.id if mandate else None,
        fg_advice_id=advice.id if advice else None, fg_advice_followed=followed,
        deviation_reason=(data.get("deviation_reason") or None) if followed is False else None,
        no_fg_advice_reason=(data.get("no_fg_advice_reason") or None) if advice is None else None,
    )
    db.session.add(row)
    db.session.flush()
    record = refresh(breach)
    if kind == "notify_ap" and not outcome:
        _auto_step(breach, record, "notify_ap")
    if kind == "inform_subjects" and not outcome:
        _auto_step(breach, record, "inform_subjects")
    audit.record("breach.decided", "breach", breach.id,
                 meta={"kind": kind, "outcome": outcome, "role": role, "fg_followed": followed,
                       "ground": row.art34_ground})
    return row


def _auto_step(breach: Breach, record: Record, step: str) -> None:
    if any(s.step == step for s in record.steps):
        return
    db.session.add(HandlingStep(breach_id=breach.id, step=step, done_at=utcnow(), done_by=_actor_user()))
    audit.record("breach.step_done", "breach", breach.id, meta={"step": step, "auto": True})


# --- Notifications to the AP ---------------------------------------------------------------------------

def record_notification(breach: Breach, data: dict, payload: dict) -> ApNotification:
    _require_open(breach)
    record = load(breach)
    initial = record.initial
    row = ApNotification(
        breach_id=breach.id, kind=data["kind"], sub_type=data.get("sub_type"),
        ap_reference=data["ap_reference"], initial_id=initial.id if initial and data["kind"] != "initial" else None,
        submitted_at=data["submitted_at"], withdrawal_reason=data.get("withdrawal_reason"),
        withdrawal_text=data.get("withdrawal_text"), payload=payload,
        notifier_name=data["notifier_name"], notifier_function=data["notifier_function"],
        notifier_phone=data["notifier_phone"], notifier_email=data.get("notifier_email"),
        late=data["kind"] == "initial" and clock.notified_late(breach.aware_at, data["submitted_at"]),
        created_by=_actor_user(),
    )
    if data["kind"] == "initial" and (data.get("delay_reason") or "").strip():
        breach.delay_reason = data["delay_reason"].strip()
    db.session.add(row)
    db.session.flush()
    record = refresh(breach)
    if data["kind"] == "initial":
        _auto_step(breach, record, "notify_ap")
    audit.record("breach.ap_notification", "breach", breach.id,
                 meta={"kind": row.kind, "sub_type": row.sub_type, "late": row.late})
    return row


# --- Communication, crisis communication, the checklist ------------------------------------------------

def record_communication(breach: Breach, data: dict) -> SubjectCommunication:
    _require_open(breach)
    row = SubjectCommunication(breach_id=breach.id, created_by=_actor_user(),
                               **{k: data.get(k) for k in (
                                   "channel", "sent_at", "to_legal_representatives", "reach_count",
                                   "all_subjects_reached", "content", "proof", "covers_contact_point",
                                   "covers_consequences", "covers_measures", "institution_is_guardian")})
    row.to_legal_representatives = bool(row.to_legal_representatives)
    row.institution_is_guardian = bool(row.institution_is_guardian)
    db.session.add(row)
    db.session.flush()
    record = refresh(breach)
    if breach.subject_communication_status == "done":
        _auto_step(breach, record, "inform_subjects")
    audit.record("breach.communication", "breach", breach.id,
                 meta={"channel": row.channel, "all_reached": row.all_subjects_reached})
    return row


def record_crisis_message(breach: Breach, data: dict) -> CrisisMessage:
    row = CrisisMessage(breach_id=breach.id, stakeholder=data["stakeholder"], at=data["at"],
                        channel=data.get("channel"), summary=data["summary"].strip(), by_user=_actor_user())
    db.session.add(row)
    db.session.flush()
    breach.updated_at = utcnow()
    audit.record("breach.crisis_message", "breach", breach.id, meta={"stakeholder": row.stakeholder})
    return row


def tick_step(breach: Breach, data: dict) -> HandlingStep:
    _require_open(breach)
    step = data["step"]
    if step not in HANDLING_STEP:
        raise RegisterError(_l("Unknown step."), 422)
    existing = db.session.scalar(sa.select(HandlingStep).where(HandlingStep.breach_id == breach.id,
                                                               HandlingStep.step == step))
    if existing is not None:
        raise RegisterError(_l("This step has already been recorded."))
    row = HandlingStep(breach_id=breach.id, step=step, done_at=data.get("done_at") or utcnow(),
                       done_by=_actor_user(), note=data.get("note"))
    db.session.add(row)
    db.session.flush()
    breach.updated_at = utcnow()
    audit.record("breach.step_done", "breach", breach.id, meta={"step": step})
    return row


# --- Parties and measures ---------------------------------------------------------------------------------

def add_party(breach: Breach, data: dict) -> Party:
    _require_open(breach)
    row = Party(breach_id=breach.id, role=data["role"], name=data["name"].strip(),
                notified_controller_at=data.get("notified_controller_at"), note=data.get("note"))
    db.session.add(row)
    db.session.flush()
    breach.updated_at = utcnow()
    audit.record("breach.party_added", "party", row.id, meta={"role": row.role, "breach": breach.id})
    return row


def remove_party(breach: Breach, party: Party) -> None:
    _require_open(breach)
    if party.breach_id != breach.id:
        raise RegisterError(_l("This party belongs to another breach."), 404)
    audit.record("breach.party_removed", "party", party.id, meta={"role": party.role, "breach": breach.id})
    db.session.delete(party)
    breach.updated_at = utcnow()


MEASURE_FIELDS = ("kind", "title", "description", "owner_id", "due_date", "status", "done_at",
                  "target_incident_type")


def add_measure(breach: Breach | None, data: dict) -> Measure:
    if breach is not None:
        _require_open(breach)
    row = Measure(breach_id=breach.id if breach else None, **{k: data.get(k) for k in MEASURE_FIELDS})
    if row.status is None:
        row.status = "planned"
    db.session.add(row)
    db.session.flush()
    if breach is not None:
        refresh(breach)
    audit.record("measure.created", "measure", row.id, meta={"kind": row.kind, "status": row.status,
                                                            "breach": breach.id if breach else None})
    return row


def update_measure(measure: Measure, data: dict) -> Measure:
    before = measure.status
    for name in MEASURE_FIELDS:
        if name in data:
            setattr(measure, name, data[name])
    db.session.flush()
    if measure.breach_id:
        breach = db.session.get(Breach, (measure.tenant_id, measure.breach_id))
        if breach is not None:
            refresh(breach)
    audit.record("measure.updated", "measure", measure.id, meta={"from": before, "to": measure.status})
    return measure


# --- Closing and reopening ----------------------------------------------------------------------------------

def close(breach: Breach) -> None:
    from . import completeness

    _require_open(breach)
    record = refresh(breach)
    if completeness.missing(breach, record):
        raise RegisterError(_l("The breach cannot be closed yet: see what is missing."), 422)
    breach.status, breach.closed_at, breach.closed_by = "closed", utcnow(), _actor_user()
    audit.record("breach.closed", "breach", breach.id, meta={"notified": bool(breach.ap_notified_at),
                                                            "late": breach.notified_late})


def reopen(breach: Breach, data: dict) -> None:
    if breach.status != "closed":
        raise RegisterError(_l("This breach is open."))
    breach.status, breach.closed_at, breach.closed_by = "open", None, None
    breach.updated_at = utcnow()
    audit.record("breach.reopened", "breach", breach.id)


# --- The processing register and decision mandates ------------------------------------------------------------

ACTIVITY_FIELDS = ("name", "purpose", "legal_basis", "data_categories", "subject_categories", "systems",
                   "processors", "retention", "active")


def save_activity(activity: ProcessingActivity | None, data: dict) -> ProcessingActivity:
    created = activity is None
    activity = activity or ProcessingActivity()
    for name in ACTIVITY_FIELDS:
        if name in data:
            setattr(activity, name, data[name])
    if created:
        db.session.add(activity)
    db.session.flush()
    audit.record("processing_activity.created" if created else "processing_activity.updated",
                 "processing_activity", activity.id, meta={"active": activity.active})
    return activity


def member_roles(user_id) -> list[str] | None:
    row = db.session.scalar(sa.select(Membership).where(Membership.tenant_id == g.org.id,
                                                        Membership.user_id == user_id))
    return list(row.roles or []) if row else None


def grant_mandate(data: dict) -> DecisionMandate:
    row = DecisionMandate(grantee_id=data["grantee_id"], granted_by=_actor_user(), scope=list(data["scope"]),
                          valid_from=data["valid_from"], valid_until=data["valid_until"], note=data.get("note"))
    db.session.add(row)
    db.session.flush()
    audit.record("mandate.granted", "decision_mandate", row.id,
                 meta={"grantee": row.grantee_id, "scope": ",".join(row.scope)})
    return row


def revoke_mandate(mandate: DecisionMandate) -> None:
    if mandate.revoked_at is not None:
        raise RegisterError(_l("This mandate has already been revoked."))
    mandate.revoked_at, mandate.revoked_by = utcnow(), _actor_user()
    audit.record("mandate.revoked", "decision_mandate", mandate.id)


def active_mandate(user_id, kind: str, today: date | None = None) -> DecisionMandate | None:
    if user_id is None:
        return None
    today = today or utcnow().date()
    rows = db.session.scalars(sa.select(DecisionMandate).where(
        DecisionMandate.grantee_id == user_id, DecisionMandate.revoked_at.is_(None),
        DecisionMandate.valid_from <= today, DecisionMandate.valid_until >= today)).all()
    return next((m for m in rows if kind in (m.scope or [])), None)


# --- Warnings (shown, never blocking) ----------------------------------------------------------------------------

WARNING_MESSAGES = {
    "processor_awareness": _l("The processor told us before the recorded moment of awareness; in principle the "
                              "organisation is aware once the processor has informed it."),
    "records_below_persons": _l("Fewer records than people: one person usually has at least one record."),
    "guardian_conflict": _l("The institution is itself the guardian of a child affected: it is both the party "
                            "responsible for the breach and the child's representative. Inform the child "
                            "directly where its age allows and consider informing the court or the Child "
                            "Protection Board."),
    "categories_outside_activity": _l("Some kinds of data or people are not listed for the linked processing "
                                      "activity: the processing register may be incomplete."),
}


def warnings(breach: Breach, record: Record) -> list[dict]:
    """Data-minimisation findings and other things worth a second look, for page and API."""
    out = [w.as_dict() for w in minimisation.check_object(breach, BREACH_TEXT)]
    for prefix, rows, fields in (
            ("measures", record.measures, ("title", "description")),
            ("communications", record.communications, ("content", "proof")),
            ("crisis", record.crisis, ("summary",)),
            ("parties", record.parties, ("note",)),
            ("advice", record.advice, ("advice",)),
            ("decisions", record.decisions, ("reasoning", "override_note", "deviation_reason",
                                             "art34_justification", "art34_evidence")),
            ("assessments", record.assessments, ("risk_reasoning", "dpc_adjustment_reason", "override_reason")),
            ("steps", record.steps, ("note",))):
        for row in rows:
            out += [w.as_dict() for w in minimisation.check_object(row, fields, prefix=f"{prefix}.")]
    # de-duplicate per field and kind
    seen, unique = set(), []
    for w in out:
        key = (w["field"], w["kind"])
        if key not in seen:
            seen.add(key)
            unique.append(w)
    for code in rules.timeline_warnings({"processor_notified_controller_at": breach.processor_notified_controller_at,
                                         "aware_at": breach.aware_at}):
        unique.append({"field": "processor_notified_controller_at", "kind": code,
                       "message": str(WARNING_MESSAGES[code])})
    for code in rules.count_warnings({"records_count": breach.records_count, "persons_min": breach.persons_min}):
        unique.append({"field": "records_count", "kind": code, "message": str(WARNING_MESSAGES[code])})
    if any(c.institution_is_guardian for c in record.communications):
        unique.append({"field": "communications", "kind": "guardian_conflict",
                       "message": str(WARNING_MESSAGES["guardian_conflict"])})
    if breach.processing_activity_id:
        activity = db.session.get(ProcessingActivity, (breach.tenant_id, breach.processing_activity_id))
        if activity is not None:
            extra_data = set(breach.data_categories or ()) - set(activity.data_categories or ()) - {"unknown", "other"}
            extra_people = set(breach.subject_categories or ()) - set(activity.subject_categories or ()) \
                - {"unknown", "other"}
            if extra_data or extra_people:
                unique.append({"field": "data_categories", "kind": "categories_outside_activity",
                               "message": str(WARNING_MESSAGES["categories_outside_activity"])})
    return unique


def user_names(ids) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.name for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
