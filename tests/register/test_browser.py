"""A breach from a staff member's report to its closure, in Chromium, as the people involved.

reporter → privacy officer (triage, register entry, severity) → FG (advice) → board
(decisions) → privacy officer (initial and supplementary AP notification, communication,
crisis communication, measures, checklist, closing). Screenshots in test-artifacts/screenshots.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lekwijzer.db import utcnow
from tests.conftest import CHROMIUM, screenshot
from tests.support.world import PASSWORD

from .conftest import local

pytestmark = pytest.mark.browser


class Person:
    def __init__(self, browser, server, user):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("console", lambda msg: self.errors.append((self.page.url, msg.text, msg.location)) if msg.type == "error" else None)
        self.server = server
        self.page.goto(server.url + "/login")
        self.page.fill("#field-email", user.email)
        self.page.fill("#field-password", PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/o/org-a/.*"))

    def go(self, path):
        self.page.goto(self.server.url + path)

    def submit(self):
        """Press the (first) submit button of the page's form; check the answer is not an error."""
        with self.page.expect_navigation():
            self.page.click("main form button[type=submit] >> nth=0")
        assert 'id="error-summary"' not in self.page.content(), self.page.inner_text("#error-summary")

    def close(self):
        # The sign-in page and the missing favicon belong to the platform; our pages must be clean.
        ours = [e for e in self.errors if "/o/org-a/" in e[0] and "favicon" not in str(e[2].get("url", ""))]
        assert not ours, ours
        self.context.close()


