"""Demo data: a register history for every demo institution, so the sector looks alive.

Fictional breaches of the kinds the AP sees most in youth care (e-mail and post to the
wrong person, unauthorised viewing, phishing, lost paper and devices), spread over
2024 up to today, sized to each institution. Old entries are complete and closed; recent
ones are open, some still within their 72 hours. A few incidents that are not breaches
and a couple awaiting triage fill the incident log.

When the breach workflow's own demo has already filled an institution's register, this
seeder leaves it alone (references would collide and the register would double).

Only the facts are written here (assessment, decisions, notifications, communication);
the breaches' derived columns — the 72-hour clock's facts, the current decisions, the
severity — are computed by the breach workflow's own `service.refresh_many`.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from lekwijzer import audit
from lekwijzer.db import db, utcnow
from lekwijzer.demo import DemoContext, demo_seeder
from lekwijzer.jobs import enqueue
from tenants.register import enums, service
from tenants.register.models import (ApNotification, Breach, BreachAssessment, Decision, FgAdvice, HandlingStep,
                                     Incident, Measure, ProcessingActivity, SubjectCommunication)

from .models import RegisterExport

START = datetime(2024, 1, 8, 9, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Scenario:
    title: str
    incident_type: str
    cause: str
    what: str
    data: tuple
    subjects: tuple
    persons: tuple  # (min, max) range to draw from
    nature: tuple
    confidentiality: str | None
    dpc: int
    dpc_reason: str | None
    ei: str
    availability: str | None  # ENISA level when availability is affected
    risk: str
    consequences: str
    corrective: str
    preventive: str
    unintelligible: str = "no"
    malicious: bool = False
    weight: int = 3


SCENARIOS = (
    Scenario("Zorgplan per e-mail naar de verkeerde ouder gestuurd", "sent_by_mistake", "internal_non_malicious",
             "Een jeugdhulpverlener koos bij het versturen van een zorgplan de verkeerde ouder uit de adreslijst; "
             "het zorgplan ging naar de ouder zonder gezag.",
             ("name_address", "health", "family_situation"), ("child_client", "parent_guardian"), (1, 3),
             ("confidentiality",), "known_recipients", 4, None, "1", None, "high_risk",
             "Gevoelige informatie over de jeugdige en het gezin is bekend bij een ouder die daar geen recht op had.",
             "Ontvanger gebeld en gevraagd de e-mail te verwijderen; verwijdering schriftelijk bevestigd.",
             "Automatisch aanvullen van e-mailadressen uitgezet voor de teams.", weight=6),
    Scenario("Brief over de ondertoezichtstelling naar het oude adres gestuurd", "mail_misdelivered",
             "internal_non_malicious",
             "Een brief over de ondertoezichtstelling is naar het oude adres van moeder gestuurd; de nieuwe bewoner "
             "heeft de brief geopend en teruggebracht.",
             ("name_address", "child_protection_measure"), ("child_client", "parent_guardian"), (2, 3),
             ("confidentiality",), "known_recipients", 3, "Kinderbeschermingsmaatregel: hoge gevoeligheid (ENISA +2).",
             "1", None, "risk",
             "Een buitenstaander weet dat er een kinderbeschermingsmaatregel loopt.",
             "Brief retour ontvangen; adres in het cliëntsysteem gecorrigeerd.",
             "Adrescontrole via de BRP vóór elke verzending van beschikkingen.", weight=5),
    Scenario("Groepsmail aan pleegouders met zichtbare e-mailadressen", "email_open_distribution",
             "internal_non_malicious",
             "Een uitnodiging voor een themabijeenkomst ging naar alle pleegouders met de adressen in het cc-veld.",
             ("contact",), ("foster_parent",), (20, 70), ("confidentiality",), "known_recipients", 1, None, "0.75",
             None, "unlikely_risk",
             "Pleegouders kunnen elkaars e-mailadres zien; geen gegevens over jeugdigen gedeeld.",
             "Ontvangers gevraagd de e-mail te verwijderen; excuses aangeboden.",
             "Groepsberichten alleen nog via het pleegouderportaal.", weight=4),
    Scenario("Medewerker bekeek een dossier zonder behandelrelatie", "abuse_of_access_by_employee",
             "internal_malicious",
             "Uit de logcontrole bleek dat een medewerker het dossier van een bekende jeugdige heeft ingezien zonder "
             "dat daar een werkrelatie voor was.",
             ("health", "family_situation"), ("child_client",), (1, 1), ("confidentiality",), "known_recipients", 4,
             None, "1", None, "high_risk",
             "Vertrouwelijke gegevens over behandeling en gezinssituatie zijn gezien door iemand uit de omgeving.",
             "Toegang van de medewerker ingetrokken; arbeidsrechtelijke maatregelen getroffen.",
             "Maandelijkse steekproef op inzage zonder behandelrelatie.", malicious=True, weight=3),
    Scenario("Laptop van jeugdbeschermer gestolen uit de auto", "device_lost_or_stolen", "external_malicious",
             "Uit de auto van een jeugdbeschermer is een laptop gestolen. De laptop was volledig versleuteld en op "
             "afstand gewist.",
             ("name_address", "child_protection_measure"), ("child_client", "parent_guardian"), (30, 120),
             ("confidentiality", "availability"), "none_evidence", 3, "Kinderbeschermingsmaatregel (ENISA +2).",
             "0.5", "recoverable_easily", "unlikely_risk",
             "Geen gevolgen te verwachten: de gegevens waren versleuteld en de sleutel is niet gecompromitteerd.",
             "Laptop op afstand gewist en geblokkeerd; aangifte gedaan.",
             "Instructie: apparatuur nooit onbeheerd in de auto achterlaten.", unintelligible="yes_intact",
             malicious=True, weight=2),
    Scenario("Phishingmail: inloggegevens van een teamleider buitgemaakt", "phishing_social_engineering",
             "external_malicious",
             "Een teamleider vulde zijn inloggegevens in op een nagemaakte inlogpagina. De aanvaller had enkele uren "
             "toegang tot de mailbox met verslagen over jeugdigen.",
             ("credentials", "health", "family_situation"), ("child_client", "parent_guardian", "employee"),
             (40, 250), ("confidentiality",), "unknown_recipients", 4, None, "1", None, "high_risk",
             "Verslagen over jeugdigen en gezinnen zijn mogelijk door onbekenden ingezien of gekopieerd.",
             "Wachtwoord gewijzigd, sessies beëindigd, doorstuurregels verwijderd; Z-CERT ingeschakeld.",
             "Phishingbestendige MFA voor alle medewerkers.", malicious=True, weight=2),
    Scenario("Rapportage in de trein laten liggen", "paper_lost_stolen_insecure", "internal_non_malicious",
             "Een medewerker liet een map met een rapportage voor de rechtbank in de trein liggen. De map is niet "
             "teruggevonden.",
             ("name_address", "family_situation", "child_protection_measure"), ("child_client", "parent_guardian"),
             (2, 5), ("confidentiality", "availability"), "unknown_recipients", 4,
             "Rapportage voor de rechtbank over gezag en veiligheid (ENISA +3).", "1", "permanent", "high_risk",
             "Zeer gevoelige informatie over het gezin is mogelijk bij onbekenden terechtgekomen.",
             "Melding bij gevonden voorwerpen NS; gezin ingelicht.",
             "Rapportages alleen nog digitaal meenemen via de beveiligde app.", weight=2),
    Scenario("Verslag in het dossier van de verkeerde cliënt opgeslagen", "wrong_data_subject_shown",
             "internal_non_malicious",
             "Een gespreksverslag is in het dossier van een andere jeugdige opgeslagen en via het cliëntportaal door "
             "diens ouders gezien.",
             ("health",), ("child_client", "parent_guardian"), (1, 2), ("confidentiality", "integrity"),
             "known_recipients", 4, None, "0.75", None, "risk",
             "Ouders van een andere jeugdige hebben een gespreksverslag gelezen.",
             "Verslag verplaatst naar het juiste dossier; ontvangers gevraagd niets te bewaren.",
             "Extra controle bij het koppelen van documenten in het portaal.", weight=3),
    Scenario("Te ruime autorisaties in het cliëntsysteem na een migratie", "incorrect_access_permissions",
             "internal_non_malicious",
             "Na de migratie naar een nieuw cliëntsysteem konden alle medewerkers van een regio alle dossiers van die "
             "regio inzien. Uit de logging bleek geen onterechte inzage.",
             ("name_address", "health"), ("child_client",), (200, 900), ("confidentiality",), "none_evidence", 4,
             None, "0.5", None, "risk",
             "Dossiers waren voor te veel medewerkers toegankelijk; geen aanwijzing voor misbruik.",
             "Autorisatiematrix hersteld binnen een dag; logging nagelopen.",
             "Autorisaties testen vóór elke migratie (vier-ogenprincipe).", weight=1),
    Scenario("Identiteit van de melder zichtbaar in verslag aan ouders", "displayed_to_wrong_recipient",
             "internal_non_malicious",
             "In een verslag dat aan de ouders is gegeven stond de naam van de buurvrouw die zorgen had gemeld.",
             ("reporter_identity", "child_abuse_domestic_violence"), ("reporter", "child_client"), (1, 2),
             ("confidentiality",), "known_recipients", 4, "Identiteit van de melder: risico voor haar veiligheid (+3).",
             "1", None, "high_risk",
             "De melder kan door de ouders worden benaderd of bedreigd.",
             "Melder direct gewaarschuwd en veiligheidsafspraken gemaakt.",
             "Verslagen worden vóór verstrekking geanonimiseerd gecontroleerd.", weight=1),
    Scenario("Voicemails doorgestuurd naar een extern e-mailadres", "misconfiguration", "internal_non_malicious",
             "Door een instelling in de telefooncentrale werden voicemails van een team doorgestuurd naar een "
             "e-mailadres op een domein dat de organisatie niet meer gebruikt.",
             ("name_address", "family_situation"), ("child_client", "parent_guardian", "chain_professional"),
             (10, 80), ("confidentiality",), "unknown_recipients", 3, "Gezinssituatie (ENISA +2).", "1", None,
             "high_risk",
             "Berichten van ouders en ketenpartners zijn mogelijk door onbekenden beluisterd.",
             "Doorsturen gestopt; het oude domein weer in eigen beheer genomen.",
             "Oude domeinen blijven geregistreerd en worden bewaakt.", weight=1),
    Scenario("Dossierstukken bij het oud papier in plaats van in de vernietigingscontainer",
             "incorrect_paper_disposal", "internal_non_malicious",
             "Bij een verhuizing van een locatie zijn enkele dossierstukken bij het oud papier gezet. Ze zijn dezelfde "
             "dag teruggevonden en veilig vernietigd.",
             ("name_address",), ("child_client",), (1, 6), ("confidentiality",), "none_evidence", 1, None, "0.75",
             None, "unlikely_risk",
             "Geen: de stukken zijn teruggevonden voordat iemand ze kon inzien.",
             "Stukken teruggehaald en vernietigd.", "Vernietigingscontainers op elke verdieping.", weight=2),
)

NOT_BREACHES = (
    "Verdachte e-mail ontvangen en gemeld; de bijlage is niet geopend.",
    "Deur van de archiefruimte stond 's avonds open; niets ontbreekt.",
    "USB-stick gevonden in de spreekkamer; bleek leeg.",
    "Storing in het cliëntsysteem van twee uur; geen gegevens verloren.",
)
AWAITING = (
    "Ik heb waarschijnlijk een verslag naar de verkeerde school gemaild, ik weet het niet zeker.",
    "Telefoon van het werk kwijt tijdens huisbezoek; pincode stond erop.",
)
ACTIVITIES = (
    ("Jeugdhulp en behandeling", "Uitvoeren van jeugdhulp volgens de Jeugdwet"),
    ("Jeugdbescherming", "Uitvoeren van kinderbeschermingsmaatregelen"),
    ("Pleegzorg", "Werven, begeleiden en ondersteunen van pleeggezinnen"),
    ("Personeelsadministratie", "Uitvoeren van de arbeidsovereenkomst"),
)
BANDS = ((Decimal("2"), "low"), (Decimal("3"), "medium"), (Decimal("4"), "high"))


def _band(score: Decimal) -> str:
    for limit, band in BANDS:
        if score < limit:
            return band
    return "very_high"


def _how_many(employees: int | None) -> int:
    return max(3, min(60, (employees or 100) // 40))


def _activities() -> list[ProcessingActivity]:
    existing = db.session.scalars(sa.select(ProcessingActivity)).all()
    if existing:
        return list(existing)
    rows = [ProcessingActivity(name=name, purpose=purpose, legal_basis="Wettelijke verplichting (Jeugdwet)",
                               data_categories=["name_address", "health"], subject_categories=["child_client"])
            for name, purpose in ACTIVITIES]
    db.session.add_all(rows)
    db.session.flush()
    return rows


@demo_seeder
def register_history(ctx: DemoContext) -> None:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Breach)):
        return  # the breach workflow's demo filled this register already
    rng, now = ctx.rng, utcnow()
    users = ctx.users
    reporter = users.get("reporter") or users.get("privacy_officer")
    officer, board = users.get("privacy_officer"), users.get("board")
    activities = _activities()
    weighted = [s for s in SCENARIOS for _ in range(s.weight)]
    count = _how_many(ctx.org.employees)
    span = (now - timedelta(days=2) - START).total_seconds()
    moments = [(START + timedelta(seconds=rng.random() * span), None) for _ in range(count)]
    main = ctx.org.slug == "samen-veilig-voorbeeld"
    if main:  # show the clock at work: one within its 72 hours, one overdue
        moments += [(now - timedelta(hours=20), "running"), (now - timedelta(hours=90), "overdue")]
    per_year: dict[int, int] = {}
    for aware, special in sorted(moments):
        scenario = {"running": SCENARIOS[0], "overdue": SCENARIOS[1]}.get(special) or rng.choice(weighted)
        per_year[aware.year] = per_year.get(aware.year, 0) + 1
        _breach(ctx, scenario, aware, f"DL-{aware.year}-{per_year[aware.year]:03d}", now, rng, reporter, officer,
                board, rng.choice(activities[:3]), running=special == "running", overdue=special == "overdue")
    for text in rng.sample(NOT_BREACHES, k=min(len(NOT_BREACHES), 1 + count // 15)):
        at = now - timedelta(days=rng.randint(3, 400))
        db.session.add(Incident(reported_by=reporter.id if reporter else None, reported_at=at, what_happened=text,
                                noticed_at=at - timedelta(hours=1), status="not_breach",
                                triaged_by=officer.id if officer else None, triaged_at=at + timedelta(hours=3),
                                triage_reason="Geen persoonsgegevens getroffen."))
    if main or count >= 15:
        for text in AWAITING[: 2 if main else 1]:
            at = now - timedelta(hours=rng.randint(1, 6))
            db.session.add(Incident(reported_by=reporter.id if reporter else None, reported_at=at,
                                    what_happened=text, noticed_at=at - timedelta(minutes=30),
                                    people_estimate="1-10", status="new"))
    service.refresh_many()
    if main:
        _demo_export(ctx)


def _breach(ctx, s: Scenario, aware, reference, now, rng, reporter, officer, board, activity, *, running=False,
            overdue=False) -> None:
    discovered = aware - timedelta(hours=rng.randint(0, 20))
    occurred = discovered - timedelta(hours=rng.randint(1, 72))
    closed = not (running or overdue) and aware < now - timedelta(days=45)
    low, high = s.persons
    persons = rng.randint(low, high)
    incident = Incident(reported_by=reporter.id if reporter else None, reported_at=discovered + timedelta(minutes=40),
                        what_happened=s.what, occurred_at=occurred, noticed_at=discovered,
                        people_estimate="1-10" if persons <= 10 else "11-100" if persons <= 100 else "100+",
                        status="breach", triaged_by=officer.id if officer else None, triaged_at=aware,
                        triage_reason="Persoonsgegevens van cliënten zijn getroffen.")
    db.session.add(incident)
    db.session.flush()
    ei = Decimal(s.ei)
    cb_malicious = Decimal("0.5") if s.malicious else Decimal("0")
    cb_conf = Decimal(enums.CONFIDENTIALITY_LEVEL[s.confidentiality][0]) if s.confidentiality else Decimal("0")
    cb_integ = Decimal("0.25") if "integrity" in s.nature else Decimal("0")
    cb_avail = Decimal(enums.AVAILABILITY_LEVEL[s.availability][0]) if s.availability else Decimal("0")
    dpc_base = 4 if any(k in ("health", "criminal") for k in s.data) else 1
    dpc = s.dpc if s.dpc >= dpc_base else dpc_base
    score = (Decimal(dpc) * ei + cb_conf + cb_integ + cb_avail + cb_malicious).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)
    band = _band(score)
    breach = Breach(
        reference=reference, incident_id=incident.id, processing_activity_id=activity.id, title=s.title,
        status="closed" if closed else "open", created_at=aware, incident_type=s.incident_type, cause=s.cause,
        what_happened=s.what, discovery_source=rng.choice(["controller", "controller", "data_subject"]),
        nature=list(s.nature), confidentiality_level=s.confidentiality if "confidentiality" in s.nature else None,
        integrity_level="misuse_recoverable" if "integrity" in s.nature else None,
        availability_level=s.availability if "availability" in s.nature else None, unintelligible=s.unintelligible,
        measures_in_place=["policies", "training", "access_levels"] + (
            ["data_encryption"] if s.unintelligible == "yes_intact" else []),
        data_categories=list(s.data), subject_categories=list(s.subjects),
        persons_count_mode="exact" if high - low < 5 else "approximate", persons_min=persons if high - low < 5 else low,
        persons_max=persons, occurrence_mode="specific_day", occurred_from=occurred, discovered_at=discovered,
        aware_at=aware, contained_at=aware + timedelta(hours=rng.randint(1, 30)) if not running else None,
        consequences=s.consequences, impacts=["loss_of_control", "professional_secrecy"],
        impact_severity={"high_risk": "severe", "risk": "moderate"}.get(s.risk, "minor"))
    db.session.add(breach)
    db.session.flush()
    db.session.add(BreachAssessment(
        breach_id=breach.id, version=1, created_by=officer.id if officer else None, created_at=aware + timedelta(hours=2),
        dpc_base=dpc_base, dpc_adjustment=dpc - dpc_base, dpc_adjustment_reason=s.dpc_reason if dpc != dpc_base else None,
        dpc_final=dpc, ease_of_identification=ei, cb_confidentiality=cb_conf, cb_integrity=cb_integ,
        cb_availability=cb_avail, cb_malicious=cb_malicious, score=score, band=band,
        formula=f"SE = {dpc} × {ei} + {cb_conf + cb_integ + cb_avail + cb_malicious} = {score}",
        flag_over_100=persons > 100, flag_unintelligible=s.unintelligible == "yes_intact", risk_outcome=s.risk,
        risk_reasoning=s.consequences))
    if running:
        return  # within its 72 hours: assessed, nothing decided yet
    notify = s.risk in ("risk", "high_risk")
    advice = FgAdvice(breach_id=breach.id, given_by=None, given_at=aware + timedelta(hours=rng.randint(3, 20)),
                      involved_from=aware + timedelta(hours=1), advise_notify_ap=notify,
                      advise_inform_subjects=s.risk == "high_risk",
                      advice="Melden bij de AP." if notify else "Niet melden: waarschijnlijk geen risico.")
    db.session.add(advice)
    db.session.flush()
    decided = aware + timedelta(hours=rng.randint(20, 50))
    db.session.add(Decision(breach_id=breach.id, kind="notify_ap", outcome=notify, decided_by=board.id if board else None,
                            decided_role="board", decided_at=decided, fg_advice_id=advice.id, fg_advice_followed=True,
                            reasoning=("Risico voor betrokkenen; melden binnen 72 uur." if notify else
                                       "Waarschijnlijk geen risico voor betrokkenen."),
                            override_note=(None if notify or score < 2 else
                                           "Ernstscore gemiddeld, maar de gegevens waren versleuteld (art. 34 lid 3 "
                                           "onder a): geen risico.")))
    if s.risk == "high_risk":
        db.session.add(Decision(breach_id=breach.id, kind="inform_subjects", outcome=True, decided_role="board",
                                decided_by=board.id if board else None, decided_at=decided,
                                reasoning="Hoog risico: betrokkenen persoonlijk informeren."))
    else:
        db.session.add(Decision(breach_id=breach.id, kind="inform_subjects", outcome=False, decided_role="board",
                                decided_by=board.id if board else None, decided_at=decided,
                                communication_status="not_required_not_high_risk",
                                reasoning="Geen hoog risico voor de betrokkenen: informeren is niet verplicht "
                                          "(art. 34 lid 1 AVG)."))
    if overdue:
        return  # decided to notify, but the notification has not been made: the register shows it overdue
    if notify:
        late = rng.random() < 0.1
        submitted = aware + timedelta(hours=rng.randint(76, 110) if late else rng.randint(24, 70))
        db.session.add(ApNotification(
            breach_id=breach.id, kind="initial", sub_type="complete", ap_reference=f"M{rng.randint(1000000, 9999999)}",
            submitted_at=submitted, payload={"sections": "0-9"}, notifier_name=officer.name if officer else None,
            notifier_function="Privacy officer", created_by=officer.id if officer else None))
        if late:
            breach.delay_reason = "Het besluit kon pas na het weekend worden genomen."
    if s.risk == "high_risk":
        db.session.add(SubjectCommunication(
            breach_id=breach.id, channel="individual", sent_at=aware + timedelta(hours=rng.randint(30, 90)),
            to_legal_representatives="child_client" in s.subjects, reach_count=persons, all_subjects_reached=True,
            content="Brief met wat er is gebeurd, de mogelijke gevolgen, wat wij hebben gedaan en een contactpersoon.",
            proof="Kopie in het dossier"))
    db.session.add(Measure(breach_id=breach.id, kind="corrective", title=s.corrective[:200], status="done",
                           due_date=(aware + timedelta(days=2)).date(), done_at=aware + timedelta(days=1)))
    preventive_done = closed and rng.random() < 0.7
    db.session.add(Measure(breach_id=breach.id, kind="preventive", title=s.preventive[:200],
                           status="done" if preventive_done else rng.choice(["planned", "in_progress"]),
                           due_date=(aware + timedelta(days=rng.randint(30, 120))).date(),
                           done_at=aware + timedelta(days=40) if preventive_done else None,
                           target_incident_type=s.incident_type))
    if closed:
        breach.ended_at = aware + timedelta(hours=rng.randint(2, 48))
        breach.ended_how = s.corrective
        breach.closed_at = aware + timedelta(days=rng.randint(10, 40))
        breach.closed_by = officer.id if officer else None
        for n, step in enumerate(("establish", "contain", "investigate", "notify_ap", "inform_subjects",
                                  "prevent_recurrence")):
            db.session.add(HandlingStep(breach_id=breach.id, step=step, done_at=aware + timedelta(hours=2 + n * 20),
                                        done_by=officer.id if officer else None))


def _demo_export(ctx: DemoContext) -> None:
    export = RegisterExport(id=uuid.uuid4(), format="xlsx", include_names=False, filters={}, requested_via="system",
                            requested_by=ctx.users["privacy_officer"].id, status="queued")
    db.session.add(export)
    db.session.flush()
    row = enqueue("export.register", tenant_id=ctx.org.id, register_export_id=export.id)
    export.outbox_job_id = row.id
    audit.record("register.export_requested", "register_export", export.id,
                 meta={"format": "xlsx", "include_names": False, "via": "system", "filters": "none"},
                 actor=("system", None))
