"""The institution's inputs on supervision: answers to findings, declining a request."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from tenants.oversight.labels import DECLINE_REASON, RESPONSE_CODE


class FindingResponseSchema(Schema):
    """An answer to a finding: a code the AP sees, and a note only the institution sees."""

    code = fields.String(required=True, validate=validate.OneOf(list(RESPONSE_CODE)))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


class DeclineSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(list(DECLINE_REASON)))


class FindingResponseOutSchema(Schema):
    finding_id = fields.UUID()
    code = fields.String()
    responded_at = fields.DateTime()


class RequestOutSchema(Schema):
    id = fields.UUID()
    case_reference = fields.String()
    legal_basis = fields.String()
    period_from = fields.Date()
    period_until = fields.Date()
    file_format = fields.String()
    due_date = fields.Date()
    requested_at = fields.DateTime()
    status = fields.String()
    row_count = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
