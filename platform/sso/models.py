"""Single sign-on data: an organisation's OpenID Connect settings and the linked accounts.

* `SsoConfig` (tenant table): the settings the organisation's administrator keeps. The
  client secret is stored encrypted (`crypto.py`); `version` goes up on every change, so
  a sign-in started under older settings is refused and nothing cached outlives a change.
* `SsoIdentity` (tenant table): a person at the organisation's provider, keyed on
  (issuer, subject) — never on e-mail — and linked to a Lekwijzer account.
* `SsoRealm` and `SsoDomain` (shared tables): the public part of the settings that is
  needed before anyone is signed in and before the organisation is known: whether an
  organisation signs in through its provider, whether it still accepts local passwords,
  and which e-mail domains lead to it (home-realm discovery). No secrets, no people.
"""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import TenantScoped, db, utcnow
from ..models import User

DEFAULT_SCOPES = "openid email profile"


class SsoConfig(TenantScoped, db.Model):
    """One organisation's OpenID Connect settings (at most one row per organisation)."""

    __tablename__ = "sso_config"
    enabled: Mapped[bool] = mapped_column(default=False)
    display_name: Mapped[str | None] = mapped_column(sa.String(120))
    issuer: Mapped[str] = mapped_column(sa.String(500), default="")
    client_id: Mapped[str] = mapped_column(sa.String(255), default="")
    client_secret_enc: Mapped[str | None] = mapped_column(sa.Text)  # Fernet token
    scopes: Mapped[str] = mapped_column(sa.String(300), default=DEFAULT_SCOPES)
    role_claim: Mapped[str] = mapped_column(sa.String(120), default="groups")
    # [{"value": "<claim value>", "role": "<lekwijzer role>"}, …]
    role_mapping: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    default_roles: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    allowed_domains: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    allow_local_passwords: Mapped[bool] = mapped_column(default=True)
    jit_provisioning: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("app_user.id", ondelete="SET NULL"))

    __table_args__ = (sa.UniqueConstraint("tenant_id"),)

    @property
    def has_secret(self) -> bool:
        return bool(self.client_secret_enc)


class SsoIdentity(TenantScoped, db.Model):
    """A person at the organisation's identity provider, linked to a Lekwijzer account."""

    __tablename__ = "sso_identity"
    issuer: Mapped[str] = mapped_column(sa.String(500))
    subject: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "issuer", "subject"),
        sa.UniqueConstraint("tenant_id", "issuer", "user_id"),
    )


class SsoRealm(db.Model):
    """Shared: how an organisation's members sign in (read before anyone is signed in)."""

    __tablename__ = "sso_realm"
    org_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("org.id", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    passwords_allowed: Mapped[bool] = mapped_column(default=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(120))


class SsoDomain(db.Model):
    """Shared: an e-mail domain whose people sign in at an organisation's provider."""

    __tablename__ = "sso_domain"
    domain: Mapped[str] = mapped_column(sa.String(253), primary_key=True)
    org_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("org.id", ondelete="CASCADE"), primary_key=True)
