"""Run a domain's checks and turn what was seen into findings.

`evaluate` is a pure function: the domain as the organisation listed it, one check's
results and today → the findings that hold, and the kinds that could not be judged. A
kind that could not be judged (DNS or registry did not answer) is neither opened nor
resolved: its open finding stays open, and the check itself says "unknown".

`reconcile` opens new findings (with a notification to administrators and privacy
officers), keeps seen ones open, and resolves those whose cause is gone. Every change is
audited in the same transaction.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from lekwijzer import audit, mail
from lekwijzer.db import db, utcnow
from lekwijzer.models import Membership, Org

from . import dnscheck, rdap
from .enums import LAPSING_STATUSES
from .models import Domain, DomainCheck, DomainFinding, by_id
from .rules import unlisted

log = logging.getLogger("lekwijzer.domains")
NOTIFY_ROLES = {"tenant_admin", "privacy_officer"}
DNS_KINDS = {"ns_unlisted", "mx_unlisted"}
RDAP_KINDS = {"registration_changed", "expiring"}


@dataclass
class Evaluation:
    found: dict[str, dict] = field(default_factory=dict)  # kind -> detail
    undecided: set[str] = field(default_factory=set)  # kinds that could not be judged
    baseline: dict | None = None  # registration to accept as the organisation's own

    @property
    def outcome(self) -> str:
        real = {k for k in self.found if k != "check_unknown"}
        if real:
            return "findings"
        return "unknown" if "check_unknown" in self.found else "ok"


def evaluate(domain: Domain, check: DomainCheck, now: datetime, window_days: int) -> Evaluation:
    ev = Evaluation()
    dns_ok, rdap_ok = check.dns_status == "ok", check.rdap_status == "ok"

    # Gone: DNS says the name does not exist, or the registry does not know it.
    if check.dns_status == "nxdomain" or check.rdap_status == "not_found":
        ev.found["disappeared"] = {"dns": check.dns_status, "rdap": check.rdap_status}
    elif not (dns_ok or rdap_ok):
        ev.undecided.add("disappeared")

    if dns_ok:
        ns_extra = unlisted(check.ns, domain.expected_ns)
        if ns_extra and domain.expected_ns:
            ev.found["ns_unlisted"] = {"hosts": ns_extra}
        mail_hosts = [host for _pref, host in (check.mx or [])] if check.mail == "mx" else (
            [domain.name] if check.mail == "implicit" else [])
        mx_extra = unlisted(mail_hosts, domain.expected_mx)
        # A retired domain should receive no mail at all unless the organisation says where
        # it goes (its own catch-all); a current one is compared once its servers are listed.
        if mx_extra and (domain.expected_mx or domain.retired):
            detail = {"hosts": mx_extra}
            if check.probe == "accepts_random":
                detail["catch_all"] = True
            ev.found["mx_unlisted"] = detail
    elif check.dns_status != "nxdomain":
        ev.undecided |= DNS_KINDS

    if rdap_ok:
        _registration(domain, check, ev)
        _expiry(check, now, window_days, ev)
    elif check.rdap_status != "not_found":
        ev.undecided |= RDAP_KINDS

    problems = {}
    if check.dns_status in ("timeout", "error"):
        problems["dns"] = check.dns_status
    if check.rdap_status in ("timeout", "error", "no_service"):
        problems["rdap"] = check.rdap_status
    if problems:
        ev.found["check_unknown"] = problems
    return ev


def _registration(domain: Domain, check: DomainCheck, ev: Evaluation) -> None:
    reasons = []
    if domain.expected_registrar and check.registrar:
        if domain.expected_registrar.strip().casefold() not in check.registrar.casefold():
            reasons.append("registrar")
    if domain.known_registered_at is not None:
        if check.registered_at is not None and check.registered_at != domain.known_registered_at:
            reasons.append("registered_again")
        if domain.known_registrant and check.registrant and check.registrant != domain.known_registrant:
            reasons.append("registrant")
    elif domain.retired and check.registered_at is not None and domain.retired_on is not None \
            and check.registered_at.date() > domain.retired_on:
        reasons.append("registered_after_retirement")
    if reasons:
        ev.found["registration_changed"] = {
            "reasons": reasons, "registrar": check.registrar,
            "registered_at": check.registered_at.isoformat() if check.registered_at else None,
        }
    elif domain.known_registered_at is None and check.registered_at is not None:
        ev.baseline = {"registered_at": check.registered_at, "registrant": check.registrant}


def _expiry(check: DomainCheck, now: datetime, window_days: int, ev: Evaluation) -> None:
    lapsing = sorted(set(check.registry_status or []) & LAPSING_STATUSES)
    if lapsing:
        ev.found["expiring"] = {"status": lapsing[0].replace(" ", "_")}
        return
    if check.expires_at is not None and check.expires_at <= now + timedelta(days=window_days):
        days = (check.expires_at - now).days
        ev.found["expiring"] = {"expires_at": check.expires_at.isoformat(), "days": days}


# --- running a check -------------------------------------------------------------------

def run(domain_id: uuid.UUID, reason: str = "scheduled") -> DomainCheck | None:
    """Check one domain now, in the current tenant; commit is the caller's."""
    domain = by_id(Domain, domain_id)
    if domain is None:
        return None
    name = domain.name
    config = current_app.config
    started = utcnow()
    # No database transaction stays open while DNS and the registry are asked.
    db.session.commit()
    dns_result = dnscheck.check(name, config)
    rdap_result = rdap.lookup(name, config)

    domain = by_id(Domain, domain_id)
    if domain is None:
        return None  # removed while we were asking
    check = DomainCheck(
        domain_id=domain.id, reason=reason, started_at=started, finished_at=utcnow(),
        dns_status=dns_result.status, ns=dns_result.ns, mx=[list(m) for m in dns_result.mx],
        soa_mname=dns_result.soa_mname, soa_serial=dns_result.soa_serial, mail=dns_result.mail,
        probe=dns_result.probe,
        rdap_status=rdap_result.status, rdap_url=rdap_result.url, registry_status=rdap_result.statuses,
        registrar=rdap_result.registrar, registrant=rdap_result.registrant,
        registered_at=rdap_result.registered_at, expires_at=rdap_result.expires_at,
        last_changed_at=rdap_result.last_changed_at, registry_ns=rdap_result.nameservers,
    )
    db.session.add(check)
    db.session.flush()
    _take_baseline(domain, check)
    ev = evaluate(domain, check, utcnow(), int(config.get("DOMAINS_EXPIRY_WINDOW_DAYS", 60)))
    if ev.baseline:
        domain.known_registered_at = ev.baseline["registered_at"]
        domain.known_registrant = ev.baseline["registrant"]
        domain.baseline_taken_at = utcnow()
        audit.record("domain.registration_baseline", "domain", domain.id, meta={"source": "first_check"})
    domain.last_checked_at, domain.last_check_id = check.finished_at, check.id
    reconcile(domain, ev, check)
    # A finding kept open because part of the check got no answer still counts.
    still_open = set(db.session.scalars(sa.select(DomainFinding.kind).where(
        DomainFinding.domain_id == domain.id, DomainFinding.resolved_at.is_(None))))
    check.outcome = "findings" if still_open - {"check_unknown"} else ev.outcome
    audit.record("domain.checked", "domain", domain.id,
                 meta={"outcome": check.outcome, "dns": check.dns_status, "rdap": check.rdap_status,
                       "reason": reason})
    return check


