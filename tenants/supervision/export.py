"""The register as an institution hands it to the AP on request: CSV or XLSX.

Built inside the institution's own tenant (the app role, row-level security), for the
period of the request, one row per register entry, in the column order of the AP's
example register (domain.md §1d), with Dutch headers and Dutch labels. It holds the
register's own text — the AP asked for the register, and the institution reviews the
export before releasing it — but never the names of reporters, handlers or notifiers.
Minimal and self-contained on purpose; the general register exports live in the
listing feature.
"""
from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask_babel import force_locale, format_datetime, gettext

from lekwijzer.db import db
from tenants.register import enums
from tenants.register.models import (ApNotification, Breach, BreachAssessment, Decision, FgAdvice, Measure, Party,
                                     SubjectCommunication)

HEADERS = [
    "Intern kenmerk", "Datum/tijd ontdekking", "Datum/tijd kennisname", "Periode van de inbreuk",
    "Omschrijving: wat is er gebeurd", "Oorzaak", "Aard van de inbreuk", "Soort incident",
    "Categorieën persoonsgegevens", "Categorieën betrokkenen", "Aantal betrokkenen (min–max)",
    "Aantal gegevensrecords", "Versleuteld of onbegrijpelijk gemaakt", "Gevolgen voor betrokkenen",
    "Risico-inschatting", "Motivering risico", "Corrigerende maatregelen", "Preventieve maatregelen",
    "Betrokken verwerkers of andere partijen", "Advies FG", "Gemeld bij AP", "Motivering (niet) melden",
    "Datum melding AP", "Meldnummer AP", "Reden vertraging (>72 uur)", "Betrokkenen geïnformeerd",
    "Aanvullingen en intrekking", "Status", "Afgesloten op",
]
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def content_type(file_format: str) -> str:
    return CONTENT_TYPES[file_format]


def _when(value) -> str:
    return format_datetime(value, "dd-MM-yyyy HH:mm") if value else ""


# Where the label sits in vocabularies whose values are tuples (see tenants.register.enums).
LABEL_AT = {id(enums.DATA_CATEGORY): 2, id(enums.SUBJECT_CATEGORY): 0}


def _label(mapping: dict, key) -> str:
    if key is None:
        return ""
    value = mapping.get(key)
    if isinstance(value, tuple):
        value = value[LABEL_AT.get(id(mapping), -1)]
    return gettext(value) if isinstance(value, str) else str(key)


def _labels(mapping: dict, keys) -> str:
    return "; ".join(_label(mapping, k) for k in keys or [])


def _by_breach(model, ids):
    out = {}
    if not ids:
        return out
    for row in db.session.scalars(sa.select(model).where(model.breach_id.in_(ids))):
        out.setdefault(row.breach_id, []).append(row)
    return out


def rows(period_from, period_until) -> list[list[str]]:
    """The register entries of the current tenant in the period, as rows of text."""
    start = datetime.combine(period_from, time.min, tzinfo=timezone.utc)
    end = datetime.combine(period_until + timedelta(days=1), time.min, tzinfo=timezone.utc)
    anchor = sa.func.coalesce(Breach.aware_at, Breach.created_at)
    breaches = db.session.scalars(sa.select(Breach).where(anchor >= start, anchor < end)
                                  .order_by(anchor, Breach.reference)).all()
    ids = [b.id for b in breaches]
    assessments = _by_breach(BreachAssessment, ids)
    decisions = _by_breach(Decision, ids)
    notifications = _by_breach(ApNotification, ids)
    measures = _by_breach(Measure, ids)
    parties = _by_breach(Party, ids)
    advice = _by_breach(FgAdvice, ids)
    communications = _by_breach(SubjectCommunication, ids)
    out = []
    for b in breaches:
        latest = max(assessments.get(b.id, []), key=lambda a: a.version, default=None)
        notify = [d for d in decisions.get(b.id, []) if d.kind == "notify_ap" and d.superseded_at is None]
        notes = sorted(notifications.get(b.id, []), key=lambda n: n.submitted_at)
        initial = next((n for n in notes if n.kind == "initial"), None)
        follow = [f"{_label(enums.AP_NOTIFICATION_KIND, n.kind)} {_when(n.submitted_at)}" for n in notes
                  if n.kind != "initial"]
        own_measures = measures.get(b.id, [])

        def listed(kind):
            return "; ".join(f"{m.title} ({_label(enums.MEASURE_STATUS, m.status)})" for m in own_measures
                             if m.kind == kind)

        informed = _label(enums.SUBJECT_COMMUNICATION_STATUS, b.subject_communication_status)
        sent = [f"{_when(c.sent_at)} {_label(enums.CHANNEL, c.channel)}" for c in communications.get(b.id, [])]
        out.append([
            b.reference, _when(b.discovered_at), _when(b.aware_at),
            f"{_when(b.occurred_from)} – {_when(b.occurred_until) or _label(enums.OCCURRENCE_MODE, b.occurrence_mode)}",
            b.what_happened or "", " ".join(filter(None, [_label(enums.CAUSE, b.cause), b.cause_description])),
            _labels(enums.NATURE, b.nature), _label(enums.INCIDENT_TYPE, b.incident_type),
            _labels(enums.DATA_CATEGORY, b.data_categories), _labels(enums.SUBJECT_CATEGORY, b.subject_categories),
            f"{b.persons_min if b.persons_min is not None else ''}–{b.persons_max if b.persons_max is not None else ''}",
            "" if b.records_count is None else str(b.records_count), _label(enums.UNINTELLIGIBLE, b.unintelligible),
            b.consequences or "", _label(enums.RISK_OUTCOME, b.risk_outcome),
            latest.risk_reasoning if latest else "",
            listed("corrective") or (b.no_corrective_measures_reason or ""), listed("preventive"),
            "; ".join(f"{_label(enums.PARTY_ROLE, p.role)}: {p.name}" for p in parties.get(b.id, [])),
            "; ".join(a.advice for a in advice.get(b.id, [])),
            ("ja" if notify[0].outcome else "nee") if notify else "",
            (notify[0].reasoning if notify else "") + (f" {b.no_notification_reasoning}" if b.no_notification_reasoning
                                                      else ""),
            _when(initial.submitted_at) if initial else "", initial.ap_reference if initial else "",
            b.delay_reason or "", "; ".join(filter(None, [informed, *sent])), "; ".join(follow),
            _label(enums.BREACH_STATUS, b.status), _when(b.closed_at),
        ])
    return out


def build(period_from, period_until, file_format: str) -> tuple[bytes, int]:
    """The file's bytes and the number of entries in it (Dutch labels whatever the caller's language)."""
    with force_locale("nl"):
        data = rows(period_from, period_until)
    if file_format == "csv":
        text = io.StringIO()
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(data)
        return ("\ufeff" + text.getvalue()).encode("utf-8"), len(data)
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Datalekregister"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in data:
        sheet.append(row)
    sheet.freeze_panes = "B2"
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 24
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), len(data)


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
