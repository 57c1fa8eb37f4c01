"""What the regulator sees about one institution — one function for both sides.

The regulator's page about an institution and the institution's own "what the AP sees
about us" page call `institution_profile` and render the same partial
(`oversight/_profile.html`), so the two cannot drift apart. The data: the organisation's
public facts, the latest review of its register (counts, rates, governance facts),
every finding about it with its history, and the institution's response code to each
(never its internal note). Register entries appear by a short form of their id only.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from lekwijzer.db import db
from lekwijzer.models import Org, Region

from .labels import INFORMATIONAL
from .models import InstitutionReview, ReconciliationFinding
from .register import responses_for

RESOLVED_SHOWN = 50


@dataclass
class FindingView:
    id: uuid.UUID
    kind: str
    status: str  # new | open | resolved
    entry: str | None  # short id of the register entry
    breach_id: uuid.UUID | None
    ap_reference: str | None
    match_method: str | None
    detail: list[str]
    hours: float | None
    first_seen_at: datetime
    resolved_at: datetime | None
    reopened: int
    response: str | None
    responded_at: datetime | None


@dataclass
class Profile:
    org: Org
    region: str | None
    review: InstitutionReview | None
    findings: list[FindingView] = field(default_factory=list)
    matched_by_method: dict = field(default_factory=dict)  # method -> notifications
    resolved_hidden: int = 0

    @property
    def matched(self) -> int:
        return sum(self.matched_by_method.values())

    @property
    def open_findings(self) -> list[FindingView]:
        return [f for f in self.findings if f.status != "resolved"]

    @property
    def resolved_findings(self) -> list[FindingView]:
        return [f for f in self.findings if f.status == "resolved"]


def short_id(value) -> str | None:
    return value.hex[:8].upper() if value else None


def _status(finding: ReconciliationFinding, latest_run) -> str:
    if finding.status == "resolved":
        return "resolved"
    return "new" if latest_run is not None and finding.first_seen_run_id == latest_run else "open"


def institution_profile(institution_id: uuid.UUID) -> Profile:
    """Everything the regulator sees about the institution (read in the caller's tenant:
    the regulator's own rows, or the rows about the institution itself)."""
    org = db.session.get(Org, institution_id)
    region = db.session.get(Region, org.region_code).name if org is not None and org.region_code else None
    review = db.session.scalar(sa.select(InstitutionReview).where(InstitutionReview.institution_id == institution_id)
                               .order_by(InstitutionReview.computed_at.desc()).limit(1))
    latest_run = review.run_id if review else None
    F = ReconciliationFinding
    about = F.institution_id == institution_id
    # matched notifications are counted per matching method (one finding each)
    matched_by_method = {method: int(n or 0) for method, n in db.session.execute(
        sa.select(F.match_method, F.notifications).where(about, F.kind == "matched", F.status == "open")
        .order_by(F.match_method)).all()}
    rows = db.session.scalars(sa.select(F).where(about, F.kind != "matched", F.status == "open")
                              .order_by(F.kind, F.first_seen_at, F.finding_key)).all()
    resolved = db.session.scalars(sa.select(F).where(about, F.kind != "matched", F.status == "resolved")
                                  .order_by(F.resolved_at.desc(), F.finding_key).limit(RESOLVED_SHOWN)).all()
    resolved_total = db.session.scalar(sa.select(sa.func.count()).select_from(F).where(
        about, F.kind != "matched", F.status == "resolved")) or 0
    responses = responses_for([institution_id])
    findings = []
    for f in [*rows, *resolved]:
        code, at = responses.get(f.id, (None, None))
        findings.append(FindingView(
            id=f.id, kind=f.kind, status=_status(f, latest_run), entry=short_id(f.breach_id), breach_id=f.breach_id,
            ap_reference=f.ap_reference, match_method=f.match_method,
            detail=[d for d in (f.detail or "").split(",") if d], hours=f.hours, first_seen_at=f.first_seen_at,
            resolved_at=f.resolved_at, reopened=f.reopened, response=code, responded_at=at))
    return Profile(org=org, region=region, review=review, findings=findings, matched_by_method=matched_by_method,
                   resolved_hidden=max(0, resolved_total - len(resolved)))


def as_dict(profile: Profile) -> dict:
    """The profile for the API (the same on both sides)."""
    r = profile.review
    review = None
    if r is not None:
        review = {name: getattr(r, name) for name in (
            "computed_at", "period_from", "period_until", "breaches", "complete_entries", "completeness_avg",
            "description_too_short", "risk_without_reasoning", "not_ended", "missing_corrective", "received",
            "register_notifications", "per_100_employees", "per_1000_clients", "sector_p10_employees",
            "sector_p10_clients", "lowest_decile_employees", "lowest_decile_clients", "policy_stale",
            "policy_fg_decides", "reports_known", "last_report_signed_at", "open_findings")}
    return {
        "institution": {"name": profile.org.name, "kvk": profile.org.kvk, "employees": profile.org.employees,
                        "clients_per_year": profile.org.clients_per_year, "region": profile.region},
        "review": review,
        "matched_notifications": profile.matched,
        "matched_by_method": profile.matched_by_method,
        "findings": [{"id": f.id, "kind": f.kind, "status": f.status, "informational": f.kind in INFORMATIONAL,
                      "entry": f.entry, "ap_reference": f.ap_reference, "match_method": f.match_method,
                      "detail": f.detail, "hours": f.hours, "first_seen_at": f.first_seen_at,
                      "resolved_at": f.resolved_at, "reopened": f.reopened, "response": f.response,
                      "responded_at": f.responded_at} for f in profile.findings],
        "resolved_not_shown": profile.resolved_hidden,
    }
