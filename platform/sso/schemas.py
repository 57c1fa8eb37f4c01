"""The single sign-on settings as input (HTML form and API alike) and as output.

The form sends the role mapping as lines ("claim value = role") and the domains as a
list separated by new lines or commas; the API sends JSON lists. The same fields accept
both, so a rule lives in one place.
"""
from __future__ import annotations

import re

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates, validates_schema

from ..roles import valid_roles
from .models import DEFAULT_SCOPES
from .oidc import normalise_issuer

_DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")
_SCOPE = re.compile(r"^[A-Za-z0-9_:./-]{1,64}$")
_CLAIM = re.compile(r"^[A-Za-z0-9_:./-]{1,120}$")
MAX_MAPPINGS = 100


def _org_roles() -> tuple[str, ...]:
    return valid_roles(g.org.kind)


class DomainList(fields.Field):
    """E-mail domains: a JSON list, or text separated by new lines, commas or spaces."""

    def _serialize(self, value, attr, obj, **kw):
        return list(value or [])

    def _deserialize(self, value, attr, data, **kw):
        if isinstance(value, str):
            items = re.split(r"[\s,;]+", value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            items = value
        else:
            raise ValidationError(_l("Give a list of domains."))
        domains = []
        for item in (i.strip().lower().lstrip("@") for i in items):
            if not item:
                continue
            if not _DOMAIN.match(item):
                raise ValidationError(_l("“%(domain)s” is not a domain name (for example jeugdzorg-voorbeeld.nl).",
                                         domain=item[:100]))
            if item not in domains:
                domains.append(item)
        if len(domains) > 50:
            raise ValidationError(_l("At most 50 domains."))
        return domains


class RoleMappingField(fields.Field):
    """Claim value → role: a JSON list of {"value", "role"}, or lines "claim value = role"."""

    def _serialize(self, value, attr, obj, **kw):
        return [{"value": m["value"], "role": m["role"]} for m in (value or [])]

    def _deserialize(self, value, attr, data, **kw):
        pairs = []
        if isinstance(value, str):
            for number, line in enumerate(value.splitlines(), start=1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                if "=" not in line:
                    raise ValidationError(_l("Line %(n)s: write “claim value = role”.", n=number))
                claim_value, role = (part.strip() for part in line.rsplit("=", 1))
                pairs.append((claim_value, role, number))
        elif isinstance(value, list):
            for number, item in enumerate(value, start=1):
                if not isinstance(item, dict) or not isinstance(item.get("value"), str) \
                        or not isinstance(item.get("role"), str):
                    raise ValidationError(_l("Item %(n)s: give a value and a role.", n=number))
                pairs.append((item["value"].strip(), item["role"].strip(), number))
        else:
            raise ValidationError(_l("Give a list of claim values and roles."))
        allowed = _org_roles()
        mapping = []
        for claim_value, role, number in pairs:
            if not claim_value or len(claim_value) > 200:
                raise ValidationError(_l("Line %(n)s: the claim value is empty or too long.", n=number))
            if role not in allowed:
                raise ValidationError(_l("Line %(n)s: “%(role)s” is not a role here. Use one of: %(roles)s.",
                                         n=number, role=role[:40], roles=", ".join(allowed)))
            entry = {"value": claim_value, "role": role}
            if entry not in mapping:
                mapping.append(entry)
        if len(mapping) > MAX_MAPPINGS:
            raise ValidationError(_l("At most %(n)s lines.", n=MAX_MAPPINGS))
        return mapping


class SsoSettingsSchema(Schema):
    """An organisation's OpenID Connect settings (the client secret is write-only)."""

    enabled = fields.Boolean(load_default=False, metadata={"description": "Sign-in through the provider is on."})
    display_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120),
                                 metadata={"description": "Shown on the button, e.g. 'Kompas-account'."})
    issuer = fields.String(load_default="", validate=validate.Length(max=500),
                           metadata={"description": "Issuer URL (the address before /.well-known/openid-configuration)."})
    client_id = fields.String(load_default="", validate=validate.Length(max=255))
    client_secret = fields.String(load_only=True, load_default=None, allow_none=True,
                                  validate=validate.Length(max=1000),
                                  metadata={"description": "Write-only. Leave out to keep the stored secret."})
    scopes = fields.String(load_default=DEFAULT_SCOPES, validate=validate.Length(max=300))
    role_claim = fields.String(load_default="groups", metadata={
        "description": "Claim with groups or roles; a dotted path reaches nested claims (realm_access.roles)."})
    role_mapping = RoleMappingField(load_default=list, metadata={
        "description": "List of {value, role}: people whose role claim holds value get role."})
    default_roles = fields.List(fields.String(), load_default=list, metadata={
        "description": "Roles everyone who signs in through the provider gets."})
    allowed_domains = DomainList(load_default=list, metadata={"description": "E-mail domains that may sign in."})
    allow_local_passwords = fields.Boolean(load_default=True)
    jit_provisioning = fields.Boolean(load_default=True, metadata={
        "description": "Create accounts and memberships for new people at their first sign-in."})

    def __init__(self, *args, has_secret: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_secret = has_secret

    @validates("issuer")
    def _issuer(self, value, **kw):
        value = normalise_issuer(value)
        if not value:
            return
        if not re.match(r"^https?://[^\s/?#]+[^\s?#]*$", value):
            raise ValidationError(_l("Enter the issuer as a web address, for example "
                                     "https://login.microsoftonline.com/<tenant>/v2.0."))
        if not value.startswith("https://") and not current_app.config["SSO_ALLOW_INSECURE"]:
            raise ValidationError(_l("The issuer must be an https:// address."))

    @validates("scopes")
    def _scopes(self, value, **kw):
        parts = value.split()
        if "openid" not in parts:
            raise ValidationError(_l("The scopes must include “openid”."))
        if not all(_SCOPE.match(p) for p in parts):
            raise ValidationError(_l("Separate scopes with spaces; use letters, digits and _ : . / - only."))

    @validates("role_claim")
    def _role_claim(self, value, **kw):
        if not _CLAIM.match(value.strip()):
            raise ValidationError(_l("A claim name: letters, digits and _ : . / - only."))

    @validates("default_roles")
    def _default_roles(self, value, **kw):
        unknown = [r for r in value if r not in _org_roles()]
        if unknown:
            raise ValidationError(_l("Not a role in this kind of organisation: %(roles)s", roles=", ".join(unknown)))

    @validates_schema
    def _whole(self, data, **kw):
        errors = {}
        if data.get("enabled"):
            if not normalise_issuer(data.get("issuer", "")):
                errors["issuer"] = [_l("Enter the issuer to switch single sign-on on.")]
            if not data.get("client_id", "").strip():
                errors["client_id"] = [_l("Enter the client id to switch single sign-on on.")]
            if not data.get("client_secret") and not self.has_secret:
                errors["client_secret"] = [_l("Enter the client secret to switch single sign-on on.")]
            if not data.get("allowed_domains"):
                errors["allowed_domains"] = [_l("Enter at least one e-mail domain whose people may sign in.")]
            if not data.get("role_mapping") and not data.get("default_roles"):
                errors["role_mapping"] = [_l("Map at least one claim value to a role, or give everyone a role; "
                                             "otherwise nobody can sign in.")]
        if not data.get("allow_local_passwords", True) and not data.get("enabled"):
            errors["allow_local_passwords"] = [_l("Passwords can only be switched off while single sign-on is on; "
                                                  "otherwise nobody could sign in.")]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _tidy(self, data, **kw):
        data["issuer"] = normalise_issuer(data.get("issuer", ""))
        data["client_id"] = data.get("client_id", "").strip()
        data["role_claim"] = data.get("role_claim", "groups").strip()
        data["scopes"] = " ".join(data.get("scopes", "").split())
        data["display_name"] = (data.get("display_name") or "").strip() or None
        data["default_roles"] = sorted(set(data.get("default_roles") or []))
        if data.get("client_secret") is not None:
            data["client_secret"] = data["client_secret"].strip() or None
        return data


class SsoSettingsOutSchema(Schema):
    enabled = fields.Boolean()
    display_name = fields.String(allow_none=True)
    issuer = fields.String()
    client_id = fields.String()
    has_client_secret = fields.Boolean(attribute="has_secret")
    scopes = fields.String()
    role_claim = fields.String()
    role_mapping = RoleMappingField()
    default_roles = fields.List(fields.String())
    allowed_domains = fields.List(fields.String())
    allow_local_passwords = fields.Boolean()
    jit_provisioning = fields.Boolean()
    version = fields.Integer()
    updated_at = fields.DateTime()
    redirect_uri = fields.String(metadata={"description": "Register this address at the provider."})
    post_logout_redirect_uri = fields.String(metadata={"description": "Register this address for sign-out."})
    sign_in_url = fields.String(metadata={"description": "The organisation's own sign-in link."})


class FindingSchema(Schema):
    level = fields.String(metadata={"description": "ok, warning or error"})
    message = fields.String()


class ConnectionTestSchema(Schema):
    ok = fields.Boolean()
    findings = fields.List(fields.Nested(FindingSchema))


class IdentityOutSchema(Schema):
    id = fields.UUID()
    user_id = fields.UUID()
    name = fields.String(attribute="user.name")
    email = fields.String(attribute="user.email")
    issuer = fields.String()
    subject = fields.String()
    created_at = fields.DateTime()
    last_sign_in_at = fields.DateTime(allow_none=True)
