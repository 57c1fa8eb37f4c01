"""The dashboard panel: what needs this person's attention in the breach workflow."""
from __future__ import annotations

import sqlalchemy as sa
from flask_login import current_user

from lekwijzer.db import db, utcnow
from lekwijzer.edge import can

from . import access, clock
from .models import Breach, FgAdvice, Incident, Measure


def context() -> dict:
    now = utcnow()
    out: dict = {"now": now, "my_open": 0}
    if current_user.is_authenticated:
        out["my_open"] = db.session.scalar(sa.select(sa.func.count()).select_from(Incident).where(
            Incident.reported_by == current_user.id, Incident.status == "new")) or 0
    if can("incident.triage"):
        out["untriaged"] = db.session.scalar(sa.select(sa.func.count()).select_from(Incident)
                                             .where(Incident.status == "new")) or 0
    if access.may_view_breaches():
        running = db.session.scalars(sa.select(Breach).where(
            clock_running(), Breach.status == "open").order_by(Breach.ap_deadline_at).limit(5)).all()
        out["clocks"] = [(b, clock.state(b.aware_at, now, notified_at=b.ap_notified_at,
                                         notify_decision=b.notify_ap)) for b in running]
        out["followups"] = db.session.scalars(sa.select(Breach).where(Breach.followup_open.is_(True),
                                                                      Breach.status == "open").limit(5)).all()
    if access.may_decide():
        out["to_decide"] = db.session.scalars(sa.select(Breach).where(
            Breach.status == "open", Breach.severity_band.is_not(None),
            sa.or_(Breach.notify_ap.is_(None), Breach.inform_subjects.is_(None)))
            .order_by(Breach.ap_deadline_at).limit(5)).all()
    if can("breach.advise"):
        advised = sa.select(FgAdvice.breach_id)
        out["to_advise"] = db.session.scalars(sa.select(Breach).where(
            Breach.status == "open", Breach.id.not_in(advised)).order_by(Breach.ap_deadline_at).limit(5)).all()
    if can("measure.manage"):
        out["late_measures"] = db.session.scalar(sa.select(sa.func.count()).select_from(Measure).where(
            Measure.status.in_(("planned", "in_progress")), Measure.due_date < now.date())) or 0
    return out


def clock_running():
    return sa.and_(Breach.aware_at.is_not(None), Breach.ap_notified_at.is_(None),
                   sa.or_(Breach.notify_ap.is_(None), Breach.notify_ap.is_(True)))
