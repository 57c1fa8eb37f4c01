from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db, utcnow


class OrgKind(str, enum.Enum):
    institution = "institution"
    commissioner = "commissioner"
    regulator = "regulator"
    operator = "operator"


class Region(db.Model):
    """A youth-care region (jeugdregio): shared reference data, no tenant."""

    __tablename__ = "region"
    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))


class Org(db.Model):
    """An organisation sharing the deployment. Shared table: names and sizes only."""

    __tablename__ = "org"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[OrgKind] = mapped_column(sa.Enum(OrgKind, native_enum=False, length=16))
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kvk: Mapped[str | None] = mapped_column(sa.String(8), unique=True)
    employees: Mapped[int | None]
    clients_per_year: Mapped[int | None]
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("region.code"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("employees IS NULL OR employees >= 0", name="employees_nonneg"),
        sa.CheckConstraint("clients_per_year IS NULL OR clients_per_year >= 0", name="clients_nonneg"),
    )

    def __repr__(self) -> str:
        return f"<Org {self.slug} ({self.kind.value})>"