def test_a_breach_from_report_to_closure(browser, live_server, app, world, flow, activity_id):
    assert CHROMIUM
    # --- A staff member reports, from the header button on any page -------------------------------
    staff = Person(browser, live_server, world.user("a", "reporter"))
    staff.page.click("header >> text=Incident melden")
    staff.page.fill("#field-what_happened", "Een voortgangsrapportage over een jeugdige is per e-mail naar een "
                                            "voormalige advocaat van het gezin gestuurd in plaats van naar de moeder.")
    staff.page.fill("#field-information_kind", "Voortgangsrapportage ondertoezichtstelling")
    staff.page.check("input[name=people_estimate][value='2-10']")
    staff.page.fill("#field-actions_taken", "De advocaat gebeld en gevraagd de e-mail te verwijderen.")
    screenshot(staff.page, "register-01-report")
    staff.submit()
    assert "Dank u wel" in staff.page.content() and "Gemeld, wacht op beoordeling" in staff.page.content()
    screenshot(staff.page, "register-02-my-reports")
    incident_path = staff.page.get_attribute("main table a", "href")

    # --- The privacy officer triages: a breach, into the register ---------------------------------------
    po = Person(browser, live_server, world.user("a", "privacy_officer"))
    po.go(incident_path)
    po.page.check("input[name=outcome][value=breach]")
    po.page.fill("#field-title", "Rapportage naar voormalige advocaat")
    po.page.select_option("#field-processing_activity_id", activity_id)
    po.page.select_option("#field-incident_type", "sent_by_mistake")
    screenshot(po.page, "register-03-triage")
    po.submit()
    assert re.search(r"DL-\d{4}-001", po.page.content())
    breach_path = po.page.url.split("#")[0]
    assert "nog " in po.page.inner_text("#clock")  # the 72-hour clock runs
    screenshot(po.page, "register-04-breach-new")

    # --- The register entry, section by section -------------------------------------------------------
    po.go(breach_path.replace(live_server.url, "") + "/edit/facts")
    po.page.select_option("#field-cause", "internal_non_malicious")
    po.page.fill("#field-cause_description", "Het e-mailprogramma vulde automatisch een oud adres aan.")
    po.page.check("input[name=nature][value=confidentiality]")
    po.page.check("input[name=confidentiality_level][value=known_recipients]")
    po.page.check("input[name=unintelligible][value=no]")
    po.page.check("input[name=measures_in_place][value=policies]")
    po.submit()
    po.go(breach_path.replace(live_server.url, "") + "/edit/people")
    for value in ("child_client", "parent_guardian"):
        po.page.check(f"input[name=subject_categories][value={value}]")
    for value in ("health", "family_situation", "name_address"):
        po.page.check(f"input[name=data_categories][value={value}]")
    po.page.check("input[name=persons_count_mode][value=exact]")
    po.page.fill("#field-persons_min", "2")
    po.page.fill("#field-persons_max", "2")
    po.page.fill("#field-records_count", "1")
    screenshot(po.page, "register-05-people")
    po.submit()
    po.go(breach_path.replace(live_server.url, "") + "/edit/timeline")
    po.page.check("input[name=occurrence_mode][value=specific_day]")
    po.page.fill("#field-occurred_from", local(utcnow() - timedelta(hours=3)))
    po.page.fill("#field-contained_at", local(utcnow()))
    po.page.fill("#field-ended_at", local(utcnow()))
    po.submit()
    po.go(breach_path.replace(live_server.url, "") + "/edit/consequences")
    po.page.fill("#field-consequences", "Een externe professional kon de maatregel, de gezinsproblematiek en "
                                        "gezondheidsinformatie van een kind lezen.")
    po.page.check("input[name=impacts][value=professional_secrecy]")
    po.page.check("input[name=impact_severity][value=severe]")
    po.page.fill("#field-ended_how", "De advocaat heeft schriftelijk bevestigd de e-mail te hebben verwijderd.")
    po.submit()
    po.go(breach_path.replace(live_server.url, "") + "/edit/prevention")
    po.page.fill("#field-prevention_notes", "Automatisch aanvullen van adressen uitzetten; dossieradressen actueel houden.")
    po.submit()

    # --- Severity: ENISA with its formula, and the risk with its reasoning -----------------------------
    po.go(breach_path.replace(live_server.url, "") + "/assessment")
    po.page.check("input[name=ease_of_identification][value='1']")
    po.page.check("input[name=malicious][value='0']")
    po.page.check("input[name=risk_outcome][value=high_risk]")
    po.page.fill("#field-risk_reasoning", "Gevoelige informatie over een kinderbeschermingsmaatregel bij een onbevoegde.")
    po.submit()
    assert "SE = 4 × 1 + (0,25 + 0 + 0 + 0) = 4,25" in po.page.content()
    po.go(breach_path.replace(live_server.url, "") + "/assessment")
    screenshot(po.page, "register-06-assessment")

    # --- The FG advises -------------------------------------------------------------------------------
    fg = Person(browser, live_server, world.user("a", "fg"))
    fg.go(breach_path.replace(live_server.url, "") + "/fg-advice")
    fg.page.check("input[name=advise_notify_ap][value='1']")
    fg.page.check("input[name=advise_inform_subjects][value='1']")
    fg.page.fill("#field-advice", "Melden bij de AP: hoog risico voor het kind. Ouders met gezag informeren.")
    screenshot(fg.page, "register-07-fg-advice")
    fg.submit()
    assert "Als FG adviseert u" in fg.page.content()

    # --- The board decides both --------------------------------------------------------------------------
    board = Person(browser, live_server, world.user("a", "board"))
    board.go(breach_path.replace(live_server.url, "") + "/decision/notify_ap")
    board.page.check("input[name=choice][value=yes]")
    board.page.fill("#field-reasoning", "Conform het advies van de FG: hoog risico, melden bij de AP.")
    screenshot(board.page, "register-08-decision")
    board.submit()
    board.go(breach_path.replace(live_server.url, "") + "/decision/inform_subjects")
    board.page.check("input[name=choice][value=inform]")
    board.page.fill("#field-reasoning", "De moeder en de jeugdige (16 jaar) per brief informeren.")
    board.submit()

    # --- The privacy officer notifies the AP: incomplete first, then the supplement ------------------------
    po.go(breach_path.replace(live_server.url, "") + "/ap-sheet")
    assert "Op grond van welke regelgeving doet u deze melding?" in po.page.content()
    screenshot(po.page, "register-09-ap-sheet")
    po.go(breach_path.replace(live_server.url, "") + "/ap-notifications/new")
    po.page.check("input[name=kind][value=initial]")
    po.page.check("input[name=sub_type][value=incomplete]")
    po.page.fill("#field-ap_reference", "2026-4815162")
    po.page.fill("#field-notifier_name", "Priya Privacy")
    po.page.fill("#field-notifier_function", "Privacy officer")
    po.page.fill("#field-notifier_phone", "030 123 45 67")
    po.submit()
    assert "vastgelegde kopie" in po.page.content()
    po.go(breach_path.replace(live_server.url, ""))
    assert "Vervolgactie open" in po.page.content()
    po.go(breach_path.replace(live_server.url, "") + "/ap-notifications/new")
    assert po.page.input_value("#field-ap_reference") == "2026-4815162"
    po.page.check("input[name=kind][value=supplement]")
    po.page.check("input[name=sub_type][value=complete]")
    po.submit()

    # --- Communication to the people affected, and the crisis timeline ---------------------------------------
    po.go(breach_path.replace(live_server.url, "") + "/communications/new")
    po.page.select_option("#field-channel", "individual")
    po.page.fill("#field-content", "Brief aan de moeder en de jeugdige: wat er is gebeurd, de mogelijke gevolgen, "
                                   "de maatregelen en de contactgegevens van de privacy officer en de FG.")
    for name in ("covers_contact_point", "covers_consequences", "covers_measures"):
        po.page.check(f"input[name={name}][value='1']")
    po.page.check("input[name=all_subjects_reached][value='1']")
    po.page.fill("#field-reach_count", "2")
    po.page.fill("#field-proof", "Kopie van de brief, documentnummer 2026-0815")
    screenshot(po.page, "register-10-communication")
    po.submit()
    po.go(breach_path.replace(live_server.url, "") + "/crisis-messages/new")
    po.page.check("input[name=stakeholder][value=staff]")
    po.page.fill("#field-channel", "intranet")
    po.page.fill("#field-summary", "Team geïnformeerd over het risico van automatisch aanvullen.")
    po.submit()

    # --- Measures and the checklist ------------------------------------------------------------------------------
    po.go(breach_path.replace(live_server.url, "") + "/measures/new?kind=corrective")
    po.page.fill("#field-title", "Advocaat liet de e-mail verwijderen en bevestigen")
    po.page.select_option("#field-status", "done")
    po.submit()
    po.go(breach_path.replace(live_server.url, "") + "/measures/new?kind=preventive")
    po.page.fill("#field-title", "Automatisch aanvullen van e-mailadressen uitzetten")
    po.page.fill("#field-due_date", (utcnow().date() + timedelta(days=30)).isoformat())
    po.page.select_option("#field-owner_id", str(world.user("a", "privacy_officer").id))
    po.submit()
    for step in ("contain", "investigate", "prevent_recurrence"):
        po.go(breach_path.replace(live_server.url, "") + f"/steps/{step}")
        po.page.fill("#field-note", "Gedaan")
        po.submit()
    po.go(breach_path.replace(live_server.url, ""))
    assert "Alles is vastgelegd" in po.page.inner_text("#missing")
    screenshot(po.page, "register-11-ready-to-close")

    # --- Closing -----------------------------------------------------------------------------------------------------
    with po.page.expect_navigation():
        po.page.click("#missing button[type=submit]")
    assert "is afgesloten" in po.page.content()
    screenshot(po.page, "register-12-closed")
    breach = flow.get(breach_path.rsplit("/", 1)[1])
    assert breach["status"] == "closed" and breach["notified_late"] is False
    assert [n["kind"] for n in breach["ap_notifications"]] == ["initial", "supplement"]
    assert breach["subject_communication_status"] == "done"

    # English works too.
    po.page.click("button[name=lang][value=en]")
    po.page.wait_for_load_state()
    assert "72-hour clock" in po.page.content()
    screenshot(po.page, "register-13-closed-english")
    for person in (staff, po, fg, board):
        person.close()
