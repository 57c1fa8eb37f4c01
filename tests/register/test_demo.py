"""The demo looks like a living sector: breaches of every kind over two years, open and
closed, notified and not, some late, with measures; the largest institution has the most."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa


def test_the_demo_fills_every_institution_with_a_credible_register(demo):
    from lekwijzer.demo import MAIN
    from lekwijzer.db import db, utcnow
    from lekwijzer.models import Org, OrgKind
    from lekwijzer.tenancy import tenant_scope
    from tenants.register import completeness, service
    from tenants.register.models import ApNotification, Breach, Incident, Measure, ProcessingActivity

    app = demo  # the app holding the demo sector
    with app.app_context():
        now = utcnow()
        per_org = {}
        for org in db.session.scalars(sa.select(Org).where(Org.kind == OrgKind.institution)).all():
            with tenant_scope(org.id) as session:
                breaches = session.scalars(sa.select(Breach)).all()
                per_org[org.slug] = breaches
                assert breaches, org.slug
                assert session.scalar(sa.select(sa.func.count()).select_from(ProcessingActivity)) >= 5
                assert all(b.processing_activity_id for b in breaches)
                for breach in breaches:
                    if breach.status == "closed":
                        assert completeness.missing(breach, service.load(breach)) == [], breach.reference
                if org.slug == MAIN:
                    incidents = session.scalars(sa.select(Incident)).all()
                    assert {"breach", "not_breach", "new"} <= {i.status for i in incidents}
                    open_ = [b for b in breaches if b.status == "open"]
                    assert any(b.ap_deadline_at and b.ap_deadline_at > now and not b.ap_notified_at for b in open_)
                    assert any(b.ap_deadline_at and b.ap_deadline_at < now and not b.ap_notified_at
                               and b.notify_ap is not False for b in open_)  # one overdue
                    assert any(b.followup_open for b in open_)
                    notifications = session.scalars(sa.select(ApNotification)).all()
                    assert all(n.payload.get("0", {}).get("regulation") == "AVG" for n in notifications)
                    measures = session.scalars(sa.select(Measure)).all()
                    assert {"done", "planned", "in_progress"} <= {m.status for m in measures}
                    assert any(m.status != "done" and m.due_date and m.due_date < now.date() for m in measures)
        everything = [b for bs in per_org.values() for b in bs]
        assert len(per_org[MAIN]) == max(len(bs) for bs in per_org.values())
        assert len({b.incident_type for b in everything}) >= 10
        assert {"low", "medium", "high", "very_high"} <= {b.severity_band for b in everything}
        notified = [b for b in everything if b.ap_notified_at]
        assert 0.3 < len(notified) / len(everything) < 0.8  # many breaches are only registered
        assert any(b.notified_late and b.delay_reason for b in everything)
        assert all(b.delay_reason for b in everything if b.notified_late)
        aware = sorted(b.aware_at for b in everything)
        assert aware[0] < now - timedelta(days=600) and aware[-1] > now - timedelta(days=3)
