"""Exports of the breach register: CSV and XLSX with Dutch headers, JSON in the EDPB template.

One row per breach, breaches only (`queries.register_scope`), with the list's filters.
Rows are streamed from the database in batches (yield_per); each batch's related rows
(assessment, advice, decisions, AP notifications, communication, measures, parties) are
loaded with one query per kind. The file is written to a spooled temporary buffer and
stored in the `register_export` row, where every process can serve it.

Names of reporters and handlers are left out unless the export was explicitly asked
with `include_names` (a separate right, recorded in the audit trail).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
import time
from collections import defaultdict
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Callable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql
from flask_babel import force_locale, format_date, gettext

from lekwijzer import audit
from lekwijzer.db import db, utcnow
from lekwijzer.models import Org, User
from lekwijzer.roles import N_
from lekwijzer.tenancy import current_tenant_id
from tenants.register import clock, enums
from tenants.register.models import (ApNotification, Breach, BreachAssessment, CrisisMessage, Decision, FgAdvice,
                                     HandlingStep, Incident, Measure, Party, ProcessingActivity,
                                     SubjectCommunication)

from . import queries
from .models import RegisterExport
from .schemas import RegisterFilterSchema

BATCH = 500
EXPORT_TTL = timedelta(days=7)
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
SPREADSHEET_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- What one breach brings along ----------------------------------------------------------

@dataclass
class Entry:
    """A breach with the rows that hang off it, loaded per batch."""

    breach: sa.Row  # the Breach's columns (and a few joined ones), read as a tuple
    activity: str | None
    reported_at: datetime | None
    reported_by: object
    triaged_by: object
    assessment: BreachAssessment | None
    advice: FgAdvice | None
    decisions: dict  # kind -> current Decision
    notifications: list
    communications: list
    measures: list
    parties: list
    steps: list
    crisis_messages: int
    names: dict  # user id -> name (only when names are included)
    now: datetime

    @property
    def initial(self) -> ApNotification | None:
        initials = [n for n in self.notifications if n.kind == "initial"]
        return initials[0] if initials else None

    @property
    def notify(self) -> Decision | None:
        return self.decisions.get("notify_ap")

    @property
    def inform(self) -> Decision | None:
        return self.decisions.get("inform_subjects")

    @property
    def clock(self) -> clock.ClockState:
        """The 72-hour clock as the register list and the breach page show it (the breach's
        derived columns, the rules of tenants/register/clock.py)."""
        b = self.breach
        return clock.state(b.aware_at, self.now, notified_at=b.ap_notified_at, notify_decision=b.notify_ap,
                           closed=b.status == "closed")

    def name(self, user_id) -> str | None:
        return self.names.get(user_id) if user_id else None


def _latest(rows, key):
    out = {}
    for row in rows:
        current = out.get(row.breach_id)
        if current is None or key(row) > key(current):
            out[row.breach_id] = row
    return out


def _grouped(rows):
    out = defaultdict(list)
    for row in rows:
        out[row.breach_id].append(row)
    return out


def _columns(model) -> list:
    """Every column of a model as ORM attributes: rows come back as light tuples (no ORM
    objects to track), and the session still adds the tenant criteria to the select."""
    return [getattr(model, attr.key) for attr in sa.inspect(model).column_attrs]


def _among(column, ids: list):
    """`column IN ids`: one array parameter on PostgreSQL rather than hundreds of them."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, ids, type_=postgresql.ARRAY(sa.Uuid())))
    return column.in_(ids)


def _load_batch(batch, include_names: bool, now: datetime) -> list[Entry]:
    ids = [row.id for row in batch]
    s = db.session

    def rows(model, *order, where=()):
        stmt = sa.select(*_columns(model)).where(_among(model.breach_id, ids), *where).order_by(*order)
        return s.execute(stmt).all()

    assessments = _latest(rows(BreachAssessment, BreachAssessment.version), key=lambda a: a.version)
    advice = _latest(rows(FgAdvice, FgAdvice.given_at), key=lambda a: a.given_at)
    decisions = defaultdict(dict)
    for d in rows(Decision, Decision.decided_at, Decision.id, where=(Decision.superseded_at.is_(None),)):
        decisions[d.breach_id][d.kind] = d  # the latest current decision of each kind wins
    notifications = _grouped(rows(ApNotification, ApNotification.submitted_at, ApNotification.created_at))
    communications = _grouped(rows(SubjectCommunication, SubjectCommunication.sent_at))
    measures = _grouped(rows(Measure, Measure.kind, Measure.due_date, Measure.created_at))
    parties = _grouped(rows(Party, Party.role, Party.name))
    steps = _grouped(rows(HandlingStep, HandlingStep.done_at))
    crisis = dict(s.execute(sa.select(CrisisMessage.breach_id, sa.func.count())
                            .where(_among(CrisisMessage.breach_id, ids)).group_by(CrisisMessage.breach_id)).all())
    names = {}
    if include_names:
        people = set()
        for row in batch:
            people |= {row.incident_reported_by, row.incident_triaged_by, row.closed_by}
        for kinds in decisions.values():
            people |= {d.decided_by for d in kinds.values()}
        people.discard(None)
        if people:
            names = dict(s.execute(sa.select(User.id, User.name).where(User.id.in_(people))).all())
    entries = []
    for row in batch:
        entries.append(Entry(
            breach=row, activity=row.activity_name, reported_at=row.incident_reported_at,
            reported_by=row.incident_reported_by, triaged_by=row.incident_triaged_by,
            assessment=assessments.get(row.id), advice=advice.get(row.id), decisions=decisions.get(row.id, {}),
            notifications=notifications.get(row.id, []), communications=communications.get(row.id, []),
            measures=measures.get(row.id, []), parties=parties.get(row.id, []), steps=steps.get(row.id, []),
            crisis_messages=crisis.get(row.id, 0), names=names, now=now))
    return entries


