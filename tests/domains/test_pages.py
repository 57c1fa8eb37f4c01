"""Listing domains: the form and the API share one schema; bad input writes nothing."""
from __future__ import annotations

import sqlalchemy as sa

from tests.domains.conftest import add_domain, run_check


def _domains(app, org):
    from lekwijzer.db import db
    from lekwijzer.tenancy import tenant_scope
    from tenants.domains.models import Domain

    with app.app_context(), tenant_scope(org.id):
        return {d.name: (d.state, d.retired_on, d.systems, d.expected_ns)
                for d in db.session.scalars(sa.select(Domain))}


def test_the_admin_adds_a_retired_domain_and_it_is_checked_at_once(watch_app, world, registries, login):
    client = login(watch_app, world.user("a", "tenant_admin"))
    assert "Domein toevoegen" in client.get("/o/org-a/domains/").get_data(as_text=True)
    client.get("/o/org-a/domains/new")
    response = client.post("/o/org-a/domains/new", {
        "name": " BJZ-Voorbeeld.NL. ", "state": "retired", "retired_on": "2018-10-01",
        "systems": "Crisistool\nVoIP-telefooncentrale", "registration_contact": "ICT-leverancier",
        "expected_ns": "ns1.transip.nl, ns2.transip.eu", "expected_mx": ""})
    assert response.status_code == 302
    assert _domains(watch_app, world.orgs["a"]) == {
        "bjz-voorbeeld.nl": ("retired", __import__("datetime").date(2018, 10, 1),
                             ["Crisistool", "VoIP-telefooncentrale"], ["ns1.transip.nl", "ns2.transip.eu"])}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # The first check ran (inline here): the name is unknown to DNS and the registry.
    assert "Domein bestaat niet meer" in page and "Bestaat niet (NXDOMAIN)" in page
    assert registries.rdap.requests == ["/rdap/domain/bjz-voorbeeld.nl"]


