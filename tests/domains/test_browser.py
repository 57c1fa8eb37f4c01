"""In a real browser: the domains page with findings, one domain, and an address scan."""
from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import screenshot
from tests.domains.conftest import add_domain, run_check
from tests.support.world import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.fill("#field-email", email)
    page.fill("#field-password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def test_domains_with_findings_and_an_address_scan(watch_app, world, registries, live_server, page, tmp_path):
    org = world.orgs["a"]
    registries.registered("instelling-a-voorbeeld.nl", mx=((10, "instelling-a-voorbeeld-nl.mail.protection.outlook.com"),))
    registries.registered("bjz-voorbeeld.nl", ns=("ns1.parkeer-domein.example", "ns2.parkeer-domein.example"),
                          mx=((10, "mx.catchall-post.example"),), registrar="Domeinparkeer Nederland B.V.",
                          registered="2019-01-15T09:12:00Z")
    current = add_domain(watch_app, org, name="instelling-a-voorbeeld.nl",
                         systems=["Microsoft 365", "Website"], registration_contact="Via de ICT-leverancier")
    retired = add_domain(watch_app, org, name="bjz-voorbeeld.nl", state="retired", retired_on=date(2018, 10, 1),
                         systems=["Crisistool (crisisplaatsingen)", "VoIP-telefooncentrale"],
                         expected_registrar="TransIP", expected_ns=["ns0.transip.net", "ns1.transip.nl"],
                         registration_contact="Opgezegd via de ICT-servicedesk")
    for domain_id in (current, retired):
        run_check(watch_app, org, domain_id)

    base = live_server.url
    _sign_in(page, base, world.user("a", "tenant_admin").email)
    page.console_errors.clear()  # the sign-in page is not this feature's
    page.goto(f"{base}/o/org-a/")
    assert page.get_by_role("heading", name="Domeinbewaking").is_visible()
    screenshot(page, "domains-dashboard")

    page.goto(f"{base}/o/org-a/domains/")
    assert page.get_by_text("3 openstaande bevindingen").is_visible()
    assert page.get_by_role("cell", name="Geen bevindingen").is_visible()
    screenshot(page, "domains-list")

    page.get_by_role("link", name="bjz-voorbeeld.nl").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Niet meer op naam van de organisatie").is_visible()
    assert page.get_by_text("Servers die u niet hebt opgegeven: mx.catchall-post.example.").is_visible()
    screenshot(page, "domains-detail-findings")

    csv = tmp_path / "crisistool-export.csv"
    csv.write_text("naam;e-mail;systeem\r\n"
                   "Jan de Vries;j.devries@bjz-voorbeeld.nl;Crisistool\r\n"
                   "Fatima El Amrani;f.elamrani@instelling-a-voorbeeld.nl;Crisistool\r\n"
                   "Voicemail team Noord;voicemail.noord@bjz-voorbeeld.nl;Telefooncentrale\r\n"
                   "Jan de Vries;j.devries@bjz-voorbeeld.nl;Telefooncentrale\r\n", encoding="cp1252")
    page.goto(f"{base}/o/org-a/domains/address-scan")
    page.set_input_files("#field-file", str(csv))
    page.fill("#field-system", "Crisistool")
    page.get_by_role("button", name="Doorzoeken").click()
    page.wait_for_load_state()
    assert page.get_by_text("2 adressen op afgestoten domeinen").is_visible()
    assert page.get_by_role("cell", name="voicemail.noord@bjz-voorbeeld.nl").is_visible()
    screenshot(page, "domains-address-scan-result")

    # A broken file: the error summary names the problem.
    bad = tmp_path / "kapot.csv"
    bad.write_bytes(b'naam;email\nA;"a@bjz-voorbeeld.nl\n')
    page.set_input_files("#field-file", str(bad))
    page.get_by_role("button", name="Doorzoeken").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    assert "regel 2" in page.locator("#error-summary").inner_text()
    screenshot(page, "domains-address-scan-error")
    # Nothing blocked by the content security policy, no missing asset; only the 422 of the bad file.
    assert [e for e in page.console_errors if "422" not in e] == []
