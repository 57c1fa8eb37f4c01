"""Domain watch business rules used by pages and API alike (no request objects here)."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import g
from flask_babel import lazy_gettext as _l

from lekwijzer import audit
from lekwijzer.db import db, utcnow
from lekwijzer.jobs import enqueue

from . import checks
from .enums import SEVERITY
from .models import AddressScan, Domain, DomainCheck, DomainFinding, by_id

FIELDS = ("name", "state", "retired_on", "systems", "registration_contact", "expected_registrar",
          "expected_ns", "expected_mx", "notes")
# Fields whose change alters what the last check means: judge it again at once.
EXPECTATIONS = {"state", "retired_on", "expected_registrar", "expected_ns", "expected_mx"}


class DomainError(ValueError):
    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field, self.message = field, message


def list_domains() -> list[Domain]:
    return db.session.scalars(sa.select(Domain).order_by(Domain.state, Domain.name)).all()


def by_severity(findings) -> list[DomainFinding]:
    """Most urgent first (enums.SEVERITY), then newest first."""
    findings = sorted(findings, key=lambda f: f.opened_at, reverse=True)
    return sorted(findings, key=lambda f: SEVERITY.index(f.kind) if f.kind in SEVERITY else len(SEVERITY))


def open_findings() -> list[DomainFinding]:
    return by_severity(db.session.scalars(
        sa.select(DomainFinding).where(DomainFinding.resolved_at.is_(None))).all())


def findings(state: str = "open") -> list[DomainFinding]:
    stmt = sa.select(DomainFinding).order_by(DomainFinding.opened_at.desc())
    if state == "open":
        stmt = stmt.where(DomainFinding.resolved_at.is_(None))
    elif state == "resolved":
        stmt = stmt.where(DomainFinding.resolved_at.is_not(None))
    return db.session.scalars(stmt).all()


def recent_checks(domain: Domain, limit: int = 10) -> list[DomainCheck]:
    return db.session.scalars(
        sa.select(DomainCheck).where(DomainCheck.domain_id == domain.id)
        .order_by(DomainCheck.started_at.desc()).limit(limit)).all()


def last_check(domain: Domain) -> DomainCheck | None:
    return by_id(DomainCheck, domain.last_check_id)


def status(domain: Domain) -> str:
    """What a person sees first: findings, unknown, fine (ok) or not checked yet."""
    open_kinds = {f.kind for f in domain.findings if f.is_open}
    if open_kinds - {"check_unknown"}:
        return "findings"
    if open_kinds or (domain.last_check_id is not None and _last_outcome(domain) == "unknown"):
        return "unknown"
    if domain.last_check_id is None:
        return "not_checked"
    return "ok"


def _last_outcome(domain: Domain) -> str | None:
    check = last_check(domain)
    return check.outcome if check else None


def _unique(name: str, exclude: uuid.UUID | None = None) -> None:
    stmt = sa.select(Domain.id).where(Domain.name == name)
    if exclude is not None:
        stmt = stmt.where(Domain.id != exclude)
    if db.session.scalar(stmt) is not None:
        raise DomainError("name", _l("This domain is already listed."))


def create_domain(data: dict, user_id: uuid.UUID | None) -> Domain:
    _unique(data["name"])
    domain = Domain(**{k: data.get(k) for k in FIELDS}, created_by=user_id)
    domain.systems = domain.systems or []
    domain.expected_ns = domain.expected_ns or []
    domain.expected_mx = domain.expected_mx or []
    db.session.add(domain)
    db.session.flush()
    audit.record("domain.added", "domain", domain.id, meta={"state": domain.state})
    request_check(domain, reason="manual")
    return domain


def update_domain(domain: Domain, data: dict) -> None:
    _unique(data["name"], exclude=domain.id)
    changed = sorted(k for k in FIELDS if getattr(domain, k) != data.get(k))
    if not changed:
        return
    renamed = "name" in changed
    for key in FIELDS:
        value = data.get(key)
        if value is None and key in ("systems", "expected_ns", "expected_mx"):
            value = []
        setattr(domain, key, value)
    if renamed:
        # Another name is another registration: forget what was accepted for the old one.
        domain.known_registered_at = domain.known_registrant = domain.baseline_taken_at = None
    db.session.flush()
    audit.record("domain.changed", "domain", domain.id, meta={"fields": ",".join(changed)[:80]})
    if renamed:
        _resolve_all(domain, "domain_renamed")
        request_check(domain, reason="manual")
    elif EXPECTATIONS.intersection(changed):
        checks.reevaluate(domain)


def delete_domain(domain: Domain) -> None:
    _resolve_all(domain, "domain_removed")
    audit.record("domain.removed", "domain", domain.id, meta={"state": domain.state})
    db.session.delete(domain)


def _resolve_all(domain: Domain, resolution: str) -> None:
    for finding in db.session.scalars(sa.select(DomainFinding).where(
            DomainFinding.domain_id == domain.id, DomainFinding.resolved_at.is_(None))):
        finding.resolved_at, finding.resolution = utcnow(), resolution
        audit.record("domain.finding_resolved", "domain_finding", finding.id,
                     meta={"kind": finding.kind, "resolution": resolution})


def request_check(domain: Domain, reason: str = "manual"):
    row = enqueue("domains.check", tenant_id=domain.tenant_id or g.org.id, domain_id=domain.id, reason=reason)
    audit.record("domain.check_requested", "domain", domain.id, meta={"reason": reason})
    return row


def confirm_registration(domain: Domain) -> bool:
    """The administrator says the registration the registry shows now is the organisation's."""
    check = last_check(domain)
    if check is None or check.rdap_status != "ok" or check.registered_at is None:
        return False
    domain.known_registered_at = check.registered_at
    domain.known_registrant = check.registrant
    domain.baseline_taken_at = utcnow()
    if domain.expected_registrar and check.registrar and \
            domain.expected_registrar.casefold() not in check.registrar.casefold():
        domain.expected_registrar = check.registrar
    audit.record("domain.registration_baseline", "domain", domain.id, meta={"source": "confirmed"})
    checks.reevaluate(domain)
    return True


def take_over_servers(domain: Domain) -> bool:
    """List the name and mail servers the last check saw as the expected ones."""
    check = last_check(domain)
    if check is None or check.dns_status != "ok":
        return False
    domain.expected_ns = list(check.ns)
    domain.expected_mx = sorted({host for _p, host in check.mx}) if check.mail == "mx" else []
    audit.record("domain.servers_taken_over", "domain", domain.id, meta={"what": "ns,mx"})
    checks.reevaluate(domain)
    return True


def record_scan(result, system: str | None, user_id) -> AddressScan:
    row = AddressScan(created_by=user_id, system=(system or None), rows=result.rows,
                      addresses=result.addresses, hits=result.hits, unique_hits=result.unique_hits,
                      by_domain=result.domain_counts(), by_system=result.system_counts(),
                      seconds=round(result.seconds, 3))
    db.session.add(row)
    db.session.flush()
    audit.record("domains.address_scan", "address_scan", row.id,
                 meta={"rows": result.rows, "hits": result.hits, "domains": len(result.by_domain)})
    return row


def recent_scans(limit: int = 10) -> list[AddressScan]:
    return db.session.scalars(sa.select(AddressScan).order_by(AddressScan.created_at.desc()).limit(limit)).all()
