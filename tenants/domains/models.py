"""Domain watch data: the organisation's domains, every check, the findings, address scans.

Lesson of the SVMN breach: `bjzutrecht.nl` was let go, registered by outsiders with a
catch-all mailbox and kept receiving client dossiers. An institution lists every domain it
uses or used (current or retired); checks record what DNS and the registry said each time;
findings are opened, kept open and resolved from those checks, and keep their history.

Only finding codes and dates are released for oversight (the regulator may count
institutions with open findings, never name them or see a domain name).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lekwijzer.db import TenantScoped, db, oversight, tenant_fk, utcnow

CODE = sa.String(32)


class Domain(TenantScoped, db.Model):
    """A domain name the organisation uses now or used before (and may still hold)."""

    __tablename__ = "domain"
    name: Mapped[str] = mapped_column(sa.String(253))  # A-label (IDNA), lower case, no trailing dot
    state: Mapped[str] = mapped_column(CODE, default="current")  # enums.STATE
    retired_on: Mapped[date | None]
    systems: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # systems that used / use it
    registration_contact: Mapped[str | None] = mapped_column(sa.Text)  # who manages the registration
    expected_registrar: Mapped[str | None] = mapped_column(sa.String(200))
    expected_ns: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    expected_mx: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    notes: Mapped[str | None] = mapped_column(sa.Text)

    # What the organisation accepted as its own registration (first check, or confirmed by
    # an administrator): a later registration date or another registrant means new hands.
    known_registered_at: Mapped[datetime | None]
    known_registrant: Mapped[str | None] = mapped_column(sa.String(200))
    baseline_taken_at: Mapped[datetime | None]

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("app_user.id"))
    last_checked_at: Mapped[datetime | None]
    last_check_id: Mapped[uuid.UUID | None]

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "name"),
        sa.CheckConstraint("state IN ('current', 'retired')", name="state_known"),
        sa.CheckConstraint("state = 'current' OR retired_on IS NOT NULL", name="retired_has_date"),
        sa.Index("ix_domain_tenant_checked", "tenant_id", "last_checked_at"),
    )

    findings: Mapped[list["DomainFinding"]] = relationship(
        back_populates="domain", order_by="DomainFinding.opened_at.desc()", viewonly=True)

    @property
    def retired(self) -> bool:
        return self.state == "retired"


class DomainCheck(TenantScoped, db.Model):
    """One run of the checks for one domain: what DNS and the registry answered."""

    __tablename__ = "domain_check"
    domain_id: Mapped[uuid.UUID]
    reason: Mapped[str] = mapped_column(CODE, default="scheduled")  # scheduled | manual
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(CODE, default="unknown")  # enums.OUTCOME

    # DNS
    dns_status: Mapped[str] = mapped_column(CODE, default="unknown")  # enums.DNS_STATUS
    ns: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    mx: Mapped[list[list]] = mapped_column(sa.JSON, default=list)  # [[preference, host], …]
    soa_mname: Mapped[str | None] = mapped_column(sa.String(253))
    soa_serial: Mapped[int | None] = mapped_column(sa.BigInteger)
    mail: Mapped[str | None] = mapped_column(CODE)  # enums.MAIL: can the domain receive mail?
    probe: Mapped[str | None] = mapped_column(CODE)  # enums.PROBE: optional RCPT probe result

    # Registration data (RDAP, RFC 9083)
    rdap_status: Mapped[str] = mapped_column(CODE, default="unknown")  # enums.RDAP_STATUS
    rdap_url: Mapped[str | None] = mapped_column(sa.String(500))
    registry_status: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    registrar: Mapped[str | None] = mapped_column(sa.String(200))
    registrant: Mapped[str | None] = mapped_column(sa.String(200))  # a handle, when published
    registered_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    last_changed_at: Mapped[datetime | None]
    registry_ns: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    __table_args__ = (
        tenant_fk("domain_id", "domain", ondelete="CASCADE"),
        sa.Index("ix_domain_check_domain", "tenant_id", "domain_id", "started_at"),
    )


class DomainFinding(TenantScoped, db.Model):
    """Something about a domain that needs attention, from opening to resolution."""

    __tablename__ = "domain_finding"
    domain_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(CODE, info=oversight())  # enums.FINDING
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # hosts, dates, codes
    opened_at: Mapped[datetime] = mapped_column(default=utcnow, info=oversight())
    opened_check_id: Mapped[uuid.UUID | None]
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_count: Mapped[int] = mapped_column(default=1)
    notified_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None] = mapped_column(info=oversight())
    resolution: Mapped[str | None] = mapped_column(CODE)  # cleared | domain_removed

    __table_args__ = (
        tenant_fk("domain_id", "domain", ondelete="CASCADE"),
        sa.Index("ix_domain_finding_open", "tenant_id", "resolved_at"),
    )

    domain: Mapped[Domain] = relationship(back_populates="findings", viewonly=True)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class AddressScan(TenantScoped, db.Model):
    """That an address list was scanned, and the counts. The file and addresses are not kept."""

    __tablename__ = "address_scan"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("app_user.id"))
    system: Mapped[str | None] = mapped_column(sa.String(100))
    rows: Mapped[int] = mapped_column(default=0)
    addresses: Mapped[int] = mapped_column(default=0)
    hits: Mapped[int] = mapped_column(default=0)  # occurrences on retired domains
    unique_hits: Mapped[int] = mapped_column(default=0)
    by_domain: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # domain -> occurrences
    by_system: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # system -> occurrences
    seconds: Mapped[float] = mapped_column(sa.Float, default=0.0)


def by_id(model, object_id):
    """A row of the current tenant by its id (the key is (tenant_id, id); the tenant is implied)."""
    if object_id is None:
        return None
    return db.session.scalar(sa.select(model).where(model.id == object_id))
