from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import TenantScoped, db


class AuditEvent(TenantScoped, db.Model):
    """One link of an organisation's hash chain: who did what to which object, when.

    Never contents. The app's database role may only SELECT and INSERT here.
    """

    __tablename__ = "audit_event"
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    at: Mapped[datetime]
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)  # a user; no FK: survives erasure
    actor_kind: Mapped[str] = mapped_column(sa.String(16))  # user | token | system
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str | None] = mapped_column(sa.String(48))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    meta: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (sa.UniqueConstraint("tenant_id", "seq"),)


class AuditHead(db.Model):
    """The latest link per organisation: serialises writers and reveals a cut-off tail."""

    __tablename__ = "audit_head"
    tenant_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("org.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    hash: Mapped[str] = mapped_column(sa.String(64))