def test_bad_input_is_a_422_with_an_error_summary_and_nothing_is_written(watch_app, world, registries, login):
    client = login(watch_app, world.user("a", "tenant_admin"))
    client.get("/o/org-a/domains/new")
    response = client.post("/o/org-a/domains/new", {
        "name": "https://bjz-voorbeeld.nl/", "state": "retired", "expected_ns": "ns1 transip nl"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="error-summary"' in page
    assert "Vul een domeinnaam in" in page
    assert "Vul de datum in waarop het domein is afgestoten" in page
    assert "Geen geldige servernaam: ns1 transip nl" in page
    response = client.post("/o/org-a/domains/new", {"name": "x.nl", "state": "retired", "retired_on": "2999-01-01"})
    assert response.status_code == 422 and "kan niet in de toekomst liggen" in response.get_data(as_text=True)
    assert _domains(watch_app, world.orgs["a"]) == {}


def test_a_domain_is_listed_once(watch_app, world, registries, login):
    add_domain(watch_app, world.orgs["a"], name="kompas-voorbeeld.nl")
    client = login(watch_app, world.user("a", "tenant_admin"))
    client.get("/o/org-a/domains/new")
    response = client.post("/o/org-a/domains/new", {"name": "Kompas-Voorbeeld.nl", "state": "current"})
    assert response.status_code == 422 and "Dit domein staat al op de lijst" in response.get_data(as_text=True)


def test_international_names_are_stored_as_the_dns_knows_them(watch_app, world, registries, login):
    client = login(watch_app, world.user("a", "tenant_admin"))
    client.get("/o/org-a/domains/new")
    response = client.post("/o/org-a/domains/new", {"name": "jeugdzorg-café.nl", "state": "current"})
    assert response.status_code == 302
    assert list(_domains(watch_app, world.orgs["a"])) == ["xn--jeugdzorg-caf-nhb.nl"]


def test_who_may_do_what(watch_app, world, registries, login):
    domain_id = add_domain(watch_app, world.orgs["a"], name="kompas-voorbeeld.nl")
    reporter = login(watch_app, world.user("a", "reporter"))
    assert reporter.get("/o/org-a/domains/").status_code == 403
    assert "/domains/" not in reporter.get("/o/org-a/").get_data(as_text=True)
    po = login(watch_app, world.user("a", "privacy_officer"))
    page = po.get(f"/o/org-a/domains/{domain_id}").get_data(as_text=True)
    assert "Nu controleren" in page and "Wijzigen" not in page  # may check, not edit
    assert po.get(f"/o/org-a/domains/{domain_id}/edit").status_code == 403
    assert po.post(f"/o/org-a/domains/{domain_id}/check").status_code == 302
    assert po.post(f"/o/org-a/domains/{domain_id}/delete").status_code == 403
    fg = login(watch_app, world.user("a", "fg"))
    assert fg.get("/o/org-a/domains/").status_code == 200
    assert fg.post(f"/o/org-a/domains/{domain_id}/check").status_code == 403


def test_removing_a_domain_removes_its_checks_and_findings(watch_app, world, registries, login):
    from lekwijzer.db import db
    from lekwijzer.models import AuditEvent
    from lekwijzer.tenancy import tenant_scope
    from tenants.domains.models import DomainCheck, DomainFinding

    org = world.orgs["a"]
    domain_id = add_domain(watch_app, org, name="weg-voorbeeld.nl", state="retired")
    run_check(watch_app, org, domain_id)
    client = login(watch_app, world.user("a", "tenant_admin"))
    client.get(f"/o/org-a/domains/{domain_id}")
    assert client.post(f"/o/org-a/domains/{domain_id}/delete").status_code == 302
    assert _domains(watch_app, org) == {}
    with watch_app.app_context(), tenant_scope(org.id):
        assert db.session.scalars(sa.select(DomainCheck)).all() == []
        assert db.session.scalars(sa.select(DomainFinding)).all() == []
        assert "domain.removed" in db.session.scalars(sa.select(AuditEvent.action)).all()


def test_the_page_works_in_english(watch_app, world, registries, login):
    org = world.orgs["a"]
    domain_id = add_domain(watch_app, org, name="bjz-voorbeeld.nl", state="retired")
    run_check(watch_app, org, domain_id)
    client = login(watch_app, world.user("a", "privacy_officer"))
    client.get("/o/org-a/domains/")
    client.post("/lang", {"lang": "en", "next": "/o/org-a/domains/"})
    page = client.get(f"/o/org-a/domains/{domain_id}").get_data(as_text=True)
    assert "Domain no longer exists" in page and "What the last check saw" in page


def test_the_finding_link_in_a_notification_leads_to_the_finding(watch_app, world, registries, login):
    from lekwijzer.db import db
    from lekwijzer.tenancy import tenant_scope
    from tenants.domains.models import DomainFinding

    org = world.orgs["a"]
    domain_id = add_domain(watch_app, org, name="weg-voorbeeld.nl", state="retired")
    run_check(watch_app, org, domain_id)
    with watch_app.app_context(), tenant_scope(org.id):
        finding_id = db.session.scalars(sa.select(DomainFinding.id)).one()
    client = login(watch_app, world.user("a", "privacy_officer"))
    response = client.get(f"/o/org-a/domains/findings/{finding_id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/o/org-a/domains/{domain_id}#finding-{finding_id}")
    assert "Domeinbewaking" in client.get("/o/org-a/").get_data(as_text=True)


def test_the_api_lists_changes_and_removes_domains(watch_app, world, registries, api):
    client = api(watch_app, world, "a", "tenant_admin")
    bad = client.post("/api/v1/domains", json={"name": "niet een domein", "state": "retired"})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"json.name", "json.retired_on"}
    created = client.post("/api/v1/domains", json={
        "name": "bjz-voorbeeld.nl", "state": "retired", "retired_on": "2018-10-01",
        "systems": ["Crisistool"], "expected_ns": ["ns1.transip.nl"]})
    assert created.status_code == 201, created.json
    domain = created.json
    assert domain["systems"] == ["Crisistool"] and domain["expected_ns"] == ["ns1.transip.nl"]
    assert [f["kind"] for f in domain["open_findings"]] == ["disappeared"]  # first check ran
    assert client.post("/api/v1/domains", json={"name": "bjz-voorbeeld.nl", "state": "current"}).status_code == 409
    domain_id = domain["id"]
    changed = client.put(f"/api/v1/domains/{domain_id}", json={
        "name": "bjz-voorbeeld.nl", "state": "retired", "retired_on": "2018-10-02", "systems": []})
    assert changed.status_code == 200 and changed.json["retired_on"] == "2018-10-02"
    checks = client.get(f"/api/v1/domains/{domain_id}/checks").json
    assert checks[0]["dns_status"] == "nxdomain" and checks[0]["rdap_status"] == "not_found"
    assert client.post(f"/api/v1/domains/{domain_id}/checks", json={}).status_code == 202
    findings = client.get("/api/v1/domain-findings").json
    assert [(f["domain"], f["kind"]) for f in findings] == [("bjz-voorbeeld.nl", "disappeared")]
    assert client.get(f"/api/v1/domain-findings/{findings[0]['id']}").json["seen_count"] == 2
    assert client.delete(f"/api/v1/domains/{domain_id}").status_code == 204
    assert client.get("/api/v1/domains").json == []
    reporter = api(watch_app, world, "a", "reporter")
    assert reporter.get("/api/v1/domains").status_code == 403
