"""Database objects shared by every area: the declarative base and the tenant mixin.

Every table that holds an organisation's data mixes in `TenantScoped`: its primary key is
(tenant_id, id) with a UUID made in Python, and foreign keys between such tables are
composite (`tenant_fk`). The database then refuses a row that points at another
tenant's row, and the schema is ready to be distributed on tenant_id (Citus).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC datetimes only")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING),
        type_annotation_map={datetime: UTCDateTime(), uuid.UUID: sa.Uuid()},
    )


db = SQLAlchemy(model_class=Base)


class TenantScoped:
    """Mixin for every table that belongs to one organisation.

    Reads are filtered to the current tenant by `lekwijzer.tenancy` (application) and by
    row-level security (PostgreSQL); new rows are stamped with the current tenant.
    Columns that cross-tenant readers may see carry ``info=oversight()``; on PostgreSQL
    the oversight role is granted SELECT on exactly those columns (plus tenant_id and id
    of such tables) and on nothing else.
    """

    __tenant_scoped__ = True

    tenant_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("org.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)

    @classmethod
    def tenant_criteria(cls, tenant_id, user_id):
        """The rows of this table the current tenant may read (see tenancy.py)."""
        return cls.tenant_id == tenant_id


def tenant_fk(columns: list[str] | str, target: str, **kw) -> sa.ForeignKeyConstraint:
    """A composite foreign key that includes tenant_id: no row can point across tenants."""
    cols = [columns] if isinstance(columns, str) else list(columns)
    remote = [f"{target}.id"] if len(cols) == 1 else [f"{target}.{c}" for c in cols]
    return sa.ForeignKeyConstraint(["tenant_id", *cols], [f"{target}.tenant_id", *remote], **kw)


def oversight(**kw):
    """info= marker for columns that cross-tenant readers may see (metadata, never free text)."""
    return {"oversight": True, **kw}


def tenant_tables() -> list[sa.Table]:
    """All tables of TenantScoped models, in dependency order."""
    names = {
        m.class_.__table__.name
        for m in Base.registry.mappers
        if getattr(m.class_, "__tenant_scoped__", False)
    }
    return [t for t in Base.metadata.sorted_tables if t.name in names]
