"""Schemas of the platform's own objects; forms and API load them alike."""
from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates

from .roles import valid_roles
from .auth.tokens import MAX_DAYS


class RolesField(fields.List):
    def __init__(self, **kw):
        super().__init__(fields.String(), **kw)


def _check_roles(roles) -> None:
    allowed = valid_roles(g.org.kind)
    unknown = [r for r in roles if r not in allowed]
    if unknown:
        raise ValidationError(_l("Not a role in this kind of organisation: %(roles)s",
                                 roles=", ".join(unknown)))


class MemberInSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    roles = RolesField(required=True, validate=validate.Length(min=1, error=_l("Choose at least one role.")))

    @validates("roles")
    def _roles(self, value, **kw):
        _check_roles(value)


class MemberRolesSchema(Schema):
    roles = RolesField(required=True, validate=validate.Length(min=1, error=_l("Choose at least one role.")))

    @validates("roles")
    def _roles(self, value, **kw):
        _check_roles(value)


class MemberOutSchema(Schema):
    id = fields.UUID(attribute="user.id", dump_only=True)
    email = fields.String(attribute="user.email", dump_only=True)
    name = fields.String(attribute="user.name", dump_only=True)
    roles = fields.List(fields.String(), dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class TokenInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = fields.String(required=True)
    days = fields.Integer(load_default=90, validate=validate.Range(
        min=1, max=MAX_DAYS, error=_l("Between 1 and 366 days.")))

    @validates("role")
    def _role(self, value, **kw):
        _check_roles([value])


class OrgOutSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    slug = fields.String()
    kind = fields.Function(lambda org: org.kind.value)
    kvk = fields.String()
    employees = fields.Integer()
    clients_per_year = fields.Integer()
    region_code = fields.String()


class AuditOutSchema(Schema):
    seq = fields.Integer()
    at = fields.DateTime()
    actor_kind = fields.String()
    actor_id = fields.UUID()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    meta = fields.Dict()
    hash = fields.String()


class JobOutSchema(Schema):
    id = fields.UUID()
    job = fields.String()
    created_at = fields.DateTime()
    done_at = fields.DateTime()
    progress = fields.Integer()
    attempts = fields.Integer()
    failed = fields.Function(lambda row: bool(row.last_error) and row.done_at is None)


class OrgInSchema(Schema):
    """Operator provisioning."""

    kind = fields.String(required=True, validate=validate.OneOf(("institution", "commissioner", "regulator", "operator")))
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    slug = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z0-9][a-z0-9-]{1,62}$", error=_l("Lower-case letters, digits and hyphens; 2 to 63 characters.")))
    kvk = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{8}$", error=_l("A KvK number has 8 digits.")))
    employees = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=1_000_000))
    clients_per_year = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10_000_000))
    region_code = fields.String(allow_none=True, validate=validate.Length(max=32))
