"""Reminders: a policy review that is due, and a board report that was not signed off.

A periodic sweep (`learning.reminders`, twice a day) looks at every institution in its
own tenant and enqueues one `learning.remind` job per reminder, with a dedupe key so a
reminder goes out once: per policy version, review date and stage (due soon, overdue,
stale), and at most once a calendar month for the board report. The job checks again
that the reminder still applies, then mails the people concerned a subject, a
reference and a link — nothing else (`lekwijzer.mail`).
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lekwijzer import audit, mail
from lekwijzer.db import db
from lekwijzer.jobs import enqueue, job, periodic
from lekwijzer.models import Membership, Org, OrgKind, OutboxJob
from lekwijzer.tenancy import current_tenant_id, tenant_scope

from . import analysis, policy, reports
from .periods import today_local

POLICY_DUE = "learning.policy_review_due"
POLICY_OVERDUE = "learning.policy_review_overdue"
REPORT_DUE = "learning.board_report_due"
RECIPIENTS = {
    POLICY_DUE: {"privacy_officer", "tenant_admin"},
    POLICY_OVERDUE: {"privacy_officer", "tenant_admin", "board"},
    REPORT_DUE: {"board", "privacy_officer"},
}

mail.notification_kind(POLICY_DUE, _l("The reporting policy for breaches is due for review"),
                       lambda org, _id: f"/o/{org.slug}/learning/policy")
mail.notification_kind(POLICY_OVERDUE, _l("The reporting policy for breaches has not been reviewed in time"),
                       lambda org, _id: f"/o/{org.slug}/learning/policy")
mail.notification_kind(REPORT_DUE, _l("No board report on breaches was signed off in the last six months"),
                       lambda org, _id: f"/o/{org.slug}/learning/reports")


def due(today: date) -> list[tuple[str, str | None, str]]:
    """(kind, object id, dedupe tail) for the current institution's reminders that apply today."""
    settings = analysis.get_settings()
    out = []
    st = policy.status(settings, today)
    if st["status"] in ("review_due", "review_overdue", "stale"):
        kind = POLICY_DUE if st["status"] == "review_due" else POLICY_OVERDUE
        out.append((kind, str(st["policy_id"]), f"policy:{st['policy_id']}:{st['review_due']}:{st['status']}"))
    if reports.report_due(settings, today):
        out.append((REPORT_DUE, None, f"report:{today:%Y-%m}"))
    return out


@periodic("learning.reminders", every=timedelta(hours=12))
def sweep() -> None:
    today = today_local()
    orgs = db.session.execute(sa.select(Org.id).where(Org.kind == OrgKind.institution, Org.active.is_(True))).all()
    for (org_id,) in orgs:
        with tenant_scope(org_id):
            for kind, object_id, tail in due(today):
                key = f"learning:{org_id}:{tail}"
                if db.session.scalar(sa.select(OutboxJob.id).where(OutboxJob.dedupe_key == key)):
                    continue
                enqueue("learning.remind", tenant_id=org_id, dedupe_key=key, kind=kind, object_id=object_id)


@job("learning.remind")
def remind(kind: str, object_id: str | None = None) -> None:
    if kind not in RECIPIENTS:
        return
    if kind not in {k for k, _, _ in due(today_local())}:
        return  # dealt with since the sweep (reviewed, or a report was signed off)
    org = db.session.get(Org, current_tenant_id())
    # A job has no signed-in user, so the session's scoping gives exactly this tenant's members.
    members = db.session.scalars(sa.select(Membership)).all()
    people = sorted(m.user_id for m in members if set(m.roles) & RECIPIENTS[kind])
    for user_id in people:
        mail.notify(user_id, kind, org, object_id)
    audit.record("learning.reminder_sent", "org", org.id, meta={"kind": kind, "recipients": len(people)},
                 actor=("system", None))
