"""Lekwijzer never mails an address on one of the organisation's retired domains."""
from __future__ import annotations

import time

import sqlalchemy as sa

from tests.domains.conftest import add_domain


def _member_on(app, org, email, roles=("privacy_officer",)):
    """A member added before the domain was retired (directly: the form would refuse it now)."""
    from lekwijzer.db import db
    from lekwijzer.models import Membership, User
    from lekwijzer.tenancy import tenant_scope

    with app.app_context():
        user = User(email=email, name="Oud Adres", locale="nl")
        db.session.add(user)
        db.session.commit()
        with tenant_scope(org.id):
            db.session.add(Membership(tenant_id=org.id, user_id=user.id, roles=list(roles)))
        return user.id


def _notify(app, org, user_id):
    from lekwijzer import mail
    from lekwijzer.db import db
    from lekwijzer.models import Org
    from lekwijzer.tenancy import tenant_scope

    with app.app_context():
        with tenant_scope(org.id):
            mail.notify(user_id, "test", db.session.get(Org, org.id))
        db.session.remove()


def _audit(app, org):
    from lekwijzer.db import db
    from lekwijzer.models import AuditEvent
    from lekwijzer.tenancy import tenant_scope

    with app.app_context(), tenant_scope(org.id):
        return [(e.action, e.object_id, e.meta) for e in
                db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq))]


def test_mail_to_an_address_on_a_retired_domain_is_refused_and_audited(app, world, smtp):
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    org = world.orgs["a"]
    add_domain(app, org, name="bjz-voorbeeld.nl", state="retired")
    old = _member_on(app, org, "j.devries@bjz-voorbeeld.nl")
    sub = _member_on(app, org, "voicemail@telefonie.bjz-voorbeeld.nl")
    fine = world.user("a", "privacy_officer").id
    for user_id in (old, sub, fine):
        _notify(app, org, user_id)
    messages = smtp.wait_for(1)
    time.sleep(0.3)
    assert [rcpts for rcpts, _m in smtp.messages] == [["privacy_officer@org-a.test"]]  # nothing else arrived
    refused = [(obj, meta) for action, obj, meta in _audit(app, org) if action == "mail.refused"]
    assert refused == [(str(old), {"reason": "retired_domain", "kind": "test"}),
                       (str(sub), {"reason": "retired_domain", "kind": "test"})]
    assert messages


def test_another_organisations_retired_domain_does_not_block_mail(app, world, smtp):
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    add_domain(app, world.orgs["b"], name="gedeeld-voorbeeld.nl", state="retired")
    add_domain(app, world.orgs["a"], name="gedeeld-voorbeeld.nl", state="current")
    user_id = _member_on(app, world.orgs["a"], "an@gedeeld-voorbeeld.nl")
    _notify(app, world.orgs["a"], user_id)
    assert [rcpts for rcpts, _m in smtp.wait_for(1)] == [["an@gedeeld-voorbeeld.nl"]]


def test_retiring_a_domain_stops_mail_at_once(app, world, smtp, login):
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    org = world.orgs["a"]
    domain_id = add_domain(app, org, name="oud-voorbeeld.nl", state="current")
    user_id = _member_on(app, org, "piet@oud-voorbeeld.nl")
    client = login(app, world.user("a", "tenant_admin"))
    assert client.get(f"/o/org-a/domains/{domain_id}/edit").status_code == 200
    response = client.post(f"/o/org-a/domains/{domain_id}/edit", {
        "name": "oud-voorbeeld.nl", "state": "retired", "retired_on": "2024-01-31"})
    assert response.status_code == 302
    page = client.get(f"/o/org-a/domains/{domain_id}").get_data(as_text=True)
    assert "1 lid heeft een e-mailadres op dit afgestoten domein. Lekwijzer mailt dit lid niet meer" in page
    # The administrator sees who still has an address there, and that Lekwijzer will not mail them.
    assert "piet@oud-voorbeeld.nl" in page and "1 lid heeft nog een e-mailadres op dit domein" in page
    _notify(app, org, user_id)
    time.sleep(0.5)
    assert smtp.messages == []
    dashboard = client.get("/o/org-a/").get_data(as_text=True)
    assert "1 lid heeft een e-mailadres op een afgestoten domein" in dashboard
    assert "Lekwijzer heeft de afgelopen 30 dagen 1 e-mail naar een adres op een afgestoten domein geweigerd" \
        in dashboard


def test_adding_a_member_with_an_address_on_a_retired_domain_is_refused(app, world, login, api):
    import sqlalchemy as sa

    from lekwijzer.db import db
    from lekwijzer.models import User

    add_domain(app, world.orgs["a"], name="bjz-voorbeeld.nl", state="retired")
    client = login(app, world.user("a", "tenant_admin"))
    client.get("/o/org-a/admin/members")
    response = client.post("/o/org-a/admin/members", {"name": "Jan Oud", "email": "jan@bjz-voorbeeld.nl",
                                                       "roles": "reporter"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "bjz-voorbeeld.nl is een afgestoten domein van deze organisatie" in page
    assert 'id="error-summary"' in page
    api_client = api(app, world, "a", "tenant_admin")
    response = api_client.post("/api/v1/members", json={"name": "Jan Oud", "email": "Jan@Mail.BJZ-voorbeeld.nl",
                                                        "roles": ["reporter"]})
    assert response.status_code == 409
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email.like("%bjz-voorbeeld.nl"))) is None
    # A current address is fine.
    ok = api_client.post("/api/v1/members", json={"name": "Jan Nieuw", "email": "jan@samenveilig-voorbeeld.nl",
                                                  "roles": ["reporter"]})
    assert ok.status_code == 201
