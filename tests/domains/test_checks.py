"""The daily check against a real DNS server and a real RDAP registry, both on loopback."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.domains.conftest import add_domain, run_check, state
from tests.domains.servers import rdap_domain


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def kinds(findings, open_only=True):
    return {f.kind for f in findings if not open_only or f.resolved_at is None}


def test_a_healthy_domain_is_fine_and_its_servers_are_taken_over(watch_app, world, registries):
    registries.registered("kompas-voorbeeld.nl", ns=("ns1.transip.nl", "ns2.transip.eu"),
                          mx=((10, "kompas-voorbeeld-nl.mail.protection.outlook.com"),), registrant="KOMP001")
    org = world.orgs["a"]
    domain_id = add_domain(watch_app, org, name="kompas-voorbeeld.nl")
    run_check(watch_app, org, domain_id)
    domain, check, findings = state(watch_app, org, domain_id)
    assert check.outcome == "ok" and findings == []
    assert check.dns_status == "ok" and check.rdap_status == "ok"
    assert check.ns == ["ns1.transip.nl", "ns2.transip.eu"]
    assert check.mx == [[10, "kompas-voorbeeld-nl.mail.protection.outlook.com"]]
    assert check.soa_mname == "ns1.transip.nl" and check.soa_serial == 2026010101
    assert check.mail == "mx"
    assert check.registrar == "TransIP B.V. (IANA 1232)" and check.registry_status == ["active"]
    assert check.registered_at == datetime(2009, 3, 2, 10, tzinfo=timezone.utc)
    assert check.last_changed_at == datetime(2025, 11, 1, 8, 30, tzinfo=timezone.utc)
    # A current domain listed without servers: the first good check fills them in, and the
    # registration it found becomes the one the organisation holds.
    assert domain.expected_ns == ["ns1.transip.nl", "ns2.transip.eu"]
    assert domain.expected_mx == ["kompas-voorbeeld-nl.mail.protection.outlook.com"]
    assert domain.known_registered_at == check.registered_at and domain.known_registrant == "KOMP001"
    # Both registries were really asked, over the wire.
    assert ("kompas-voorbeeld.nl", "MX") in registries.dns.queries
    assert registries.rdap.requests == ["/rdap/domain/kompas-voorbeeld.nl"]


def test_expiry_within_the_window_is_a_finding_and_outside_it_is_not(watch_app, world, registries):
    now = datetime.now(timezone.utc)
    # Retired domains that publish a null MX: they refuse mail, only the expiry matters.
    registries.registered("oud-voorbeeld.com", mx=((0, "."),), expires=_iso(now + timedelta(days=30)))
    registries.registered("later-voorbeeld.com", mx=((0, "."),), expires=_iso(now + timedelta(days=90)))
    org = world.orgs["a"]
    soon = add_domain(watch_app, org, name="oud-voorbeeld.com", state="retired")
    later = add_domain(watch_app, org, name="later-voorbeeld.com", state="retired")
    for domain_id in (soon, later):
        run_check(watch_app, org, domain_id)
    _d, check, findings = state(watch_app, org, soon)
    assert kinds(findings) == {"expiring"}
    assert findings[0].detail["days"] in (29, 30)
    assert check.outcome == "findings"
    _d, check, findings = state(watch_app, org, later)
    assert findings == [] and check.outcome == "ok"
    # The window is configurable: at 100 days the later one is due too.
    watch_app.config["DOMAINS_EXPIRY_WINDOW_DAYS"] = 100
    run_check(watch_app, org, later)
    assert kinds(state(watch_app, org, later)[2]) == {"expiring"}


def test_a_registration_being_cancelled_is_a_finding(watch_app, world, registries):
    # .nl has no expiry date: a cancelled registration shows as redemption period (quarantine).
    registries.registered("quarantaine-voorbeeld.nl", mx=((0, "."),), status=("inactive", "redemption period"))
    org = world.orgs["a"]
    domain_id = add_domain(watch_app, org, name="quarantaine-voorbeeld.nl", state="retired")
    run_check(watch_app, org, domain_id)
    findings = state(watch_app, org, domain_id)[2]
    assert kinds(findings) == {"expiring"} and findings[0].detail == {"status": "redemption_period"}


def test_a_lapsed_retired_domain_registered_by_someone_else(watch_app, world, registries):
    """bjzutrecht.nl: let go, registered by outsiders, a catch-all mailbox on it."""
    org = world.orgs["a"]
    registries.registered("bjz-voorbeeld.nl", ns=("ns1.parkeer.example",), mx=((10, "mx.catchall.example"),),
                          registrar="Domeinkaper B.V.", iana="9999", registered="2018-10-15T09:12:00Z")
    domain_id = add_domain(watch_app, org, name="bjz-voorbeeld.nl", state="retired",
                           retired_on=date(2018, 10, 1), expected_registrar="TransIP",
                           expected_ns=["ns1.transip.nl", "ns2.transip.eu"], systems=["Crisistool"])
    run_check(watch_app, org, domain_id)
    domain, check, findings = state(watch_app, org, domain_id)
    assert kinds(findings) == {"registration_changed", "ns_unlisted", "mx_unlisted"}
    by_kind = {f.kind: f for f in findings}
    assert set(by_kind["registration_changed"].detail["reasons"]) == {"registrar", "registered_after_retirement"}
    assert by_kind["registration_changed"].detail["registrar"] == "Domeinkaper B.V. (IANA 9999)"
    assert by_kind["mx_unlisted"].detail["hosts"] == ["mx.catchall.example"]
    assert by_kind["ns_unlisted"].detail["hosts"] == ["ns1.parkeer.example"]
    # A registration in other hands is never accepted as the organisation's own.
    assert domain.known_registered_at is None


def test_a_retired_domain_registered_again_is_detected_without_any_registrar_listed(watch_app, world, registries):
    org = world.orgs["a"]
    registries.registered("oud-bureau.nl", mx=((0, "."),))
    domain_id = add_domain(watch_app, org, name="oud-bureau.nl", state="retired", retired_on=date(2020, 1, 1))
    run_check(watch_app, org, domain_id)
    domain, check, findings = state(watch_app, org, domain_id)
    assert findings == [] and domain.known_registered_at == datetime(2009, 3, 2, 10, tzinfo=timezone.utc)
    # It lapses and someone registers it: a new registration date, and mail to a catch-all.
    registries.rdap.domains["oud-bureau.nl"] = rdap_domain("oud-bureau.nl", registrar="TransIP B.V.",
                                                           registered="2026-02-01T00:00:00Z")
    registries.dns.set("oud-bureau.nl", "MX", "10 mx.elders.example.")
    run_check(watch_app, org, domain_id)
    findings = state(watch_app, org, domain_id)[2]
    assert kinds(findings) == {"registration_changed", "mx_unlisted"}
    assert {f.kind: f for f in findings}["registration_changed"].detail["reasons"] == ["registered_again"]


def test_changed_name_servers_open_a_finding_that_resolves_when_they_are_back(watch_app, world, registries):
    org = world.orgs["a"]
    registries.registered("kindkracht-voorbeeld.nl")
    domain_id = add_domain(watch_app, org, name="kindkracht-voorbeeld.nl",
                           expected_ns=["ns1.transip.nl", "ns2.transip.eu"], expected_mx=["mx.voorbeeld.nl"])
    run_check(watch_app, org, domain_id)
    assert state(watch_app, org, domain_id)[2] == []
    registries.dns.set("kindkracht-voorbeeld.nl", "NS", "ns1.onbekend-hosting.example.",
                       "ns2.onbekend-hosting.example.")
    run_check(watch_app, org, domain_id)
    run_check(watch_app, org, domain_id)
    findings = state(watch_app, org, domain_id)[2]
    assert kinds(findings) == {"ns_unlisted"}
    assert findings[0].detail["hosts"] == ["ns1.onbekend-hosting.example", "ns2.onbekend-hosting.example"]
    assert findings[0].seen_count == 2  # still open on the next check: one finding, not two
    registries.dns.set("kindkracht-voorbeeld.nl", "NS", "ns1.transip.nl.", "ns2.transip.eu.")
    run_check(watch_app, org, domain_id)
    findings = state(watch_app, org, domain_id)[2]
    assert kinds(findings) == set()
    assert [(f.kind, f.resolution) for f in findings] == [("ns_unlisted", "cleared")]  # history kept


def test_changed_mail_servers_are_a_finding(watch_app, world, registries):
    org = world.orgs["a"]
    registries.registered("stadskind-voorbeeld.nl", mx=((10, "mx1.mailprovider.example"),
                                                         (20, "mx2.mailprovider.example")))
    domain_id = add_domain(watch_app, org, name="stadskind-voorbeeld.nl", expected_ns=["ns1.transip.nl",
                                                                                      "ns2.transip.eu"],
                           expected_mx=["*.mail.protection.outlook.com"])
    run_check(watch_app, org, domain_id)
    findings = state(watch_app, org, domain_id)[2]
    assert kinds(findings) == {"mx_unlisted"}
    assert findings[0].detail["hosts"] == ["mx1.mailprovider.example", "mx2.mailprovider.example"]


def test_a_domain_that_no_longer_resolves_has_disappeared(watch_app, world, registries):
    org = world.orgs["a"]
    domain_id = add_domain(watch_app, org, name="verdwenen-voorbeeld.nl", state="retired")
    run_check(watch_app, org, domain_id)  # not in DNS (NXDOMAIN) and not at the registry (404)
    _d, check, findings = state(watch_app, org, domain_id)
    assert check.dns_status == "nxdomain" and check.rdap_status == "not_found"
    assert kinds(findings) == {"disappeared"} and check.outcome == "findings"


def test_a_registry_that_times_out_is_unknown_not_fine(watch_app, world, registries):
    org = world.orgs["a"]
    registries.registered("traag-voorbeeld.nl", registrar="Domeinkaper B.V.")
    domain_id = add_domain(watch_app, org, name="traag-voorbeeld.nl", expected_registrar="TransIP",
                           expected_ns=["ns1.transip.nl", "ns2.transip.eu"], expected_mx=["mx.voorbeeld.nl"])
    run_check(watch_app, org, domain_id)
    assert kinds(state(watch_app, org, domain_id)[2]) == {"registration_changed"}

    registries.rdap.slow.add("traag-voorbeeld.nl")
    started = time.monotonic()
    run_check(watch_app, org, domain_id)
    assert time.monotonic() - started < 4
    _d, check, findings = state(watch_app, org, domain_id)
    assert check.rdap_status == "timeout" and check.outcome != "ok"
    # What the registry would have said is unknown: the open finding stays open.
    assert kinds(findings) == {"registration_changed", "check_unknown"}
    assert {f.kind: f for f in findings}["check_unknown"].detail == {"rdap": "timeout"}


def test_a_registry_that_times_out_on_a_clean_domain_makes_the_outcome_unknown(watch_app, world, registries,
                                                                                 login):
    org = world.orgs["a"]
    registries.registered("stil-voorbeeld.nl")
    registries.rdap.slow.add("stil-voorbeeld.nl")
    domain_id = add_domain(watch_app, org, name="stil-voorbeeld.nl", expected_ns=["ns1.transip.nl",
                                                                                 "ns2.transip.eu"])
    run_check(watch_app, org, domain_id)
    _d, check, findings = state(watch_app, org, domain_id)
    assert check.outcome == "unknown" and kinds(findings) == {"check_unknown"}
    page = login(watch_app, world.user("a", "privacy_officer")).get(f"/o/org-a/domains/{domain_id}")
    text = page.get_data(as_text=True)
    assert "Status onbekend" in text and "geen bevindingen" not in text.lower()


def test_dns_that_times_out_is_unknown_and_keeps_server_findings_open(watch_app, world, registries):
    org = world.orgs["a"]
    registries.registered("dns-voorbeeld.nl", ns=("ns1.elders.example",))
    domain_id = add_domain(watch_app, org, name="dns-voorbeeld.nl", expected_ns=["ns1.transip.nl"],
                           expected_mx=["mx.voorbeeld.nl"])
    run_check(watch_app, org, domain_id)
    assert kinds(state(watch_app, org, domain_id)[2]) == {"ns_unlisted"}
    registries.dns.silent.add("dns-voorbeeld.nl")
    run_check(watch_app, org, domain_id)
    _d, check, findings = state(watch_app, org, domain_id)
    assert check.dns_status == "timeout" and check.outcome == "findings"
    assert kinds(findings) == {"ns_unlisted", "check_unknown"}


def test_an_unknown_registry_service_is_unknown(watch_app, world, registries):
    org = world.orgs["a"]
    registries.dns.zone("voorbeeld-jeugd.eu")
    domain_id = add_domain(watch_app, org, name="voorbeeld-jeugd.eu", expected_ns=["ns1.transip.nl",
                                                                                  "ns2.transip.eu"],
                           expected_mx=["mx.voorbeeld.nl"])
    run_check(watch_app, org, domain_id)
    _d, check, findings = state(watch_app, org, domain_id)
    assert check.rdap_status == "no_service" and check.outcome == "unknown"
    # Per-extension override of the bootstrap file.
    watch_app.config["DOMAINS_RDAP_BASE_URLS"] = {"eu": registries.rdap.base_url}
    registries.rdap.domains["voorbeeld-jeugd.eu"] = rdap_domain("voorbeeld-jeugd.eu")
    run_check(watch_app, org, domain_id)
    _d, check, findings = state(watch_app, org, domain_id)
    assert check.rdap_status == "ok" and check.outcome == "ok" and kinds(findings) == set()


def test_null_mx_and_implicit_mail(watch_app, world, registries):
    org = world.orgs["a"]
    registries.registered("geenpost-voorbeeld.nl", mx=((0, "."),))
    registries.registered("impliciet-voorbeeld.nl", mx=())
    quiet = add_domain(watch_app, org, name="geenpost-voorbeeld.nl", state="retired",
                       expected_ns=["ns1.transip.nl", "ns2.transip.eu"])
    implicit = add_domain(watch_app, org, name="impliciet-voorbeeld.nl", state="retired",
                          expected_ns=["ns1.transip.nl", "ns2.transip.eu"])
    run_check(watch_app, org, quiet)
    run_check(watch_app, org, implicit)
    _d, check, findings = state(watch_app, org, quiet)
    assert check.mail == "null_mx" and findings == []
    _d, check, findings = state(watch_app, org, implicit)
    # No MX, but an address record: mail would be delivered there (RFC 5321 §5.1).
    assert check.mail == "implicit" and kinds(findings) == {"mx_unlisted"}


def test_the_catch_all_probe_asks_without_sending(watch_app, world, registries, smtp):
    org = world.orgs["a"]
    registries.registered("catchall-voorbeeld.nl", mx=((10, "mx.catchall-voorbeeld.nl"),))
    registries.dns.host("mx.catchall-voorbeeld.nl", "127.0.0.1")
    watch_app.config.update(DOMAINS_SMTP_PROBE=True, DOMAINS_SMTP_PROBE_PORT=smtp.port,
                            DOMAINS_SMTP_PROBE_HELO="lekwijzer.test")
    domain_id = add_domain(watch_app, org, name="catchall-voorbeeld.nl", state="retired",
                           expected_ns=["ns1.transip.nl", "ns2.transip.eu"])
    run_check(watch_app, org, domain_id)
    _d, check, findings = state(watch_app, org, domain_id)
    assert check.probe == "accepts_random"
    assert {f.kind: f for f in findings}["mx_unlisted"].detail == {"hosts": ["mx.catchall-voorbeeld.nl"],
                                                                   "catch_all": True}
    time.sleep(0.2)
    assert smtp.messages == []  # RCPT only: nothing was sent


def test_the_sweep_enqueues_each_due_domain_once(watch_app, world, registries):
    import sqlalchemy as sa

    from lekwijzer.db import db
    from lekwijzer.jobs.clock import tick
    from lekwijzer.models import OutboxJob

    org_a, org_b = world.orgs["a"], world.orgs["b"]
    registries.registered("a-voorbeeld.nl")
    registries.registered("b-voorbeeld.nl")
    a_id = add_domain(watch_app, org_a, name="a-voorbeeld.nl")
    b_id = add_domain(watch_app, org_b, name="b-voorbeeld.nl")
    now = datetime.now(timezone.utc)
    with watch_app.app_context():
        tick(now)
        tick(now)  # a second clock in the same slot
        db.session.remove()
    assert state(watch_app, org_a, a_id)[1] is not None
    assert state(watch_app, org_b, b_id)[1] is not None
    with watch_app.app_context():
        jobs = db.session.scalars(sa.select(OutboxJob).where(OutboxJob.job == "domains.check")).all()
        assert len(jobs) == 2 and all(j.done_at for j in jobs)
        assert {j.scope_org_id for j in jobs} == {org_a.id, org_b.id}
        # A sweep right after: both domains were just checked, nothing is due.
        from tenants.domains.checks import sweep_due

        assert sweep_due(now + timedelta(minutes=5)) == 0
        db.session.remove()
    assert len(registries.rdap.requests) == 2


def test_notification_to_admins_and_privacy_officers_is_a_link_only(watch_app, world, registries, smtp):
    watch_app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    org = world.orgs["a"]
    registries.registered("bjz-voorbeeld.nl", ns=("ns1.parkeer.example",), mx=((10, "mx.catchall.example"),),
                          registrar="Domeinkaper B.V.", registered="2019-01-15T09:12:00Z")
    domain_id = add_domain(watch_app, org, name="bjz-voorbeeld.nl", state="retired",
                           systems=["Crisistool"], notes="GEHEIM-NOTITIE")
    run_check(watch_app, org, domain_id)
    messages = smtp.wait_for(4)
    recipients = sorted(r for rcpts, _msg in messages for r in rcpts)
    # Two findings (registration, mail servers) to the administrator and the privacy officer.
    assert recipients == sorted(["tenant_admin@org-a.test", "privacy_officer@org-a.test"] * 2)
    for _rcpts, msg in messages:
        body = msg.get_content()
        assert "/o/org-a/domains/findings/" in body
        for secret in ("bjz-voorbeeld", "catchall", "Domeinkaper", "Crisistool", "GEHEIM"):
            assert secret not in body and secret not in msg["Subject"]
    # The next check sees the same findings: no new mail.
    run_check(watch_app, org, domain_id)
    time.sleep(0.3)
    assert len(smtp.messages) == 4


def test_an_unknown_status_notifies_only_when_it_persists(watch_app, world, registries, smtp):
    watch_app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    org = world.orgs["a"]
    registries.dns.zone("wankel-voorbeeld.nl")
    registries.rdap.status["wankel-voorbeeld.nl"] = 503
    domain_id = add_domain(watch_app, org, name="wankel-voorbeeld.nl", expected_ns=["ns1.transip.nl",
                                                                                   "ns2.transip.eu"])
    run_check(watch_app, org, domain_id)
    time.sleep(0.3)
    assert smtp.messages == []
    run_check(watch_app, org, domain_id)
    assert len(smtp.wait_for(2)) == 2


@pytest.mark.parametrize("expected_ns, expect", [
    (["ns1.transip.nl", "ns2.transip.eu"], set()),
    (["*.transip.nl", "*.transip.eu"], set()),
    (["ns1.transip.nl"], {"ns_unlisted"}),
])
def test_editing_the_expected_servers_judges_the_last_check_again(watch_app, world, registries, login,
                                                                  expected_ns, expect):
    org = world.orgs["a"]
    registries.registered("herzien-voorbeeld.nl")
    domain_id = add_domain(watch_app, org, name="herzien-voorbeeld.nl", expected_ns=["ns9.elders.example"],
                           expected_mx=["mx.voorbeeld.nl"])
    run_check(watch_app, org, domain_id)
    assert kinds(state(watch_app, org, domain_id)[2]) == {"ns_unlisted"}
    requests_before = len(registries.rdap.requests)
    client = login(watch_app, world.user("a", "tenant_admin"))
    assert client.get(f"/o/org-a/domains/{domain_id}/edit").status_code == 200
    response = client.post(f"/o/org-a/domains/{domain_id}/edit", {
        "name": "herzien-voorbeeld.nl", "state": "current", "expected_ns": "\n".join(expected_ns),
        "expected_mx": "mx.voorbeeld.nl"})
    assert response.status_code == 302
    assert kinds(state(watch_app, org, domain_id)[2]) == expect
    assert len(registries.rdap.requests) == requests_before  # judged again without asking again
