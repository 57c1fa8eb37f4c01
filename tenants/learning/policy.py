"""The reporting-policy register: versions, reviews, reporting changes, and the status.

Status of the current version (the latest one adopted on or before today):
* last reviewed = its adoption date, or the date of its latest review;
* review due = the next-review date of its latest review, or of the version itself;
* "stale" when it was last reviewed more than the configured interval ago (default 12
  months; the AP found policies not evaluated since 2020);
* otherwise "review overdue" once the review date has passed, "review due soon" within
  the reminder period before it, and "up to date" before that.
Flags: the FG takes the notification decision (not compatible with the FG's independent
role, AP 2024), the FG is not involved, a review found that a new version is needed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext

from lekwijzer import audit
from lekwijzer.db import db

from .models import PolicyReview, ReportingEvent, ReportingPolicy
from .periods import add_months, today_local
from .rules import RuleError


@dataclass(frozen=True)
class VersionRow:
    id: object
    adopted_on: date
    next_review_on: date
    decision_role: str
    fg_involved: bool


@dataclass(frozen=True)
class ReviewRow:
    policy_id: object
    reviewed_on: date
    outcome: str
    next_review_on: date


def compute_status(versions: list[VersionRow], reviews: list[ReviewRow], review_months: int,
                   reminder_days: int, today: date) -> dict:
    adopted = [v for v in versions if v.adopted_on <= today]
    if not adopted:
        return {"status": "none", "policy_id": None, "adopted_on": None, "last_reviewed": None,
                "review_due": None, "stale_from": None, "fg_decides": False, "fg_not_involved": False,
                "revision_needed": False}
    current = max(adopted, key=lambda v: v.adopted_on)
    own = sorted((r for r in reviews if r.policy_id == current.id and r.reviewed_on <= today),
                 key=lambda r: r.reviewed_on)
    last_reviewed = max([current.adopted_on] + [r.reviewed_on for r in own])
    review_due = own[-1].next_review_on if own else current.next_review_on
    stale_from = add_months(last_reviewed, review_months)
    if today >= stale_from:
        status = "stale"
    elif today > review_due:
        status = "review_overdue"
    elif (review_due - today).days <= reminder_days:
        status = "review_due"
    else:
        status = "current"
    return {
        "status": status, "policy_id": current.id, "adopted_on": current.adopted_on,
        "last_reviewed": last_reviewed, "review_due": review_due, "stale_from": stale_from,
        "fg_decides": current.decision_role == "fg", "fg_not_involved": not current.fg_involved,
        "revision_needed": bool(own) and own[-1].outcome == "revision_needed",
    }


def versions() -> list[ReportingPolicy]:
    return db.session.scalars(sa.select(ReportingPolicy).order_by(ReportingPolicy.adopted_on.desc(),
                                                                  ReportingPolicy.created_at.desc())).all()


def reviews() -> list[PolicyReview]:
    return db.session.scalars(sa.select(PolicyReview).order_by(PolicyReview.reviewed_on.desc())).all()


def events() -> list[ReportingEvent]:
    return db.session.scalars(sa.select(ReportingEvent).order_by(ReportingEvent.occurred_on.desc())).all()


def status(settings, today: date | None = None) -> dict:
    return compute_status(
        [VersionRow(v.id, v.adopted_on, v.next_review_on, v.decision_role, v.fg_involved) for v in versions()],
        [ReviewRow(r.policy_id, r.reviewed_on, r.outcome, r.next_review_on) for r in reviews()],
        settings.policy_review_months, settings.policy_reminder_days, today or today_local())


def add_version(data: dict, settings, user_id) -> ReportingPolicy:
    data = dict(data)
    if db.session.scalar(sa.select(ReportingPolicy.id).where(ReportingPolicy.version_label == data["version_label"])):
        raise RuleError("version_label", gettext("This version number is already registered."))
    if data.get("next_review_on") is None:
        data["next_review_on"] = add_months(data["adopted_on"], settings.policy_review_months)
    row = ReportingPolicy(created_by=user_id, **data)
    db.session.add(row)
    db.session.flush()
    audit.record("reporting_policy.version_added", "reporting_policy", row.id,
                 meta={"decision_role": row.decision_role, "fg_involved": row.fg_involved})
    return row


def add_review(policy: ReportingPolicy, data: dict, settings, user_id) -> PolicyReview:
    data = dict(data)
    if data["reviewed_on"] < policy.adopted_on:
        raise RuleError("reviewed_on", gettext("A review cannot be dated before the version was adopted."))
    if data.get("next_review_on") is None:
        data["next_review_on"] = add_months(data["reviewed_on"], settings.policy_review_months)
    row = PolicyReview(policy_id=policy.id, reviewed_by=user_id, **data)
    db.session.add(row)
    db.session.flush()
    audit.record("reporting_policy.reviewed", "reporting_policy", policy.id, meta={"outcome": row.outcome})
    return row


def add_event(data: dict, user_id) -> ReportingEvent:
    row = ReportingEvent(created_by=user_id, **data)
    db.session.add(row)
    db.session.flush()
    audit.record("reporting_event.added", "reporting_event", row.id, meta={"kind": row.kind})
    return row
