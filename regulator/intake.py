"""Intake of the notifications the AP received, from a CSV or JSON file or the API.

All or nothing: every row is validated first and every bad row is reported by its line
and reason; one bad row means nothing of the file is imported. Idempotent: a file seen
before changes nothing, and within a new file each row is known by a hash of its
content, so overlapping exports add only what is new.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext
from marshmallow import ValidationError

from lekwijzer import audit
from lekwijzer.db import db
from lekwijzer.forms import translate_errors

from .models import IntakeBatch, ReceivedNotification
from .schemas import MAX_ROWS, IntakeSchema, ReceivedRowSchema

COLUMNS = ("ap_reference", "kvk", "received_at", "kind", "occurred_at", "aware_at", "incident_type",
           "persons_min", "persons_max", "records_count")
# The AP's exports may use Dutch column names and values.
ALIASES = {
    "meldnummer": "ap_reference", "referentie": "ap_reference", "kenmerk": "ap_reference",
    "kvk_nummer": "kvk", "kvknummer": "kvk", "ontvangen": "received_at", "ontvangen_op": "received_at",
    "soort": "kind", "soort_melding": "kind", "datum_inbreuk": "occurred_at", "begin_inbreuk": "occurred_at",
    "ontdekt_op": "aware_at", "bekend_sinds": "aware_at", "type": "incident_type", "soort_incident": "incident_type",
    "aantal_min": "persons_min", "aantal_max": "persons_max", "aantal_records": "records_count",
}
KIND_ALIASES = {"melding": "initial", "eerste_melding": "initial", "aanvulling": "supplement",
                "wijziging": "amendment", "intrekking": "withdrawal"}


class IntakeRefused(Exception):
    """The file cannot be imported; `errors` lists every reason with its line."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


@dataclass
class IntakeResult:
    batch_id: uuid.UUID | None
    rows: int
    new: int
    already_known: int
    file_already_imported: bool = False
    errors: list = field(default_factory=list)


def _error(line, field_name, message) -> dict:
    return {"line": line, "field": field_name, "message": str(message)}


def _header(name: str) -> str:
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


