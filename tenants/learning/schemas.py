"""One schema per input: the HTML forms (`load_form`) and the API (`@blp.arguments`) use the same."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from tenants.register.enums import INCIDENT_TYPE, MEASURE_KIND, MEASURE_STATUS

from .enums import (PLAN_SOURCE, PLAN_STATUS, POLICY_ADOPTER, POLICY_DECISION_ROLE, REPORTING_EVENT_KIND,
                    REVIEW_OUTCOME, VERDICT)
from .periods import HALF_YEAR, Period, default_period, today_local
from .rules import not_in_future

MAX_TEXT = 5000
SHARED_HINT = _l("Visible to commissioning municipalities you give access: no names, no case details.")
SHARED_TEXT = "Shown to commissioners with access: no names, no case details."


def _one_of(mapping):
    return validate.OneOf(list(mapping), error=_l("Choose one of the options."))


def _text(max_len=MAX_TEXT, **kw):
    return fields.String(validate=validate.Length(max=max_len), **kw)


def _required_text(min_len=1, max_len=200, **kw):
    return fields.String(required=True, validate=validate.Length(min=min_len, max=max_len), **kw)


# --- Periods ------------------------------------------------------------------------

class PeriodQuerySchema(Schema):
    """A half-year ("2026-H1") or a date range, and how many periods before it to compare."""

    period = fields.String(validate=validate.Regexp(HALF_YEAR, error=_l("Choose a half-year such as 2026-H1.")))
    start = fields.Date()
    end = fields.Date(metadata={"description": "The last day of the period (inclusive)."})
    compare = fields.Integer(load_default=3, validate=validate.Range(min=0, max=3))

    @validates_schema
    def _range(self, data, **kw):
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            raise ValidationError(_l("Give both the first and the last day of the period."),
                                  "end" if end is None else "start")
        if start is not None:
            if data.get("period"):
                raise ValidationError(_l("Choose a half-year or a date range, not both."), "period")
            if end < start:
                raise ValidationError(_l("The last day lies before the first day."), "end")
            if (end - start).days > 3 * 366:
                raise ValidationError(_l("A period can be at most three years."), "end")


def resolve_period(data: dict) -> Period:
    if data.get("period"):
        return Period.parse_key(data["period"])
    if data.get("start"):
        return Period(data["start"], data["end"] + timedelta(days=1))
    return default_period()


class EffectivenessQuerySchema(Schema):
    window = fields.Integer(validate=validate.Range(min=1, max=24, error=_l("Between 1 and 24 months.")))


# --- Plans --------------------------------------------------------------------------

class PlanInSchema(Schema):
    shared_title = _required_text(min_len=3, max_len=200, metadata={"description": SHARED_TEXT})
    source = fields.String(required=True, validate=_one_of(PLAN_SOURCE))
    source_reference = _text(200, allow_none=True)
    description = _text(allow_none=True)
    status = fields.String(load_default="active", validate=_one_of({k: v for k, v in PLAN_STATUS.items()
                                                                    if k != "completed"}))
    shared_with_commissioners = fields.Boolean(load_default=True)
    owner_id = fields.UUID(allow_none=True)
    started_on = fields.Date(required=True)
    target_date = fields.Date(allow_none=True)

    @validates_schema
    def _dates(self, data, **kw):
        if data.get("target_date") and data.get("started_on") and data["target_date"] < data["started_on"]:
            raise ValidationError(_l("The target date lies before the start."), "target_date")


class PlanUpdateSchema(PlanInSchema):
    class Meta:
        exclude = ("status",)


class PlanStatusSchema(Schema):
    status = fields.String(required=True, validate=_one_of(PLAN_STATUS))
    note = _text(2000, allow_none=True)


class RecommendationInSchema(Schema):
    shared_title = _required_text(min_len=3, max_len=300, metadata={"description": SHARED_TEXT})
    description = _text(allow_none=True)


class PlanMeasureInSchema(Schema):
    """A new measure for a recommendation, or (with measure_id) an existing one linked to it."""

    title = _required_text(min_len=3, max_len=200, metadata={"description": SHARED_TEXT})
    measure_id = fields.UUID(allow_none=True)
    kind = fields.String(load_default="preventive", validate=_one_of(MEASURE_KIND))
    description = _text(allow_none=True)
    owner_id = fields.UUID(allow_none=True)
    due_date = fields.Date(allow_none=True)
    target_incident_type = fields.String(allow_none=True, validate=_one_of(
        {k: v for k, v in INCIDENT_TYPE.items() if k != "tbd"}))

    @validates_schema
    def _new_needs_due(self, data, **kw):
        if data.get("measure_id") is None and data.get("due_date") is None:
            raise ValidationError(_l("Give the date by which the measure must be implemented."), "due_date")


class MeasureStatusSchema(Schema):
    status = fields.String(required=True, validate=_one_of(MEASURE_STATUS))
    note = _text(2000, allow_none=True)
    evidence = _text(allow_none=True)
    evidence_location = _text(300, allow_none=True)


class EvidenceInSchema(Schema):
    description = _required_text(min_len=3, max_len=MAX_TEXT)
    location = _text(300, allow_none=True)


class JudgementInSchema(Schema):
    verdict = fields.String(required=True, validate=_one_of(VERDICT))
    reasoning = _required_text(min_len=10, max_len=MAX_TEXT)
    window_months = fields.Integer(load_default=6, validate=validate.Range(min=1, max=24))
    follow_up_title = _text(200, allow_none=True)
    follow_up_due_date = fields.Date(allow_none=True)
    follow_up_owner_id = fields.UUID(allow_none=True)

    @validates_schema
    def _did_not_work(self, data, **kw):
        if data.get("verdict") != "did_not_work":
            return
        errors = {}
        if not (data.get("follow_up_title") or "").strip() or len(data["follow_up_title"].strip()) < 3:
            errors["follow_up_title"] = [_l("A measure that did not work needs a new measure: give its title.")]
        if data.get("follow_up_due_date") is None:
            errors["follow_up_due_date"] = [_l("Give the date by which the new measure must be implemented.")]
        elif data["follow_up_due_date"] < today_local():
            errors["follow_up_due_date"] = [_l("The due date of the new measure lies in the past.")]
        if errors:
            raise ValidationError(errors)


# --- Policy ---------------------------------------------------------------------------

class PolicyInSchema(Schema):
    version_label = _required_text(max_len=32)
    adopted_on = fields.Date(required=True, validate=not_in_future)
    adopted_by_body = fields.String(required=True, validate=_one_of(POLICY_ADOPTER))
    adopted_by_name = _text(200, allow_none=True)
    fg_involved = fields.Boolean(required=True)
    decision_role = fields.String(required=True, validate=_one_of(POLICY_DECISION_ROLE))
    next_review_on = fields.Date(allow_none=True)
    document_reference = _text(300, allow_none=True)
    summary = _text(allow_none=True)

    @validates_schema
    def _review_after_adoption(self, data, **kw):
        if data.get("next_review_on") and data.get("adopted_on") and data["next_review_on"] <= data["adopted_on"]:
            raise ValidationError(_l("The next review must come after the adoption."), "next_review_on")


class PolicyReviewInSchema(Schema):
    reviewed_on = fields.Date(required=True, validate=not_in_future)
    outcome = fields.String(required=True, validate=_one_of(REVIEW_OUTCOME))
    next_review_on = fields.Date(allow_none=True)
    note = _text(allow_none=True)

    @validates_schema
    def _review_after(self, data, **kw):
        if data.get("next_review_on") and data.get("reviewed_on") and data["next_review_on"] <= data["reviewed_on"]:
            raise ValidationError(_l("The next review must come after this review."), "next_review_on")


class ReportingEventInSchema(Schema):
    occurred_on = fields.Date(required=True)
    kind = fields.String(required=True, validate=_one_of(REPORTING_EVENT_KIND))
    description = _text(allow_none=True)


# --- Board report, sharing, settings ---------------------------------------------------

class ReportRequestSchema(PeriodQuerySchema):
    compare = fields.Integer(load_default=1, validate=validate.Range(min=0, max=3))
    include_names = fields.Boolean(load_default=False, metadata={
        "description": "Show the names of measure and plan owners in the PDF (left out unless asked for)."})


class SignOffSchema(Schema):
    confirm = fields.Boolean(required=True)
    note = _text(2000, allow_none=True)

    @validates("confirm")
    def _confirmed(self, value, **kw):
        if value is not True:
            raise ValidationError(_l("Confirm that you sign the report off for the board."))


class GrantInSchema(Schema):
    commissioner_org_id = fields.UUID(required=True)


class SettingsSchema(Schema):
    effectiveness_window_months = fields.Integer(required=True, validate=validate.Range(min=1, max=24))
    policy_review_months = fields.Integer(required=True, validate=validate.Range(min=3, max=36))
    policy_reminder_days = fields.Integer(required=True, validate=validate.Range(min=1, max=180))
    report_interval_months = fields.Integer(required=True, validate=validate.Range(min=1, max=12))


# --- Output ---------------------------------------------------------------------------

class PlanOutSchema(Schema):
    id = fields.UUID()
    shared_title = fields.String()
    source = fields.String()
    source_reference = fields.String()
    description = fields.String()
    status = fields.String()
    shared_with_commissioners = fields.Boolean()
    owner_id = fields.UUID()
    started_on = fields.Date()
    target_date = fields.Date()
    completed_at = fields.DateTime()
    created_at = fields.DateTime()


class ProgressSchema(Schema):
    total = fields.Integer()
    done = fields.Integer()
    late = fields.Integer()
    percent = fields.Integer()


class PlanListItemSchema(PlanOutSchema):
    progress = fields.Nested(ProgressSchema)


class MeasureOutSchema(Schema):
    id = fields.UUID()
    title = fields.String()
    shared_title = fields.String()
    kind = fields.String()
    status = fields.String()
    owner_id = fields.UUID()
    due_date = fields.Date()
    done_at = fields.DateTime()
    target_incident_type = fields.String()
    late = fields.Boolean()
    evidence = fields.List(fields.Dict())
    verdict = fields.String()


class RecommendationOutSchema(Schema):
    id = fields.UUID()
    position = fields.Integer()
    shared_title = fields.String()
    description = fields.String()
    status = fields.String()
    progress = fields.Nested(ProgressSchema)
    measures = fields.List(fields.Nested(MeasureOutSchema))


class PlanDetailSchema(PlanOutSchema):
    progress = fields.Nested(ProgressSchema)
    recommendations = fields.List(fields.Nested(RecommendationOutSchema))
    history = fields.List(fields.Dict())


class JudgementOutSchema(Schema):
    id = fields.UUID()
    measure_id = fields.UUID()
    verdict = fields.String()
    reasoning = fields.String()
    window_months = fields.Integer()
    before_count = fields.Integer()
    after_count = fields.Integer()
    after_days = fields.Integer()
    follow_up_measure_id = fields.UUID()
    judged_at = fields.DateTime()


class PolicyOutSchema(Schema):
    id = fields.UUID()
    version_label = fields.String()
    adopted_on = fields.Date()
    adopted_by_body = fields.String()
    adopted_by_name = fields.String()
    fg_involved = fields.Boolean()
    decision_role = fields.String()
    next_review_on = fields.Date()
    document_reference = fields.String()
    summary = fields.String()


class PolicyReviewOutSchema(Schema):
    id = fields.UUID()
    policy_id = fields.UUID()
    reviewed_on = fields.Date()
    outcome = fields.String()
    next_review_on = fields.Date()
    note = fields.String()


class ReportingEventOutSchema(Schema):
    id = fields.UUID()
    occurred_on = fields.Date()
    kind = fields.String()
    description = fields.String()


class ReportOutSchema(Schema):
    id = fields.UUID()
    period_start = fields.Date()
    period_end = fields.Date()
    compare_periods = fields.Integer()
    language = fields.String()
    status = fields.String()
    requested_at = fields.DateTime()
    generated_at = fields.DateTime()
    job_id = fields.UUID()
    pdf_size = fields.Integer()
    pdf_sha256 = fields.String()
    pdf_includes_signoff = fields.Boolean()
    signed_at = fields.DateTime()
    signed_by = fields.UUID()
    signed_sha256 = fields.String()


class GrantOutSchema(Schema):
    id = fields.UUID()
    commissioner_org_id = fields.UUID()
    commissioner_name = fields.String()
    granted_at = fields.DateTime()
    withdrawn_at = fields.DateTime()
    active = fields.Boolean()


class SettingsOutSchema(SettingsSchema):
    pass
