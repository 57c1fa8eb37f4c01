from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import TenantScoped, db, utcnow


class User(UserMixin, db.Model):
    """A person. Shared table: one person may belong to several organisations."""

    __tablename__ = "app_user"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped when the password changes or the account is disabled: old sessions die.
    credential_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.credential_version = (self.credential_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.credential_version}"

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active


class Membership(TenantScoped, db.Model):
    """A user's roles in one organisation (tenant_id is the organisation)."""

    __tablename__ = "membership"
    # A user may always see their own memberships (the organisation switcher).
    __rls_using__ = "user_id = (SELECT NULLIF(current_setting('app.user_id', true), '')::uuid)"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"))
    roles: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("tenant_id", "user_id"),)

    @classmethod
    def tenant_criteria(cls, tenant_id, user_id):
        return sa.or_(cls.tenant_id == tenant_id, cls.user_id == user_id)