def _clean(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if value is None:
            continue
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                continue
        out[key] = value
    kind = out.get("kind")
    if isinstance(kind, str):
        out["kind"] = KIND_ALIASES.get(kind.lower(), kind.lower())
    if isinstance(out.get("kvk"), int):
        out["kvk"] = f"{out['kvk']:08d}"
    return out


def parse_csv(raw: bytes) -> tuple[list[dict], list[int]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IntakeRefused([_error(None, None, gettext("The file is not UTF-8 text. Save it as CSV UTF-8."))])
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise IntakeRefused([_error(None, None, gettext("The file is empty."))])
    names = [_header(h) for h in header]
    errors = [_error(1, name, gettext("Unknown column.")) for name in names if name not in COLUMNS]
    missing = [c for c in ("ap_reference", "kvk", "received_at", "kind") if c not in names]
    errors += [_error(1, name, gettext("Required column missing.")) for name in missing]
    if errors:
        raise IntakeRefused(errors)
    rows, lines = [], []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(names):
            errors.append(_error(reader.line_num, None, gettext(
                "Expected %(expected)d values, found %(found)d.", expected=len(names), found=len(values))))
            continue
        rows.append(_clean(dict(zip(names, values))))
        lines.append(reader.line_num)
        if len(rows) > MAX_ROWS:
            raise IntakeRefused([_error(None, None, gettext("Send at most 200,000 notifications at a time."))])
    if errors:
        raise IntakeRefused(errors)
    return rows, lines


def parse_json(raw: bytes) -> tuple[list[dict], list[int]]:
    try:
        body = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise IntakeRefused([_error(None, None, gettext("The file is not valid JSON."))])
    items = body.get("notifications") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise IntakeRefused([_error(None, None, gettext(
            'Expected a list of notifications, or an object with a "notifications" list.'))])
    rows = []
    errors = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(_error(number, None, gettext("Not an object.")))
            continue
        item = {_header(k): v for k, v in item.items()}
        unknown = [k for k in item if k not in COLUMNS]
        errors += [_error(number, k, gettext("Unknown field.")) for k in unknown]
        rows.append(_clean(item))
    if errors:
        raise IntakeRefused(errors)
    return rows, list(range(1, len(rows) + 1))


def parse_file(raw: bytes, filename: str, file_format: str = "auto") -> tuple[list[dict], list[int], str]:
    if file_format == "auto":
        lowered = (filename or "").lower()
        file_format = "json" if lowered.endswith(".json") or raw.lstrip()[:1] in (b"[", b"{") else "csv"
    rows, lines = parse_json(raw) if file_format == "json" else parse_csv(raw)
    return rows, lines, file_format


def validate(rows: list[dict], lines: list[int]) -> list[dict]:
    """Load every row; on any problem raise IntakeRefused with all problems by line."""
    if not rows:
        raise IntakeRefused([_error(None, None, gettext("The file holds no notifications."))])
    try:
        loaded = IntakeSchema().load({"notifications": rows})["notifications"]
    except ValidationError as err:
        messages = err.messages.get("notifications", err.messages)
        problems = []
        if isinstance(messages, dict):
            for index in sorted(k for k in messages if isinstance(k, int)):
                for field_name, texts in translate_errors(messages[index]).items():
                    for text in texts:
                        problems.append(_error(lines[index], None if field_name == "_schema" else field_name, text))
            for key, texts in messages.items():
                if not isinstance(key, int):
                    problems.append(_error(None, None, " ".join(map(str, texts if isinstance(texts, list) else [texts]))))
        else:
            problems.append(_error(None, None, " ".join(gettext(str(m)) for m in messages)))
        raise IntakeRefused(problems)
    schema = ReceivedRowSchema()
    return [schema.normalise(row) for row in loaded]


def _row_hash(row: dict) -> str:
    canonical = json.dumps([row.get(c).isoformat() if hasattr(row.get(c), "isoformat") else row.get(c)
                            for c in COLUMNS], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def import_rows(rows: list[dict], *, file_name: str, file_format: str, file_sha256: str,
                uploaded_by: uuid.UUID | None) -> IntakeResult:
    """Store validated rows in the current (regulator) tenant; nothing twice. Caller commits."""
    existing = db.session.scalar(sa.select(IntakeBatch).where(IntakeBatch.file_sha256 == file_sha256))
    if existing is not None:
        return IntakeResult(existing.id, len(rows), 0, len(rows), file_already_imported=True)
    hashed = {}
    for row in rows:
        hashed.setdefault(_row_hash(row), row)  # identical rows in one file count once
    known = set()
    keys = list(hashed)
    for start in range(0, len(keys), 1000):
        chunk = keys[start:start + 1000]
        known.update(db.session.scalars(sa.select(ReceivedNotification.row_sha256)
                                        .where(ReceivedNotification.row_sha256.in_(chunk))))
    batch = IntakeBatch(file_name=file_name[:200] or "-", file_format=file_format, file_sha256=file_sha256,
                        uploaded_by=uploaded_by, rows_total=len(rows))
    db.session.add(batch)
    db.session.flush()
    fresh = [dict(tenant_id=batch.tenant_id, id=uuid.uuid4(), batch_id=batch.id, row_sha256=key,
                  **{c: row.get(c) for c in COLUMNS})
             for key, row in hashed.items() if key not in known]
    for start in range(0, len(fresh), 5000):
        db.session.execute(sa.insert(ReceivedNotification), fresh[start:start + 5000])
    batch.rows_new = len(fresh)
    audit.record("intake.imported", "intake_batch", batch.id,
                 meta={"rows": len(rows), "new": len(fresh), "format": file_format})
    return IntakeResult(batch.id, len(rows), len(fresh), len(rows) - len(fresh))


def import_file(raw: bytes, filename: str, file_format: str, uploaded_by) -> IntakeResult:
    rows, lines, file_format = parse_file(raw, filename, file_format)
    loaded = validate(rows, lines)
    return import_rows(loaded, file_name=filename or "upload", file_format=file_format,
                       file_sha256=hashlib.sha256(raw).hexdigest(), uploaded_by=uploaded_by)


def import_api(loaded: list[dict], uploaded_by) -> IntakeResult:
    """Rows already loaded by IntakeSchema (the API's @arguments)."""
    schema = ReceivedRowSchema()
    rows = [schema.normalise(dict(row)) for row in loaded]
    body_hash = hashlib.sha256(json.dumps(sorted(_row_hash(r) for r in rows)).encode()).hexdigest()
    return import_rows(rows, file_name="api", file_format="api", file_sha256=body_hash, uploaded_by=uploaded_by)