def _take_baseline(domain: Domain, check: DomainCheck) -> None:
    """A current domain's first good check supplies the servers the organisation did not list."""
    if domain.retired or check.dns_status != "ok":
        return
    taken = []
    if not domain.expected_ns and check.ns:
        domain.expected_ns = list(check.ns)
        taken.append("ns")
    if not domain.expected_mx and check.mail == "mx":
        domain.expected_mx = sorted({host for _p, host in check.mx})
        taken.append("mx")
    if taken:
        audit.record("domain.servers_taken_over", "domain", domain.id, meta={"what": ",".join(taken)})


def reconcile(domain: Domain, ev: Evaluation, check: DomainCheck | None) -> list[DomainFinding]:
    """Open, keep and resolve the domain's findings according to an evaluation."""
    now = utcnow()
    open_findings = {f.kind: f for f in db.session.scalars(
        sa.select(DomainFinding).where(DomainFinding.domain_id == domain.id,
                                       DomainFinding.resolved_at.is_(None)))}
    opened = []
    for kind, detail in ev.found.items():
        finding = open_findings.get(kind)
        if finding is None:
            finding = DomainFinding(domain_id=domain.id, kind=kind, detail=detail, opened_at=now,
                                    last_seen_at=now, opened_check_id=check.id if check else None)
            db.session.add(finding)
            db.session.flush()
            audit.record("domain.finding_opened", "domain_finding", finding.id,
                         meta={"kind": kind, "domain": str(domain.id)})
            opened.append(finding)
        elif check is not None:
            finding.detail = detail
            finding.last_seen_at = now
            finding.seen_count += 1
        if finding.notified_at is None and _should_notify(finding):
            _notify(domain, finding)
    for kind, finding in open_findings.items():
        if kind in ev.found or kind in ev.undecided:
            continue
        finding.resolved_at, finding.resolution = now, "cleared"
        audit.record("domain.finding_resolved", "domain_finding", finding.id,
                     meta={"kind": kind, "resolution": "cleared"})
    return opened


