"""Domain watch input and output: one schema per input, for the form and the API alike."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .enums import FINDING, STATE
from .rules import NameError_, normalise_host_pattern, normalise_name, split_lines

MAX_HOSTS = 20


class DomainName(fields.String):
    """A domain name; stored as the DNS knows it (A-labels, lower case)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalise_name(text)
        except NameError_:
            raise ValidationError(_l("Enter a domain name such as bjz-voorbeeld.nl (no e-mail address, "
                                     "no https://).")) from None


class Lines(fields.Field):
    """A list of short texts: a JSON list (API) or one per line in a textarea (form)."""

    def __init__(self, *, item_max: int = 100, max_items: int = 30, **kw):
        kw.setdefault("metadata", {}).update({"type": "array", "items": {"type": "string"}})
        super().__init__(**kw)
        self.item_max, self.max_items = item_max, max_items

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value or [])

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, (str, list, tuple)):
            raise ValidationError(_l("Not a valid list."))
        items = split_lines(value)
        if len(items) > self.max_items:
            raise ValidationError(_l("At most %(n)s entries.", n=self.max_items))
        if any(len(item) > self.item_max for item in items):
            raise ValidationError(_l("Each entry may be at most %(n)s characters.", n=self.item_max))
        return items


class HostList(Lines):
    """Expected servers: host names, or *.provider.example for every host under it."""

    def __init__(self, **kw):
        super().__init__(item_max=253, max_items=MAX_HOSTS, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        out = []
        for item in super()._deserialize(value, attr, data, **kwargs):
            try:
                host = normalise_host_pattern(item)
            except NameError_:
                raise ValidationError(_l("Not a host name: %(value)s", value=item[:80])) from None
            if host not in out:
                out.append(host)
        return out


class DomainInSchema(Schema):
    name = DomainName(required=True, validate=validate.Length(max=253))
    state = fields.String(required=True, validate=validate.OneOf(
        list(STATE), error=_l("Choose whether the domain is in use or retired.")))
    retired_on = fields.Date(allow_none=True, load_default=None)
    systems = Lines(load_default=list, metadata={"description": "Systems that use or used the domain"})
    registration_contact = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=1000))
    expected_registrar = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    expected_ns = HostList(load_default=list)
    expected_mx = HostList(load_default=list)
    notes = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))

    @validates_schema(skip_on_field_errors=False)
    def _retirement(self, data, **kw):
        if data.get("state") == "retired":
            if data.get("retired_on") is None:
                raise ValidationError(_l("Enter the date the domain was retired."), "retired_on")
            if data["retired_on"] > date.today():
                raise ValidationError(_l("The retirement date cannot lie in the future. Keep the domain "
                                         "'in use' until it is retired."), "retired_on")
        elif data.get("state") == "current":
            data["retired_on"] = None


class DomainFindingOutSchema(Schema):
    id = fields.UUID()
    domain_id = fields.UUID()
    domain = fields.Function(lambda f: f.domain.name if f.domain else None)
    kind = fields.String(metadata={"enum": list(FINDING)})
    detail = fields.Dict()
    opened_at = fields.DateTime()
    last_seen_at = fields.DateTime()
    seen_count = fields.Integer()
    resolved_at = fields.DateTime()
    resolution = fields.String()


class CheckOutSchema(Schema):
    id = fields.UUID()
    domain_id = fields.UUID()
    reason = fields.String()
    started_at = fields.DateTime()
    finished_at = fields.DateTime()
    outcome = fields.String()
    dns_status = fields.String()
    ns = fields.List(fields.String())
    mx = fields.List(fields.List(fields.Raw()))
    soa_mname = fields.String()
    soa_serial = fields.Integer()
    mail = fields.String()
    probe = fields.String()
    rdap_status = fields.String()
    registry_status = fields.List(fields.String())
    registrar = fields.String()
    registered_at = fields.DateTime()
    expires_at = fields.DateTime()
    last_changed_at = fields.DateTime()
    registry_ns = fields.List(fields.String())


class DomainOutSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    state = fields.String()
    retired_on = fields.Date()
    systems = fields.List(fields.String())
    registration_contact = fields.String()
    expected_registrar = fields.String()
    expected_ns = fields.List(fields.String())
    expected_mx = fields.List(fields.String())
    notes = fields.String()
    known_registered_at = fields.DateTime()
    last_checked_at = fields.DateTime()
    open_findings = fields.Function(
        lambda d: DomainFindingOutSchema(many=True).dump([f for f in d.findings if f.is_open]))


class FindingQuerySchema(Schema):
    state = fields.String(load_default="open", validate=validate.OneOf(("open", "resolved", "all")))


class ScanInSchema(Schema):
    """An address list to scan. The file itself comes as `file` (multipart)."""

    system = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=100),
                           metadata={"description": "The system the list was exported from"})
    column = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=100),
                           metadata={"description": "Only this column (header or number); default: every column"})
    system_column = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=100),
                                  metadata={"description": "A column naming the system of each row"})
    output = fields.String(load_default="page", validate=validate.OneOf(("page", "csv")))


class ScanFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "The address list (CSV)"})


class ScanOutSchema(Schema):
    rows = fields.Integer()
    addresses = fields.Integer()
    unique_addresses = fields.Integer()
    hits = fields.Integer()
    unique_hits = fields.Integer()
    encoding = fields.String()
    delimiter = fields.String()
    address_columns = fields.List(fields.String())
    by_domain = fields.Dict()
    by_system = fields.Dict()
    seconds = fields.Float()
