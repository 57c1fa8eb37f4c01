"""The regulator's inputs and outputs. One schema per input: forms and the API load alike."""
from __future__ import annotations

from datetime import date, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from lekwijzer.db import utcnow
from tenants.oversight.labels import FILE_FORMAT, INCIDENT_TYPES, LEGAL_BASIS, NOTIFICATION_KINDS

# Times without a zone in the AP's export are Dutch time.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MAX_ROWS = 200_000  # per file or call; larger intakes are split
MAX_PERIOD_DAYS = 366 * 10


def _utc(value):
    return value.astimezone(timezone.utc) if value is not None else None


class ReceivedRowSchema(Schema):
    """One notification as the AP's intake received it: codes, times and counts only."""

    ap_reference = fields.String(required=True, validate=validate.Length(min=1, max=64))
    kvk = fields.String(required=True, validate=validate.Regexp(
        r"^\d{8}$", error=_l("A KvK number has exactly 8 digits.")))
    received_at = fields.AwareDateTime(required=True, default_timezone=AMSTERDAM)
    kind = fields.String(required=True, validate=validate.OneOf(
        list(NOTIFICATION_KINDS), error=_l("Must be one of: initial, supplement, amendment, withdrawal.")))
    occurred_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=AMSTERDAM)
    aware_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=AMSTERDAM)
    incident_type = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
        list(INCIDENT_TYPES), error=_l("Not a known type of incident.")))
    persons_min = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))
    persons_max = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))
    records_count = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))

    @validates("received_at")
    def _not_future(self, value, **kw):
        if value.astimezone(timezone.utc) > utcnow() + timedelta(minutes=5):
            raise ValidationError(_l("Lies in the future."))

    @validates_schema
    def _consistent(self, data, **kw):
        low, high = data.get("persons_min"), data.get("persons_max")
        if low is not None and high is not None and low > high:
            raise ValidationError(_l("The minimum number of people is larger than the maximum."), "persons_max")
        aware, received = data.get("aware_at"), data.get("received_at")
        if aware is not None and received is not None and aware > received:
            raise ValidationError(_l("Awareness lies after the notification was received."), "aware_at")
        occurred = data.get("occurred_at")
        if occurred is not None and aware is not None and occurred > aware:
            raise ValidationError(_l("The breach cannot start after the organisation became aware of it."),
                                  "occurred_at")

    def normalise(self, data: dict) -> dict:
        for key in ("received_at", "occurred_at", "aware_at"):
            data[key] = _utc(data.get(key))
        return data


class IntakeSchema(Schema):
    """A batch of received notifications (the API's body; an uploaded file is parsed into it)."""

    notifications = fields.List(fields.Nested(ReceivedRowSchema), required=True, validate=validate.Length(
        min=1, max=MAX_ROWS, error=_l("Send between 1 and 200,000 notifications at a time.")))


class IntakeUploadSchema(Schema):
    """The upload form's own fields (the file itself is read by intake.parse_file)."""

    file_format = fields.String(load_default="auto", validate=validate.OneOf(["auto", "csv", "json"]))


class IntakeResultSchema(Schema):
    batch_id = fields.UUID(allow_none=True)
    rows = fields.Integer()
    new = fields.Integer()
    already_known = fields.Integer()
    file_already_imported = fields.Boolean()


class RowErrorSchema(Schema):
    line = fields.Integer()
    field = fields.String(allow_none=True)
    message = fields.String()


class RunInSchema(Schema):
    """Start a reconciliation for a period (by default: everything received so far)."""

    period_from = fields.Date(load_default=None, allow_none=True)
    period_until = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _period(self, data, **kw):
        start, end = data.get("period_from"), data.get("period_until")
        if start and end and start > end:
            raise ValidationError(_l("The period ends before it starts."), "period_until")
        if start and end and (end - start).days > MAX_PERIOD_DAYS:
            raise ValidationError(_l("Choose a period of at most ten years."), "period_from")
        if end and end > date.today() + timedelta(days=1):
            raise ValidationError(_l("Lies in the future."), "period_until")


class RunOutSchema(Schema):
    id = fields.UUID()
    status = fields.String()
    period_from = fields.Date()
    period_until = fields.Date()
    requested_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    seconds = fields.Float(allow_none=True)
    institutions = fields.Integer(allow_none=True)
    received = fields.Integer(allow_none=True)
    outside_platform = fields.Integer(allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    new_findings = fields.Integer(allow_none=True)
    resolved_findings = fields.Integer(allow_none=True)


class RunStartedSchema(Schema):
    run = fields.Nested(RunOutSchema)
    job_id = fields.UUID()


class FindingQuerySchema(Schema):
    kind = fields.String(load_default=None, allow_none=True)
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["new", "open", "resolved"]))
    institution = fields.String(load_default=None, allow_none=True)  # KvK number


class FindingOutSchema(Schema):
    id = fields.UUID()
    kind = fields.String()
    status = fields.String()
    is_new = fields.Boolean()
    institution_kvk = fields.String(allow_none=True)
    ap_reference = fields.String(allow_none=True)
    breach_id = fields.UUID(allow_none=True)
    match_method = fields.String(allow_none=True)
    detail = fields.String(allow_none=True)
    hours = fields.Float(allow_none=True)
    notifications = fields.Integer(allow_none=True, metadata={
        "description": "matched: how many notifications this institution's finding counts (per matching method)"})
    first_seen_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    reopened = fields.Integer()
    response = fields.String(allow_none=True)
    responded_at = fields.DateTime(allow_none=True)


class RegisterRequestInSchema(Schema):
    """The AP asks one institution for its full register."""

    institution = fields.String(required=True, validate=validate.Regexp(
        r"^\d{8}$", error=_l("A KvK number has exactly 8 digits.")))
    case_reference = fields.String(required=True, validate=[
        validate.Length(min=1, max=64),
        validate.Regexp(r"^[A-Za-z0-9 ._/-]+$", error=_l("Use letters, digits, spaces and . _ / - only."))])
    legal_basis = fields.String(required=True, validate=validate.OneOf(list(LEGAL_BASIS)))
    period_from = fields.Date(required=True)
    period_until = fields.Date(required=True)
    file_format = fields.String(load_default="xlsx", validate=validate.OneOf(list(FILE_FORMAT)))
    due_date = fields.Date(required=True)

    @validates_schema
    def _dates(self, data, **kw):
        start, end, due = data.get("period_from"), data.get("period_until"), data.get("due_date")
        if start and end and start > end:
            raise ValidationError(_l("The period ends before it starts."), "period_until")
        if due and due < date.today():
            raise ValidationError(_l("The answer cannot be due in the past."), "due_date")


class RegisterRequestOutSchema(Schema):
    id = fields.UUID()
    institution_kvk = fields.String(allow_none=True)
    case_reference = fields.String()
    legal_basis = fields.String()
    period_from = fields.Date()
    period_until = fields.Date()
    file_format = fields.String()
    due_date = fields.Date()
    requested_at = fields.DateTime()
    status = fields.String()
    decided_at = fields.DateTime(allow_none=True)
    row_count = fields.Integer(allow_none=True)
