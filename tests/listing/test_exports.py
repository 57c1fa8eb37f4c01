"""Register exports: CSV, XLSX and EDPB JSON, built as jobs, stored in the database, audited."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from lekwijzer.db import db
from lekwijzer.tenancy import tenant_scope
from tests.listing.conftest import NOW, hours_ago

REGISTER = "/o/org-a/register"
EXPECTED_HEADERS = [
    "Intern kenmerk", "Titel", "Status", "Verwerkingsactiviteit", "Soort incident", "Oorzaak", "Toelichting oorzaak",
    "Wat er is gebeurd", "Ontdekt door", "Aard van de inbreuk (V/I/B)", "Verlies van vertrouwelijkheid",
    "Verlies van integriteit", "Verlies van beschikbaarheid", "Versleuteld of anderszins onbegrijpelijk gemaakt",
    "Maatregelen vóór het datalek", "Categorieën persoonsgegevens", "Bijzondere of strafrechtelijke persoonsgegevens",
    "Categorieën betrokkenen", "Aantal betrokkenen: vaststelling", "Aantal betrokkenen (minimaal)",
    "Aantal betrokkenen (maximaal)", "Aantal gegevensrecords", "Intern gemeld op", "Moment van de inbreuk",
    "Begin van de inbreuk", "Einde van de inbreuk", "Data geschat", "Ontdekt op", "Door verwerker aan ons gemeld op",
    "Kennisname op (start 72 uur)", "Toelichting moment van kennisname", "Uiterste meldmoment AP (72 uur)",
    "Ingedamd op", "Beëindigd op", "(Mogelijke) gevolgen voor betrokkenen", "Soorten nadeel", "Ernst van de gevolgen",
    "Methode ernstbepaling", "DPC-basis", "DPC-correctie", "Reden DPC-correctie", "DPC (context van de verwerking)",
    "EI (identificeerbaarheid)", "CB vertrouwelijkheid", "CB integriteit", "CB beschikbaarheid", "CB kwade opzet",
    "Ernstscore (SE)", "Ernstklasse", "Berekening", "Vlag: meer dan 100 betrokkenen", "Vlag: gegevens onbegrijpelijk",
    "Handmatig vastgesteld ernstniveau", "Reden handmatig ernstniveau", "Risico-inschatting",
    "Motivering risico-inschatting", "FG betrokken", "FG betrokken vanaf", "Advies FG: melden bij de AP",
    "Advies FG: betrokkenen informeren", "Advies FG", "Besluit: melden bij de AP", "Besluit genomen door (rol)",
    "Datum besluit", "Motivering besluit", "Advies FG gevolgd", "Waarom het advies van de FG niet is gevolgd",
    "Waarom niet gemeld bij de AP", "Gemeld bij de AP", "Datum melding AP", "Meldnummer AP",
    "Melding volledig of nog aan te vullen", "Aanvullingen, wijzigingen en intrekking", "Te laat gemeld (na 72 uur)",
    "Reden voor de vertraging", "72-uurstermijn",
    "72 uur verstreken zonder melding of besluit om niet te melden", "Besluit: betrokkenen informeren",
    "Uitzondering van art. 34 lid 3", "Onderbouwing uitzondering", "Communicatie aan betrokkenen",
    "Betrokkenen geïnformeerd op", "Wijze van informeren", "Aantal bereikte personen", "Alle betrokkenen bereikt",
    "Berichten crisiscommunicatie", "Corrigerende maatregelen", "Waarom geen corrigerende maatregelen nodig zijn",
    "Hoe het datalek is beëindigd", "Preventieve maatregelen", "Nog niet uitgevoerde maatregelen",
    "Betrokken verwerkers of andere partijen", "Afgeronde afhandelstappen", "Geregistreerd op", "Afgehandeld op",
]
NAME_HEADERS = ["Gemeld door", "Beoordeeld (triage) door", "Besluit genomen door (naam)", "Melder bij de AP",
                "Afgesloten door"]


@pytest.fixture
def full_breach(app, world, register):
    """One complete register entry (every part filled) and one incident that is not a breach."""
    from tenants.register.models import (ApNotification, BreachAssessment, CrisisMessage, FgAdvice, HandlingStep,
                                         Measure, Party, ProcessingActivity, SubjectCommunication)

    reporter, handler = world.user("a", "reporter"), world.user("a", "privacy_officer")
    aware = hours_ago(500)
    breach_id = register.breach(
        reference="DL-2026-001", title="Zorgplan per e-mail naar verkeerde ouder", aware_at=aware,
        incident_type="sent_by_mistake", cause="internal_non_malicious", cause_description="Adres automatisch aangevuld",
        what_happened="Een medewerker stuurde een zorgplan naar de verkeerde ouder.", discovery_source="data_subject",
        nature=["confidentiality"], confidentiality_level="known_recipients", unintelligible="no",
        measures_in_place=["policies", "training"], data_categories=["name_address", "health", "family_situation"],
        subject_categories=["child_client", "parent_guardian"], persons_count_mode="exact", persons_min=3,
        persons_max=3, records_count=1, occurrence_mode="specific_day", occurred_from=aware - timedelta(hours=5),
        discovered_at=aware - timedelta(hours=2), contained_at=aware + timedelta(hours=3),
        ended_at=aware + timedelta(hours=3), consequences="Gevoelige informatie over het gezin bij een derde.",
        impacts=["loss_of_control", "professional_secrecy"], impact_severity="moderate",
        ended_how="Ontvanger heeft de e-mail verwijderd en dat bevestigd.", delay_reason="Weekend, te laat opgepakt.",
        status="closed", closed_at=hours_ago(10), decision=True,
        decided_at=aware + timedelta(hours=40), notified_at=aware + timedelta(hours=80),
        notifier_name="Nina Notifier-Uniek", reported_by=reporter.id, triaged_by=handler.id, closed_by=handler.id)
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        activity = ProcessingActivity(name="Jeugdbescherming", purpose="Uitvoeren maatregelen")
        db.session.add(activity)
        db.session.flush()
        from tenants.register.models import ApNotification as AN, Breach, Decision

        breach = db.session.get(Breach, (world.orgs["a"].id, breach_id))
        breach.processing_activity_id = activity.id
        initial = db.session.scalar(sa.select(AN).where(AN.breach_id == breach_id))
        db.session.add(ApNotification(breach_id=breach_id, kind="supplement", ap_reference=initial.ap_reference,
                                      initial_id=initial.id, submitted_at=aware + timedelta(hours=120), payload={}))
        db.session.add(BreachAssessment(
            breach_id=breach_id, version=1, dpc_base=4, dpc_adjustment=0, dpc_final=4,
            ease_of_identification=Decimal("1"), cb_confidentiality=Decimal("0.25"), cb_integrity=Decimal("0"),
            cb_availability=Decimal("0"), cb_malicious=Decimal("0"), score=Decimal("4.25"), band="very_high",
            formula="SE = 4 × 1 + 0,25 = 4,25 (zeer hoog)", risk_outcome="high_risk",
            risk_reasoning="Gezondheidsgegevens van een jeugdige bij een derde."))
        db.session.add(FgAdvice(breach_id=breach_id, advise_notify_ap=True, advise_inform_subjects=True,
                                advice="Melden en de ouders informeren.", involved_from=aware + timedelta(hours=1)))
        decision = db.session.scalar(sa.select(Decision).where(Decision.breach_id == breach_id))
        decision.fg_advice_followed = True
        db.session.add(Decision(breach_id=breach_id, kind="inform_subjects", outcome=True, reasoning="Hoog risico",
                                decided_role="board", decided_by=handler.id))
        db.session.add(SubjectCommunication(breach_id=breach_id, channel="individual", sent_at=aware + timedelta(hours=50),
                                            reach_count=3, all_subjects_reached=True, content="Brief aan de ouders."))
        db.session.add(CrisisMessage(breach_id=breach_id, stakeholder="clients", at=aware, summary="Gesprek"))
        db.session.add(Measure(breach_id=breach_id, kind="corrective", title="E-mail teruggehaald", status="done"))
        db.session.add(Measure(breach_id=breach_id, kind="preventive", title="Automatisch aanvullen uit",
                               status="planned", due_date=(NOW + timedelta(days=30)).date()))
        db.session.add(Party(breach_id=breach_id, role="processor", name="Mailhost BV"))
        db.session.add(HandlingStep(breach_id=breach_id, step="establish", done_at=aware))
    register.refresh(breach_id)  # the assessment, decisions and communication above
    register.incident(status="not_breach", what="GEEN-DATALEK storing printer", reported_by=reporter.id)
    return breach_id


def export(client, fmt, **fields):
    client.get(REGISTER)
    response = client.post("/o/org-a/register/exports", {"format": fmt, **fields})
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Gereed" in html, html[html.find("<main"):][:1500]
    link = re.search(r'href="([^"]+/download)"', html).group(1)
    download = client.get(link)
    assert download.status_code == 200
    return download


def names_of(world):
    return [world.user("a", "reporter").name, world.user("a", "privacy_officer").name, "Nina Notifier-Uniek"]


def test_xlsx_has_the_promised_dutch_columns_one_row_per_breach_and_no_names(app, world, full_breach, po):
    response = export(po, "xlsx")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    wb = load_workbook(io.BytesIO(data), read_only=True)
    ws = wb["Datalekregister"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == EXPECTED_HEADERS
    assert len(rows) == 2  # the header and the one breach; the non-breach incident is not there
    row = dict(zip(rows[0], rows[1]))
    assert row["Intern kenmerk"] == "DL-2026-001"
    assert row["Soort incident"] == "Per ongeluk verstuurd"
    assert row["Verwerkingsactiviteit"] == "Jeugdbescherming"
    assert row["Categorieën persoonsgegevens"] == ("Naam, adres en woonplaats; Gezondheid (ook ggz, diagnose, "
                                                   "behandelplan); Gezinssituatie en opvoedproblematiek")
    assert row["Bijzondere of strafrechtelijke persoonsgegevens"] == "ja"
    assert row["Ernstscore (SE)"] == 4.25 and row["Ernstklasse"] == "Zeer hoog"
    assert row["Risico-inschatting"] == "Hoog risico"
    assert row["Gemeld bij de AP"] == "ja" and row["Te laat gemeld (na 72 uur)"] == "ja"
    assert row["Reden voor de vertraging"] == "Weekend, te laat opgepakt."
    assert row["Meldnummer AP"].startswith("AP-")
    assert row["Aanvullingen, wijzigingen en intrekking"].startswith("Aanvulling ")
    assert row["Advies FG"] == "Melden en de ouders informeren." and row["Advies FG gevolgd"] == "ja"
    assert row["Besluit genomen door (rol)"] == "Bestuur"
    assert row["Corrigerende maatregelen"] == "E-mail teruggehaald (Uitgevoerd)"
    assert row["Preventieve maatregelen"].startswith("Automatisch aanvullen uit (Gepland, uiterlijk ")
    assert row["Betrokken verwerkers of andere partijen"] == "Verwerker: Mailhost BV"
    assert row["Communicatie aan betrokkenen"] == "Geïnformeerd" and row["Aantal bereikte personen"] == 3
    assert row["Kennisname op (start 72 uur)"].tzinfo is None  # a real date cell, in Dutch time
    assert "Toelichting" in wb.sheetnames
    xml = b"".join(zipfile.ZipFile(io.BytesIO(data)).read(n) for n in zipfile.ZipFile(io.BytesIO(data)).namelist())
    for name in names_of(world):
        assert name.encode() not in xml, name
    assert b"GEEN-DATALEK" not in xml


def test_csv_is_semicolon_separated_utf8_for_dutch_excel(app, world, full_breach, po):
    response = export(po, "csv")
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == EXPECTED_HEADERS
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["Ernstscore (SE)"] == "4,25"
    assert re.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d", row["Kennisname op (start 72 uur)"])
    text = raw.decode("utf-8")
    for name in names_of(world):
        assert name not in text
    assert "GEEN-DATALEK" not in text


def test_json_follows_the_edpb_template(app, world, full_breach, po):
    document = json.loads(export(po, "json").get_data())
    assert document["record_count"] == 1 and len(document["records"]) == 1
    assert document["includes_names"] is False
    record = document["records"][0]
    assert record["f3"] == "new" and record["f7"] == "DL-2026-001"
    assert record["f55"] == ["confidentiality"] and record["f56"] == "exfiltrated_or_disclosed"
    assert record["f60"] == "sent_by_mistake" and record["f61"] == "internal_non_malicious"
    assert record["f65"] == ["minors", "customers"]
    assert record["f67"] == "exact" and record["f68"] == 3 and record["f73"] == 1
    assert record["f89"] == "high_risk" and record["f97"] == "done" and record["f104"] == "individual"
    assert record["f48"].endswith("Z") and record["f49"] == "Weekend, te laat opgepakt."
    assert record["x_lekwijzer"]["severity"]["score"] == 4.25
    assert record["x_lekwijzer"]["notified_late"] is True
    assert [n["kind"] for n in record["x_lekwijzer"]["ap_notifications"]] == ["initial", "supplement"]
    text = json.dumps(document)
    for name in names_of(world):
        assert name not in text
    assert "GEEN-DATALEK" not in text


def test_names_only_when_asked_by_a_privacy_officer_and_audited(app, world, full_breach, po, login):
    from lekwijzer.models import AuditEvent

    response = export(po, "xlsx", include_names="1", include_names__present="1")
    wb = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    rows = list(wb["Datalekregister"].iter_rows(values_only=True))
    assert list(rows[0]) == EXPECTED_HEADERS + NAME_HEADERS
    row = dict(zip(rows[0], rows[1]))
    assert row["Gemeld door"] == world.user("a", "reporter").name
    assert row["Beoordeeld (triage) door"] == world.user("a", "privacy_officer").name
    assert row["Melder bij de AP"] == "Nina Notifier-Uniek"
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        events = db.session.execute(sa.select(AuditEvent.action, AuditEvent.meta).order_by(AuditEvent.seq)).all()
    requested = [meta for action, meta in events if action == "register.export_requested"]
    assert requested[-1]["include_names"] is True
    # The FG may export, but not with names, and may not download an export that has them.
    fg = login(app, world.user("a", "fg"))
    fg.get(REGISTER)
    assert fg.post("/o/org-a/register/exports", {"format": "csv", "include_names": "1"}).status_code == 403
    export_id = re.search(r"/register/exports/([0-9a-f-]{36})", response.request.path).group(1)
    assert fg.get(f"/o/org-a/register/exports/{export_id}/download").status_code == 403
    assert "Namen van melders en behandelaars opnemen" not in fg.get(REGISTER).get_data(as_text=True)


def test_every_export_and_download_is_audited(app, world, full_breach, po):
    from lekwijzer.models import AuditEvent

    export(po, "csv", status="closed")
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        events = db.session.execute(sa.select(AuditEvent.action, AuditEvent.meta, AuditEvent.actor_kind)
                                    .order_by(AuditEvent.seq)).all()
    actions = [(a, k) for a, _m, k in events if a.startswith("register.export")]
    assert actions == [("register.export_requested", "user"), ("register.export_completed", "system"),
                       ("register.export_downloaded", "user")]
    requested = next(m for a, m, _k in events if a == "register.export_requested")
    assert requested == {"format": "csv", "include_names": False, "via": "web", "filters": "status"}


def test_export_follows_the_filters_of_the_list(app, world, register, po):
    register.breach(reference="DL-T-0701", status="open", aware_at=hours_ago(5))
    register.breach(reference="DL-T-0702", status="closed", aware_at=hours_ago(500))
    text = export(po, "csv", status="open", sort="reference", order="asc").get_data().decode("utf-8-sig")
    assert "DL-T-0701" in text and "DL-T-0702" not in text
    page = po.get("/o/org-a/register/exports").get_data(as_text=True)
    assert "Status: Open" in page


def test_cells_that_look_like_formulas_stay_text(app, world, register, po):
    register.breach(reference="DL-T-0801", title='=HYPERLINK("http://example.invalid","klik")', aware_at=hours_ago(5))
    data = export(po, "xlsx").get_data()
    wb = load_workbook(io.BytesIO(data))
    cell = wb["Datalekregister"]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    text = export(po, "csv").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_an_expired_export_cannot_be_downloaded_and_is_purged(app, world, register, po):
    from tenants.listing.jobs import purge_exports
    from tenants.listing.models import RegisterExport

    register.breach(reference="DL-T-0901", aware_at=hours_ago(5))
    response = export(po, "csv")
    url = response.request.path
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        row = db.session.scalar(sa.select(RegisterExport))
        row.expires_at = NOW - timedelta(minutes=1)
    assert po.get(url).status_code == 410
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        purge_exports()
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        row = db.session.scalar(sa.select(RegisterExport))
        assert row.status == "expired" and row.content is None
    assert "Verlopen: het bestand is verwijderd" in po.get("/o/org-a/register/exports").get_data(as_text=True)


def test_bad_export_requests_write_nothing(app, world, po):
    from tenants.listing.models import RegisterExport

    po.get(REGISTER)
    response = po.post("/o/org-a/register/exports", {"format": "pdf"})
    assert response.status_code == 422
    assert 'id="error-summary"' in response.get_data(as_text=True)
    response = po.post("/o/org-a/register/exports", {"format": "csv", "aware_from": "2026-05-01",
                                                      "aware_until": "2026-01-01"})
    assert response.status_code == 422
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RegisterExport)) == 0


@pytest.mark.redis
def test_the_progress_page_works_without_javascript_while_a_worker_builds(app, world, register, po, redis_url,
                                                                         queue_name):
    """With a real queue: the page says 'in the queue' with a refresh link, then offers the download."""
    from rq import SimpleWorker

    from lekwijzer.jobs.queue import get_queue, redis_connection

    app.config.update(JOBS_INLINE=False, REDIS_URL=redis_url, JOBS_QUEUE=queue_name)
    register.breach(reference="DL-T-1001", aware_at=hours_ago(5))
    po.get(REGISTER)
    response = po.post("/o/org-a/register/exports", {"format": "xlsx"})
    status_url = response.headers["Location"]
    html = po.get(status_url).get_data(as_text=True)
    assert "In de wachtrij" in html
    assert re.search(r'<a [^>]*href="' + re.escape(status_url) + r'"[^>]*>Vernieuwen</a>', html)
    assert "http-equiv" not in html  # no meta refresh: the person decides
    assert "export-status.js" in html  # progressive enhancement, not a requirement
    assert po.get(status_url + "/status").get_json() == {"state": "queued", "label": "In de wachtrij",
                                                         "progress": 0, "finished": False}
    with app.app_context():
        SimpleWorker([get_queue()], connection=redis_connection()).work(burst=True)
    html = po.get(status_url).get_data(as_text=True)
    assert "Gereed" in html and "/download" in html and "Vernieuwen" not in html
    assert po.get(status_url + "/status").get_json()["finished"] is True