def stream_entries(filters: dict, include_names: bool, now: datetime):
    """Yield batches of entries in the list's order, straight from a database cursor."""
    stmt = (sa.select(*_columns(Breach), ProcessingActivity.name.label("activity_name"),
                      Incident.reported_at.label("incident_reported_at"),
                      Incident.reported_by.label("incident_reported_by"),
                      Incident.triaged_by.label("incident_triaged_by"))
            .select_from(Breach)
            .outerjoin(ProcessingActivity, sa.and_(ProcessingActivity.tenant_id == Breach.tenant_id,
                                                   ProcessingActivity.id == Breach.processing_activity_id))
            .outerjoin(Incident, sa.and_(Incident.tenant_id == Breach.tenant_id, Incident.id == Breach.incident_id)))
    stmt = queries.apply_filters(queries.register_scope(stmt), filters, now)
    stmt = queries.apply_sort(stmt, filters.get("sort", "aware"), filters.get("order", "desc"))
    if db.session.get_bind().dialect.name == "postgresql":
        # The cursor is read to the end: plan for all of it (this transaction only reads).
        db.session.execute(sa.text("SELECT set_config('cursor_tuple_fraction', '1', true)"))
    result = db.session.execute(stmt.execution_options(yield_per=BATCH))
    for partition in result.partitions():
        yield _load_batch(partition, include_names, now)


# --- Values -------------------------------------------------------------------------------

# While a file is being built, translations are looked up once per text, not once per cell.
_memo: ContextVar[dict | None] = ContextVar("listing_export_labels", default=None)


def _t(text) -> str:
    memo = _memo.get()
    if memo is None:
        return gettext(text)
    try:
        return memo[text]
    except KeyError:
        return memo.setdefault(text, gettext(text))


def _label(mapping, key):
    """The label of a code in the current language; the code itself when it is unknown."""
    if key is None:
        return None
    value = mapping.get(key)
    return _t(value) if isinstance(value, str) else key


def _labels(mapping, keys):
    return "; ".join(_label(mapping, k) for k in (keys or [])) or None


def _data_label(key):
    return _t(enums.DATA_CATEGORY[key][2]) if key in enums.DATA_CATEGORY else key


def _subject_label(key):
    return _t(enums.SUBJECT_CATEGORY[key][0]) if key in enums.SUBJECT_CATEGORY else key


def _level_label(mapping, key):
    return _t(mapping[key][1]) if key in mapping else key


def _yes_no(value):
    if value is None:
        return None
    return _t(N_("yes")) if value else _t(N_("no"))


