"""One schema per input, used by the pages (load_form) and the API (@blp.arguments).

`RegisterFilterSchema` is the register list's filter: the page's GET form, the API's query
string and the stored filters of an export all go through it, so a filter means the same
thing everywhere.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tenants.register import enums

from .models import EXPORT_FORMATS

SORTS = ("aware", "reference", "title", "severity", "status", "notified")
PAGE_SIZES = (10, 25, 50, 100)
CHOOSE = _l("Choose one of the options offered.")
EARLIEST = date(2000, 1, 1)


def _one_of(keys):
    return validate.OneOf(list(keys), error=CHOOSE)


def _sensible_date(value: date) -> None:
    if value < EARLIEST or value > date(2100, 1, 1):
        raise ValidationError(_l("Enter a date between 2000 and 2100."))


class RegisterFilterSchema(Schema):
    """Filters and sort order of the breach register."""

    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=100, error=_l("Search for at most 100 characters.")),
        metadata={"description": "Search in the reference and the title"})
    aware_from = fields.Date(load_default=None, allow_none=True, validate=_sensible_date,
                             metadata={"description": "Aware on or after this day (Europe/Amsterdam)"})
    aware_until = fields.Date(load_default=None, allow_none=True, validate=_sensible_date,
                              metadata={"description": "Aware on or before this day (Europe/Amsterdam)"})
    incident_type = fields.String(load_default=None, allow_none=True, validate=_one_of(enums.INCIDENT_TYPE))
    band = fields.String(load_default=None, allow_none=True, validate=_one_of([*enums.ENISA_BAND, "none"]),
                         metadata={"description": "Severity band; 'none' for breaches not yet assessed"})
    risk_outcome = fields.String(load_default=None, allow_none=True,
                                 validate=_one_of([*enums.RISK_OUTCOME, "none"]))
    status = fields.String(load_default=None, allow_none=True, validate=_one_of(enums.BREACH_STATUS))
    notified = fields.String(load_default=None, allow_none=True, validate=_one_of(("yes", "no")),
                             metadata={"description": "Notified to the AP (an initial notification exists)"})
    overdue = fields.Boolean(load_default=False, metadata={"description": (
        "Only overdue breaches: 72 hours passed with no initial AP notification and no decision not to notify "
        "(undecided counts), not closed")})
    late = fields.Boolean(load_default=False, metadata={"description": "Only breaches notified after 72 hours"})
    running = fields.Boolean(load_default=False, metadata={
        "description": "Only breaches within their 72 hours, not yet notified, not decided against notifying, "
                       "not closed"})
    sort = fields.String(load_default="aware", validate=_one_of(SORTS))
    order = fields.String(load_default="desc", validate=_one_of(("asc", "desc")))

    @validates_schema
    def _period(self, data, **kw):
        start, end = data.get("aware_from"), data.get("aware_until")
        if start and end and end < start:
            raise ValidationError(_l("The end of the period lies before its start."), "aware_until")


class PageSchema(Schema):
    """Which page of a list the page shows (the API uses flask-smorest's pagination)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000, error=CHOOSE))
    page_size = fields.Integer(load_default=25, validate=_one_of(PAGE_SIZES))


class ExportRequestSchema(RegisterFilterSchema):
    """Ask for an export of the register (with the list's filters)."""

    format = fields.String(required=True, validate=_one_of(EXPORT_FORMATS),
                           metadata={"description": "xlsx, csv (semicolon-separated, UTF-8) or json (EDPB template)"})
    include_names = fields.Boolean(load_default=False, metadata={
        "description": "Add the names of reporters and handlers (needs the right; recorded in the audit trail)"})


INCIDENT_STATUSES = tuple(enums.INCIDENT_STATUS)


class IncidentFilterSchema(Schema):
    """Filters of the incident log."""

    status = fields.String(load_default=None, allow_none=True, validate=_one_of(INCIDENT_STATUSES))
    reported_from = fields.Date(load_default=None, allow_none=True, validate=_sensible_date)
    reported_until = fields.Date(load_default=None, allow_none=True, validate=_sensible_date)

    @validates_schema
    def _period(self, data, **kw):
        start, end = data.get("reported_from"), data.get("reported_until")
        if start and end and end < start:
            raise ValidationError(_l("The end of the period lies before its start."), "reported_until")


# --- Output (API) -----------------------------------------------------------------------

class RegisterRowSchema(Schema):
    id = fields.UUID()
    reference = fields.String()
    title = fields.String()
    status = fields.String()
    incident_type = fields.String()
    aware_at = fields.DateTime(allow_none=True)
    deadline_at = fields.DateTime(allow_none=True, attribute="clock.deadline")
    clock = fields.String(attribute="clock.code", metadata={"description": (
        "The 72-hour clock, as on the breach page (GET /api/v1/breaches/{id}): no_clock | running | overdue | "
        "on_time | late | not_required. overdue: 72 hours passed with no initial AP notification and no "
        "decision not to notify (undecided counts), breach not closed")})
    hours_left = fields.Integer(allow_none=True, metadata={
        "description": "Whole hours until the deadline while the clock runs; null otherwise"})
    severity_score = fields.Decimal(allow_none=True, as_string=True)
    severity_band = fields.String(allow_none=True)
    risk_outcome = fields.String(allow_none=True)
    notified_at = fields.DateTime(allow_none=True, attribute="ap_notified_at",
                                  metadata={"description": "When the first initial AP notification was made"})
    notify_ap = fields.Boolean(allow_none=True, metadata={
        "description": "The current decision whether to notify the AP; null while undecided"})
    notified_late = fields.Boolean()
    overdue = fields.Boolean()
    closed_at = fields.DateTime(allow_none=True)


class FiguresSchema(Schema):
    total = fields.Integer()
    open = fields.Integer()
    overdue = fields.Integer()
    running = fields.Integer()
    notified = fields.Integer()
    notified_late = fields.Integer()


class IncidentRowSchema(Schema):
    id = fields.UUID()
    reported_at = fields.DateTime()
    noticed_at = fields.DateTime(allow_none=True)
    status = fields.String()
    triaged_at = fields.DateTime(allow_none=True)
    people_estimate = fields.String(allow_none=True)
    summary = fields.String(metadata={"description": "The start of what the reporter wrote"})
    breach_id = fields.UUID(allow_none=True)
    breach_reference = fields.String(allow_none=True)


class RegisterExportSchema(Schema):
    id = fields.UUID()
    format = fields.String()
    include_names = fields.Boolean()
    filters = fields.Dict()
    state = fields.String(metadata={"description": "queued | running | retrying | failed | done | expired"})
    progress = fields.Integer()
    row_count = fields.Integer(allow_none=True)
    size = fields.Integer(allow_none=True)
    requested_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    filename = fields.String(allow_none=True)
    job_id = fields.UUID(allow_none=True)
    download_url = fields.String(allow_none=True)
