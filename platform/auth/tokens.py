"""API tokens: scoped to one organisation and one role, expiring, stored as a hash.

Format: ``lkw_<organisation id, 32 hex>_<secret>``. The organisation part lets the edge
set the tenant before it looks the token up, so the lookup itself runs under row-level
security like every other read.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from datetime import timedelta

import sqlalchemy as sa

from ..db import db, utcnow
from ..models import ApiToken, Org
from ..tenancy import set_tenant

_FORMAT = re.compile(r"^lkw_([0-9a-f]{32})_([A-Za-z0-9_-]{40,64})$")
MAX_DAYS = 366


class TokenError(Exception):
    """Why a token was refused; the message is shown to the API client."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(org: Org, name: str, role: str, days: int, created_by: uuid.UUID | None) -> tuple[ApiToken, str]:
    """Create a token for the current organisation; the plain token is returned once."""
    plain = f"lkw_{org.id.hex}_{secrets.token_urlsafe(36)}"
    row = ApiToken(tenant_id=org.id, name=name, role=role, token_hash=_digest(plain), hint=plain[-4:],
                   created_by=created_by, expires_at=utcnow() + timedelta(days=days))
    db.session.add(row)
    return row, plain


def authenticate(header: str | None) -> tuple[Org, ApiToken]:
    """Check an Authorization header and enter the token's organisation."""
    if not header:
        raise TokenError("Missing Authorization header; send 'Authorization: Bearer <token>'.")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise TokenError("Use the Bearer scheme: 'Authorization: Bearer <token>'.")
    match = _FORMAT.match(value.strip())
    if not match:
        raise TokenError("The token is malformed.")
    org = db.session.get(Org, uuid.UUID(match.group(1)))
    if org is None or not org.active:
        raise TokenError("The token is not valid.")
    set_tenant(org.id)
    digest = _digest(value.strip())
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        raise TokenError("The token is not valid.")
    if row.revoked_at is not None:
        raise TokenError("The token has been revoked.")
    if row.expires_at <= utcnow():
        raise TokenError("The token has expired.")
    return org, row