def _day(value):
    """A date (or a moment's day) as Dutch people write it: 05-03-2026."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(queries.LOCAL)
    return value.strftime("%d-%m-%Y")


def _moment(value):
    """A moment in Dutch time: 05-03-2026 14:30."""
    return value.astimezone(queries.LOCAL).strftime("%d-%m-%Y %H:%M") if value else ""


def _measure_line(m: Measure) -> str:
    bits = [_label(enums.MEASURE_STATUS, m.status)]
    if m.due_date:
        bits.append(_t(N_("due %(date)s")) % {"date": _day(m.due_date)})
    return f"{m.title} ({', '.join(bits)})"


def _measures(entry: Entry, kind: str):
    return "; ".join(_measure_line(m) for m in entry.measures if m.kind == kind) or None


def _followups(entry: Entry):
    lines = []
    for n in entry.notifications:
        if n.kind == "initial":
            continue
        text = f"{_label(enums.AP_NOTIFICATION_KIND, n.kind)} {_moment(n.submitted_at)} ({n.ap_reference})"
        if n.kind == "withdrawal" and n.withdrawal_reason:
            text += f": {_label(enums.WITHDRAWAL_REASON, n.withdrawal_reason)}"
        lines.append(text)
    return "; ".join(lines) or None


def _parties(entry: Entry):
    return "; ".join(f"{_label(enums.PARTY_ROLE, p.role)}: {p.name}" for p in entry.parties) or None


def _steps(entry: Entry):
    return "; ".join(f"{_label(enums.HANDLING_STEP, s.step)} ({_day(s.done_at)})" for s in entry.steps) or None


def _special(b: Breach):
    if not b.data_categories:
        return None
    return any(enums.DATA_CATEGORY.get(k, ("ordinary",))[0] in ("special_art9", "criminal_art10")
               for k in b.data_categories)


def _communicated(entry: Entry):
    sent = [c.sent_at for c in entry.communications]
    return min(sent) if sent else None


def _reach(entry: Entry):
    counts = [c.reach_count for c in entry.communications if c.reach_count is not None]
    return sum(counts) if counts else None


def _all_reached(entry: Entry):
    flags = [c.all_subjects_reached for c in entry.communications if c.all_subjects_reached is not None]
    return any(flags) if flags else None


def _channels(entry: Entry):
    keys = list(dict.fromkeys(c.channel for c in entry.communications))
    return _labels(enums.CHANNEL, keys)


def _assessment(attr):
    return lambda e: getattr(e.assessment, attr) if e.assessment else None


def _decision(kind, attr):
    return lambda e: getattr(e.decisions.get(kind), attr, None)


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # English msgid; shown in Dutch
    value: Callable[[Entry], object]
    width: int = 18
    names: bool = False  # a name of a reporter or handler: only with include_names


def _b(attr):
    return lambda e: getattr(e.breach, attr)


COLUMNS: tuple[Column, ...] = (
    # Facts (Art. 33(5)) and classification
    Column("reference", N_("Internal reference"), _b("reference"), 16),
    Column("title", N_("Title"), _b("title"), 40),
    Column("status", N_("Status"), lambda e: _label(enums.BREACH_STATUS, e.breach.status), 12),
    Column("processing_activity", N_("Processing activity"), lambda e: e.activity, 28),
    Column("incident_type", N_("Type of incident"), lambda e: _label(enums.INCIDENT_TYPE, e.breach.incident_type), 32),
    Column("cause", N_("Cause"), lambda e: _label(enums.CAUSE, e.breach.cause), 24),
    Column("cause_description", N_("Cause explained"), _b("cause_description"), 40),
    Column("what_happened", N_("What happened"), _b("what_happened"), 60),
    Column("discovery_source", N_("Discovered by"), lambda e: _label(enums.DISCOVERY_SOURCE, e.breach.discovery_source)),
    Column("nature", N_("Nature of the breach (C/I/A)"), lambda e: _labels(enums.NATURE, e.breach.nature), 30),
    Column("confidentiality_level", N_("Loss of confidentiality"),
           lambda e: _level_label(enums.CONFIDENTIALITY_LEVEL, e.breach.confidentiality_level) or None, 28),
    Column("integrity_level", N_("Loss of integrity"),
           lambda e: _level_label(enums.INTEGRITY_LEVEL, e.breach.integrity_level) or None, 28),
    Column("availability_level", N_("Loss of availability"),
           lambda e: _level_label(enums.AVAILABILITY_LEVEL, e.breach.availability_level) or None, 28),
    Column("unintelligible", N_("Encrypted or otherwise unintelligible"),
           lambda e: _label(enums.UNINTELLIGIBLE, e.breach.unintelligible), 24),
    Column("measures_in_place", N_("Measures in place before the breach"),
           lambda e: _labels(enums.MEASURES_IN_PLACE, e.breach.measures_in_place), 30),
    Column("data_categories", N_("Categories of personal data"),
           lambda e: "; ".join(_data_label(k) for k in e.breach.data_categories or []) or None, 40),
    Column("special_data", N_("Special or criminal-law personal data"), lambda e: _yes_no(_special(e.breach)), 14),
    Column("subject_categories", N_("Categories of people affected"),
           lambda e: "; ".join(_subject_label(k) for k in e.breach.subject_categories or []) or None, 36),
    Column("persons_count_mode", N_("Number of people: how determined"),
           lambda e: _label(enums.COUNT_MODE, e.breach.persons_count_mode), 16),
    Column("persons_min", N_("Number of people (minimum)"), _b("persons_min"), 12),
    Column("persons_max", N_("Number of people (maximum)"), _b("persons_max"), 12),
    Column("records_count", N_("Number of data records"), _b("records_count"), 12),
    # Timeline
    Column("reported_at", N_("Reported internally on"), lambda e: e.reported_at),
    Column("occurrence_mode", N_("When the breach took place"),
           lambda e: _label(enums.OCCURRENCE_MODE, e.breach.occurrence_mode), 22),
    Column("occurred_from", N_("Breach began"), _b("occurred_from")),
    Column("occurred_until", N_("End of the breach"), _b("occurred_until")),
    Column("dates_estimated", N_("Dates estimated"), lambda e: _yes_no(e.breach.dates_estimated), 10),
    Column("discovered_at", N_("Discovered on"), _b("discovered_at")),
    Column("processor_notified_controller_at", N_("Reported to us by the processor on"),
           _b("processor_notified_controller_at")),
    Column("aware_at", N_("Aware on (start of the 72 hours)"), _b("aware_at")),
    Column("awareness_justification", N_("Explanation of the moment of awareness"), _b("awareness_justification"), 40),
    Column("deadline_at", N_("AP notification deadline (72 hours)"), _b("ap_deadline_at")),
    Column("contained_at", N_("Contained on"), _b("contained_at")),
    Column("ended_at", N_("Ended on"), _b("ended_at")),
    # Consequences
    Column("consequences", N_("(Likely) consequences for the people affected"), _b("consequences"), 50),
    Column("impacts", N_("Kinds of harm"), lambda e: _labels(enums.IMPACT, e.breach.impacts), 36),
    Column("impact_severity", N_("Severity of the consequences"),
           lambda e: _label(enums.IMPACT_SEVERITY, e.breach.impact_severity), 14),
    # Severity (ENISA) and risk
    Column("enisa_method", N_("Severity method"), _assessment("method"), 16),
    Column("dpc_base", N_("DPC base"), _assessment("dpc_base"), 8),
    Column("dpc_adjustment", N_("DPC adjustment"), _assessment("dpc_adjustment"), 8),
    Column("dpc_adjustment_reason", N_("Reason for the DPC adjustment"), _assessment("dpc_adjustment_reason"), 36),
    Column("dpc_final", N_("DPC (data processing context)"), _assessment("dpc_final"), 8),
    Column("ease_of_identification", N_("EI (ease of identification)"), _assessment("ease_of_identification"), 8),
    Column("cb_confidentiality", N_("CB confidentiality"), _assessment("cb_confidentiality"), 8),
    Column("cb_integrity", N_("CB integrity"), _assessment("cb_integrity"), 8),
    Column("cb_availability", N_("CB availability"), _assessment("cb_availability"), 8),
    Column("cb_malicious", N_("CB malicious intent"), _assessment("cb_malicious"), 8),
    Column("severity_score", N_("Severity score (SE)"), _b("severity_score"), 10),
    Column("severity_band", N_("Severity band"), lambda e: _label(enums.ENISA_BAND, e.breach.severity_band), 12),
    Column("formula", N_("Calculation"), _assessment("formula"), 30),
    Column("flag_over_100", N_("Flag: more than 100 people"), lambda e: _yes_no(_assessment("flag_over_100")(e)), 10),
    Column("flag_unintelligible", N_("Flag: data unintelligible"),
           lambda e: _yes_no(_assessment("flag_unintelligible")(e)), 10),
    Column("override_band", N_("Band set by hand"),
           lambda e: _label(enums.ENISA_BAND, _assessment("override_band")(e)), 12),
    Column("override_reason", N_("Reason for setting the band by hand"), _assessment("override_reason"), 36),
    Column("risk_outcome", N_("Risk assessment"), lambda e: _label(enums.RISK_OUTCOME, e.breach.risk_outcome), 22),
    Column("risk_reasoning", N_("Reasoning of the risk assessment"), _assessment("risk_reasoning"), 50),
    # FG involvement and the decision to notify
    Column("fg_involved", N_("FG involved"), lambda e: _yes_no(e.advice is not None), 10),
    Column("fg_involved_from", N_("FG involved from"), lambda e: e.advice.involved_from if e.advice else None),
    Column("fg_advice_notify", N_("FG advice: notify the AP"),
           lambda e: _yes_no(e.advice.advise_notify_ap) if e.advice else None, 10),
    Column("fg_advice_inform", N_("FG advice: inform the people affected"),
           lambda e: _yes_no(e.advice.advise_inform_subjects) if e.advice else None, 10),
    Column("fg_advice", N_("FG advice"), lambda e: e.advice.advice if e.advice else None, 40),
    Column("decision_notify", N_("Decision: notify the AP"),
           lambda e: _yes_no(e.notify.outcome) if e.notify else None, 10),
    Column("decision_role", N_("Decision taken by (role)"),
           lambda e: _label(enums.DECISION_ROLE, e.notify.decided_role) if e.notify else None, 16),
    Column("decided_at", N_("Decision taken on"), _decision("notify_ap", "decided_at")),
    Column("decision_reasoning", N_("Reasoning of the decision"), _decision("notify_ap", "reasoning"), 40),
    Column("fg_advice_followed", N_("FG advice followed"),
           lambda e: _yes_no(e.notify.fg_advice_followed) if e.notify else None, 10),
    Column("deviation_reason", N_("Why the FG advice was not followed"), _decision("notify_ap", "deviation_reason"), 36),
    Column("no_notification_reasoning", N_("Why the AP was not notified"), _b("no_notification_reasoning"), 40),
    # AP notifications
    Column("notified_ap", N_("Notified to the AP"), lambda e: _yes_no(e.initial is not None), 10),
    Column("ap_notified_at", N_("Date of the AP notification"), _b("ap_notified_at")),
    Column("ap_reference", N_("AP reference"), lambda e: e.initial.ap_reference if e.initial else None, 18),
    Column("ap_sub_type", N_("Notification complete or to be supplemented"),
           lambda e: _label(enums.AP_SUB_TYPE, e.initial.sub_type) if e.initial else None, 18),
    Column("ap_followups", N_("Supplements, amendments and withdrawal"), _followups, 40),
    Column("notified_late", N_("Notified late (after 72 hours)"),
           lambda e: _yes_no(e.breach.notified_late) if e.breach.ap_notified_at else None, 10),
    Column("delay_reason", N_("Reason for the delay"), _b("delay_reason"), 36),
    Column("clock", N_("72-hour clock"), lambda e: _t(e.clock.label), 22),
    Column("overdue", N_("72 hours passed without a notification or a decision not to notify"),
           lambda e: _yes_no(e.clock.code == "overdue"), 10),
    # The people affected
    Column("decision_inform", N_("Decision: inform the people affected"),
           lambda e: _yes_no(e.inform.outcome) if e.inform else None, 10),
    Column("art34_ground", N_("Art. 34(3) exception"),
           lambda e: _label(enums.ART34_GROUND, e.inform.art34_ground) if e.inform else None, 30),
    Column("art34_justification", N_("Justification of the exception"),
           _decision("inform_subjects", "art34_justification"), 36),
    Column("communication_status", N_("Communication to the people affected"),
           lambda e: _label(enums.SUBJECT_COMMUNICATION_STATUS, e.breach.subject_communication_status), 24),
    Column("informed_at", N_("People informed on"), _communicated),
    Column("informed_channel", N_("How the people were informed"), _channels, 24),
    Column("informed_reach", N_("Number of people reached"), _reach, 12),
    Column("all_reached", N_("Everyone reached"), lambda e: _yes_no(_all_reached(e)), 10),
    Column("crisis_messages", N_("Crisis-communication messages"), lambda e: e.crisis_messages, 10),
    # Measures and closing
    Column("corrective_measures", N_("Corrective measures"), lambda e: _measures(e, "corrective"), 50),
    Column("no_corrective_reason", N_("Why no corrective measures are needed"),
           _b("no_corrective_measures_reason"), 36),
    Column("ended_how", N_("How the breach was ended"), _b("ended_how"), 36),
    Column("preventive_measures", N_("Preventive measures"), lambda e: _measures(e, "preventive"), 50),
    Column("measures_open", N_("Measures not yet implemented"),
           lambda e: sum(1 for m in e.measures if m.status in ("planned", "in_progress")), 10),
    Column("parties", N_("Processors or other parties involved"), _parties, 36),
    Column("handling_steps", N_("Handling steps done"), _steps, 40),
    Column("created_at", N_("Registered on"), _b("created_at")),
    Column("closed_at", N_("Closed on"), _b("closed_at")),
    # Names: only when explicitly asked for
    Column("reported_by", N_("Reported by"), lambda e: e.name(e.reported_by), 24, names=True),
    Column("triaged_by", N_("Assessed (triage) by"), lambda e: e.name(e.triaged_by), 24, names=True),
    Column("decided_by", N_("Decision taken by (name)"),
           lambda e: e.name(e.notify.decided_by) if e.notify else None, 24, names=True),
    Column("ap_notifier", N_("Notifier at the AP"), lambda e: e.initial.notifier_name if e.initial else None,
           24, names=True),
    Column("closed_by", N_("Closed by"), lambda e: e.name(e.breach.closed_by), 24, names=True),
)


def columns(include_names: bool) -> list[Column]:
    return [c for c in COLUMNS if include_names or not c.names]


def headers(include_names: bool) -> list[str]:
    with force_locale("nl"):
        return [gettext(c.header) for c in columns(include_names)]


# --- Filters described for people -----------------------------------------------------------

FILTER_LABELS = {
    "q": N_("Search"), "aware_from": N_("Aware from"), "aware_until": N_("Aware until"),
    "incident_type": N_("Type of incident"), "band": N_("Severity band"), "risk_outcome": N_("Risk assessment"),
    "status": N_("Status"), "notified": N_("Notified to the AP"), "overdue": N_("Only overdue"),
    "late": N_("Only notified late"), "running": N_("Only within the 72 hours"),
}
NOT_ASSESSED = N_("Not yet assessed")


def describe_filters(filters: dict) -> list[tuple[str, str]]:
    """(label, value) for every filter in use, in the current language."""
    out = []
    for key, label in FILTER_LABELS.items():
        value = filters.get(key)
        if value in (None, "", False):
            continue
        if isinstance(value, date):
            text = format_date(value, "medium")
        elif value is True:
            text = gettext("yes")
        elif value == "none":
            text = gettext(NOT_ASSESSED)
        elif key == "incident_type":
            text = _label(enums.INCIDENT_TYPE, value)
        elif key == "band":
            text = _label(enums.ENISA_BAND, value)
        elif key == "risk_outcome":
            text = _label(enums.RISK_OUTCOME, value)
        elif key == "status":
            text = _label(enums.BREACH_STATUS, value)
        elif key == "notified":
            text = gettext("yes") if value == "yes" else gettext("no")
        else:
            text = str(value)
        out.append((gettext(label), text))
    return out


def stored_filters(data: dict) -> dict:
    """The filter part of a request, JSON-ready (dates as ISO strings)."""
    schema = RegisterFilterSchema()
    return schema.dump({k: data.get(k) for k in schema.fields if k in data})


def loaded_filters(stored: dict) -> dict:
    return RegisterFilterSchema().load(stored or {})


# --- Writers ------------------------------------------------------------------------------

def _local_naive(value: datetime) -> datetime:
    from .queries import LOCAL

    return value.astimezone(LOCAL).replace(tzinfo=None)


def _safe_text(value: str) -> str:
    # A cell that starts like a formula is shown as text, never evaluated (CSV injection).
    return "'" + value if value.startswith(SPREADSHEET_FORMULA_START) else value


class CsvWriter:
    """Semicolon-separated UTF-8 with a byte-order mark: opens correctly in Dutch Excel."""

    def __init__(self, out, cols, meta):
        self.out, self.cols = out, cols
        self.out.write("\ufeff".encode("utf-8"))
        self._write([gettext(c.header) for c in cols])

    def _write(self, values):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(values)
        self.out.write(buffer.getvalue().encode("utf-8"))

    @staticmethod
    def _cell(value):
        if value is None:
            return ""
        if isinstance(value, datetime):
            return _moment(value)
        if isinstance(value, date):
            return _day(value)
        if isinstance(value, Decimal):
            return format(value, "f").replace(".", ",")
        if isinstance(value, str):
            return _safe_text(value)
        return str(value)

    def rows(self, entries):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        for entry in entries:
            writer.writerow([self._cell(c.value(entry)) for c in self.cols])
        self.out.write(buffer.getvalue().encode("utf-8"))

    def finish(self, count, meta):
        pass


class XlsxWriter:
    """openpyxl in write-only mode: rows go to disk as they come, memory stays flat."""

    def __init__(self, out, cols, meta):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        self.out, self.cols = out, cols
        self.WriteOnlyCell = WriteOnlyCell
        self.wb = Workbook(write_only=True)
        self.ws = self.wb.create_sheet(gettext("Breach register")[:31])
        self.ws.freeze_panes = "B2"
        for i, col in enumerate(cols, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = col.width
        bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        head = []
        for col in cols:
            cell = WriteOnlyCell(self.ws, value=gettext(col.header))
            cell.font, cell.alignment = bold, wrap
            head.append(cell)
        self.ws.append(head)
        self.last_column = get_column_letter(len(cols))

    def _cell(self, value):
        if isinstance(value, datetime):
            return _local_naive(value)
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, str) and value.startswith("="):
            cell = self.WriteOnlyCell(self.ws, value=value)
            cell.data_type = "s"  # text, never a formula
            return cell
        return value

    def rows(self, entries):
        append, cell = self.ws.append, self._cell
        for entry in entries:
            append([cell(c.value(entry)) for c in self.cols])

    def finish(self, count, meta):
        self.ws.auto_filter.ref = f"A1:{self.last_column}{count + 1}"
        about = self.wb.create_sheet(gettext("About this export")[:31])
        about.column_dimensions["A"].width = 34
        about.column_dimensions["B"].width = 90
        for label, value in meta:
            about.append([label, value])
        self.wb.save(self.out)


class JsonWriter:
    """The EDPB notification template's structure (field ids f3–f126), one record per breach."""

    def __init__(self, out, cols, meta):
        self.out = out
        self.first = True
        self.out.write(b'{\n "records": [\n')

    def rows(self, entries):
        for entry in entries:
            record = json.dumps(edpb_record(entry), ensure_ascii=False, default=_json_default)
            self.out.write(((b"" if self.first else b",\n") + b"  " + record.encode("utf-8")))
            self.first = False

    def finish(self, count, meta_json):
        tail = json.dumps(meta_json, ensure_ascii=False, default=_json_default, indent=1)[1:]
        self.out.write(b"\n ],\n" + tail.encode("utf-8") + b"\n")