def _should_notify(finding: DomainFinding) -> bool:
    if finding.kind != "check_unknown":
        return True
    # One unanswered query is weather; a domain that stays unknown needs a person.
    return finding.seen_count >= int(current_app.config.get("DOMAINS_UNKNOWN_NOTIFY_AFTER", 2))


def recipients() -> list[uuid.UUID]:
    members = db.session.scalars(sa.select(Membership)).all()
    return sorted({m.user_id for m in members if NOTIFY_ROLES.intersection(m.roles or [])}, key=str)


def _notify(domain: Domain, finding: DomainFinding) -> None:
    org = db.session.get(Org, domain.tenant_id)
    for user_id in recipients():
        mail.notify(user_id, "domains.finding", org, finding.id)
    finding.notified_at = utcnow()


def reevaluate(domain: Domain) -> None:
    """After the organisation changed what it expects: judge the last check again (no network)."""
    if domain.last_check_id is None:
        return
    check = by_id(DomainCheck, domain.last_check_id)
    if check is None:
        return
    ev = evaluate(domain, check, utcnow(), int(current_app.config.get("DOMAINS_EXPIRY_WINDOW_DAYS", 60)))
    ev.found.pop("check_unknown", None)
    ev.undecided.add("check_unknown")
    reconcile(domain, ev, None)


def sweep_due(now: datetime | None = None) -> int:
    """Enqueue a check for every domain of every institution that is due (idempotent)."""
    from lekwijzer.jobs import enqueue
    from lekwijzer.models import OrgKind, OutboxJob
    from lekwijzer.tenancy import tenant_scope

    now = now or utcnow()
    every = timedelta(hours=float(current_app.config.get("DOMAINS_CHECK_EVERY_HOURS", 24)))
    slot = int(now.replace(tzinfo=timezone.utc).timestamp() // every.total_seconds())
    orgs = db.session.scalars(sa.select(Org.id).where(Org.kind == OrgKind.institution,
                                                      Org.active.is_(True))).all()
    enqueued = 0
    for org_id in orgs:
        with tenant_scope(org_id):
            due = db.session.scalars(sa.select(Domain.id).where(
                sa.or_(Domain.last_checked_at.is_(None), Domain.last_checked_at <= now - every * 0.9))).all()
            for domain_id in due:
                key = f"domains.check:{domain_id}:{slot}"
                if db.session.scalar(sa.select(OutboxJob.id).where(OutboxJob.dedupe_key == key)):
                    continue
                enqueue("domains.check", tenant_id=org_id, dedupe_key=key, domain_id=domain_id,
                        reason="scheduled")
                enqueued += 1
    return enqueued


mail.notification_kind(
    "domains.finding", _l("A domain of your organisation needs attention"),
    lambda org, finding_id: f"/o/{org.slug}/domains/findings/{finding_id}",
)