def _json_default(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


WRITERS = {"csv": CsvWriter, "xlsx": XlsxWriter, "json": JsonWriter}

# EDPB f56/f58/f59 from the ENISA circumstance levels the register keeps.
F56 = {"none_evidence": "likely_no_evidence", "known_recipients": "exfiltrated_or_disclosed",
       "unknown_recipients": "exfiltrated_or_disclosed"}
F59 = {"recoverable_easily": "temporary", "temporary": "temporary", "permanent": "permanent"}


def edpb_record(e: Entry) -> dict:
    """One register entry in the EDPB template's field ids; the rest under x_lekwijzer."""
    b, a, initial = e.breach, e.assessment, e.initial
    nature = b.nature or []
    subjects = list(dict.fromkeys(enums.SUBJECT_CATEGORY[k][1] for k in (b.subject_categories or [])
                                  if k in enums.SUBJECT_CATEGORY))
    last_communication = e.communications[-1] if e.communications else None
    inform = e.inform
    record = {
        "f3": "new",
        "f4": initial.sub_type if initial else None,
        "f7": b.reference,
        "f44": b.occurrence_mode,
        "f45": b.dates_estimated,
        "f46": b.occurred_from,
        "f47": b.occurred_until,
        "f48": b.aware_at,
        "f49": b.delay_reason,
        "f50": b.discovery_source,
        "f52": b.processor_notified_controller_at,
        "f55": nature,
        "f56": F56.get(b.confidentiality_level) if "confidentiality" in nature else None,
        "f57": b.unintelligible,
        "f58": b.integrity_level if "integrity" in nature else None,
        "f59": F59.get(b.availability_level) if "availability" in nature else None,
        "f60": b.incident_type,
        "f61": b.cause,
        "f65": subjects,
        "f67": b.persons_count_mode,
        "f68": b.persons_max if b.persons_max is not None else b.persons_min,
        "f70": b.data_categories or [],
        "f73": b.records_count,
        "f75": b.measures_in_place or [],
        "f85": b.impacts or [],
        "f87": b.impact_severity,
        "f89": b.risk_outcome,
        "f92": [m.title for m in e.measures if m.kind == "corrective"],
        "f94": [m.title for m in e.measures if m.kind == "preventive"],
        "f97": b.subject_communication_status,
        "f98": _communicated(e),
        "f100": inform.art34_ground if inform else None,
        "f101": inform.art34_justification if inform else None,
        "f102": (None if _all_reached(e) is None else ("all" if _all_reached(e) else "some")),
        "f104": last_communication.channel if last_communication else None,
        "f106": last_communication.content if last_communication else None,
        "x_lekwijzer": {
            "id": b.id,
            "title": b.title,
            "status": b.status,
            "processing_activity": e.activity,
            "what_happened": b.what_happened,
            "cause_description": b.cause_description,
            "consequences": b.consequences,
            "persons_min": b.persons_min,
            "persons_max": b.persons_max,
            "reported_at": e.reported_at,
            "discovered_at": b.discovered_at,
            "awareness_justification": b.awareness_justification,
            "deadline_at": b.ap_deadline_at,
            "clock": e.clock.code,
            "contained_at": b.contained_at,
            "ended_at": b.ended_at,
            "ended_how": b.ended_how,
            "no_corrective_measures_reason": b.no_corrective_measures_reason,
            "no_notification_reasoning": b.no_notification_reasoning,
            "severity": None if a is None else {
                "method": a.method, "version": a.version, "dpc_base": a.dpc_base, "dpc_adjustment": a.dpc_adjustment,
                "dpc_adjustment_reason": a.dpc_adjustment_reason, "dpc_final": a.dpc_final,
                "ei": a.ease_of_identification, "cb_confidentiality": a.cb_confidentiality,
                "cb_integrity": a.cb_integrity, "cb_availability": a.cb_availability, "cb_malicious": a.cb_malicious,
                "score": a.score, "band": a.band, "formula": a.formula, "flag_over_100": a.flag_over_100,
                "flag_unintelligible": a.flag_unintelligible, "override_band": a.override_band,
                "override_reason": a.override_reason, "risk_outcome": a.risk_outcome,
                "risk_reasoning": a.risk_reasoning,
            },
            "fg_advice": None if e.advice is None else {
                "given_at": e.advice.given_at, "involved_from": e.advice.involved_from,
                "advise_notify_ap": e.advice.advise_notify_ap,
                "advise_inform_subjects": e.advice.advise_inform_subjects, "advice": e.advice.advice,
            },
            "decisions": [{
                "kind": d.kind, "outcome": d.outcome, "decided_role": d.decided_role, "decided_at": d.decided_at,
                "reasoning": d.reasoning, "fg_advice_followed": d.fg_advice_followed,
                "deviation_reason": d.deviation_reason, "art34_ground": d.art34_ground,
                "art34_justification": d.art34_justification,
            } for d in e.decisions.values()],
            "ap_notifications": [{
                "kind": n.kind, "sub_type": n.sub_type, "ap_reference": n.ap_reference,
                "submitted_at": n.submitted_at, "withdrawal_reason": n.withdrawal_reason,
            } for n in e.notifications],
            "notified_late": b.notified_late,
            "measures": [{"kind": m.kind, "title": m.title, "status": m.status, "due_date": m.due_date,
                          "done_at": m.done_at} for m in e.measures],
            "parties": [{"role": p.role, "name": p.name, "notified_controller_at": p.notified_controller_at}
                        for p in e.parties],
            "handling_steps": [{"step": s.step, "done_at": s.done_at} for s in e.steps],
            "created_at": b.created_at,
            "closed_at": b.closed_at,
        },
    }
    if e.names:
        record["x_lekwijzer"]["names"] = {
            "reported_by": e.name(e.reported_by), "triaged_by": e.name(e.triaged_by),
            "decided_by": e.name(e.notify.decided_by) if e.notify else None,
            "ap_notifier": initial.notifier_name if initial else None, "closed_by": e.name(b.closed_by),
        }
    return record


# --- Building an export -------------------------------------------------------------------

def _filename(export: RegisterExport, org: Org, now: datetime) -> str:
    stamp = now.astimezone(queries.LOCAL).strftime("%Y%m%d-%H%M")
    return f"datalekregister-{org.slug}-{stamp}.{export.format}"


def build(export: RegisterExport, out, progress: Callable[[int, int], None] | None = None,
          now: datetime | None = None) -> int:
    """Write the export's file to `out`; returns the number of breaches written."""
    now = now or utcnow()
    filters = loaded_filters(export.filters)
    org = db.session.get(Org, current_tenant_id())
    total = queries.count(filters, now)
    with force_locale("nl"):
        token = _memo.set({})
        try:
            cols = columns(export.include_names)
            writer = WRITERS[export.format](out, cols, None)
            count, last_report = 0, 0.0
            for entries in stream_entries(filters, export.include_names, now):
                writer.rows(entries)
                count += len(entries)
                if progress and time.monotonic() - last_report > 0.5:
                    progress(count, total)
                    last_report = time.monotonic()
            if export.format == "json":
                meta = {
                    "template": "EDPB personal data breach notification template (draft, June 2026)",
                    "field_ids": "f3-f126; fields the template does not have are under x_lekwijzer",
                    "generated_by": "Lekwijzer", "generated_at": now,
                    "controller": {"name": org.name, "kvk": org.kvk},
                    "filters": export.filters, "includes_names": export.include_names, "record_count": count,
                }
            else:
                meta = [
                    (gettext("Organisation"), org.name),
                    (gettext("Made on"), _moment(now)),
                    (gettext("Number of breaches"), count),
                    (gettext("Filters"), "; ".join(f"{k}: {v}" for k, v in describe_filters(filters))
                     or gettext("none: the whole register")),
                    (gettext("Names of reporters and handlers"),
                     gettext("included (recorded in the audit trail)") if export.include_names else gettext("left out")),
                    (gettext("Contents"), gettext(
                        "One row per personal-data breach. Security incidents that are not personal-data breaches "
                        "are not part of the register and not in this export.")),
                    (gettext("Times"), gettext("Dates and times are in Dutch time (Europe/Amsterdam).")),
                ]
            writer.finish(count, meta)
        finally:
            _memo.reset(token)
    return count


def render(export: RegisterExport, progress=None, now: datetime | None = None) -> tuple[int, bytes]:
    """Build the file (reading only); returns (breaches written, the file's bytes)."""
    spool_limit = current_app.config.get("REGISTER_EXPORT_SPOOL_BYTES", 16 * 1024 * 1024)
    with tempfile.SpooledTemporaryFile(max_size=spool_limit) as out:
        count = build(export, out, progress, now)
        out.seek(0)
        return count, out.read()


def store(export: RegisterExport, count: int, content: bytes, now: datetime | None = None) -> None:
    """Keep the finished file in the export row and record it in the audit trail."""
    now = now or utcnow()
    org = db.session.get(Org, current_tenant_id())
    export.content = content
    export.size = len(content)
    export.sha256 = hashlib.sha256(content).hexdigest()
    export.row_count = count
    export.filename = _filename(export, org, now)
    export.content_type = CONTENT_TYPES[export.format]
    export.status = "done"
    export.finished_at = utcnow()
    export.expires_at = export.finished_at + EXPORT_TTL
    audit.record("register.export_completed", "register_export", export.id,
                 meta={"format": export.format, "rows": count, "include_names": export.include_names},
                 actor=("system", None))
