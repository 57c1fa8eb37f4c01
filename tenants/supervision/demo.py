"""Demo: a register for institutions that have none yet, so supervision has something to show.

The register feature seeds its own demo breaches; this seeder only fills an institution
whose register is still empty (e.g. when this feature runs alone). The entries are
fictional, in Dutch, and follow the sector's patterns: mostly human error by e-mail and
post, some phishing and lost devices, a few serious incidents, and the flaws the AP found
in 2024 in a realistic share — short descriptions, risk levels without reasoning, late
notifications with and without a reason, missing corrective measures.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa

from lekwijzer.db import db, utcnow
from lekwijzer.demo import DemoContext, demo_seeder
from tenants.register.models import (ApNotification, Breach, BreachAssessment, Decision, Measure,
                                     SubjectCommunication)

# incident type, what happened, consequences, corrective measure, data categories, weight
STORIES = [
    ("sent_by_mistake", "Een gezinsmanager stuurde een voortgangsverslag per e-mail naar een ouder van een ander "
     "gezin met dezelfde achternaam; de ontvanger meldde het dezelfde dag.",
     "Gegevens over de opvoedsituatie van één gezin zijn bij een onbevoegde terechtgekomen.",
     "Ontvanger gevraagd de e-mail te verwijderen en dat te bevestigen", ["family_situation", "name_address"], 30),
    ("mail_misdelivered", "Een brief met het behandelplan van een jeugdige is op een oud adres bezorgd; de nieuwe "
     "bewoners hebben de geopende brief teruggebracht.",
     "Een onbekende heeft het behandelplan kunnen lezen.", "Adresgegevens gecontroleerd en brief opnieuw verstuurd",
     ["health", "name_address"], 14),
    ("email_open_distribution", "Een uitnodiging voor een ouderavond is verstuurd met alle e-mailadressen van "
     "pleegouders zichtbaar in het aan-veld in plaats van in bcc.",
     "Pleegouders kunnen elkaars e-mailadres en deelname aan pleegzorg afleiden.",
     "Ontvangers gevraagd de e-mail te verwijderen; verzendlijst voortaan via bcc", ["contact"], 10),
    ("wrong_data_subject_shown", "Een verslag over een jeugdige is in het dossier van een andere jeugdige geplaatst "
     "en via het cliëntportaal met diens ouders gedeeld.",
     "Ouders van een ander gezin hebben gezondheidsgegevens van een jeugdige gezien.",
     "Verslag verwijderd uit het verkeerde dossier en portaaltoegang gecontroleerd", ["health", "family_situation"], 8),
    ("phishing_social_engineering", "Een medewerker vulde na een phishingmail haar inloggegevens in; de aanvaller had "
     "ongeveer twee uur toegang tot haar mailbox.",
     "E-mails met cliëntgegevens konden door een onbekende worden gelezen.",
     "Wachtwoord gereset, sessies beëindigd en meervoudige authenticatie afgedwongen",
     ["health", "contact", "family_situation"], 8),
    ("device_lost_or_stolen", "Een dienstlaptop met versleutelde schijf is gestolen uit de auto van een ambulant "
     "hulpverlener na een huisbezoek.", "Gering: de schijf was versleuteld en het apparaat is op afstand gewist.",
     "Laptop op afstand gewist en aangifte gedaan", ["health", "name_address"], 6),
    ("paper_lost_stolen_insecure", "Een map met dossierstukken is na een huisbezoek in de trein blijven liggen; de "
     "map is niet teruggevonden.", "Onbekenden kunnen gegevens over een kinderbeschermingsmaatregel lezen.",
     "Ouders geïnformeerd en werkinstructie papieren dossiers aangescherpt",
     ["child_protection_measure", "name_address"], 5),
    ("abuse_of_access_by_employee", "Een medewerker heeft zonder werkrelatie het dossier van een bekende uit de eigen "
     "woonplaats ingezien; dit bleek uit de logging.",
     "Inbreuk op de vertrouwelijkheid van een jeugdhulpdossier.",
     "Gesprek met de medewerker en maandelijkse controle van de logging ingevoerd", ["health", "family_situation"], 5),
    ("incorrect_access_permissions", "Na een migratie van het cliëntsysteem hadden alle teams leesrechten op dossiers "
     "van de crisisdienst.", "Meer medewerkers dan nodig konden dossiers van crisisplaatsingen inzien.",
     "Autorisaties hersteld en migratieprocedure aangevuld met een rechtencheck",
     ["child_abuse_domestic_violence", "health"], 4),
    ("ransomware", "Ransomware heeft een bestandsserver van de afdeling pleegzorg versleuteld; er is mogelijk data "
     "weggenomen.", "Mogelijk zijn gegevens van pleeggezinnen en jeugdigen in handen van criminelen gekomen.",
     "Server geïsoleerd, herstel vanuit back-up en forensisch onderzoek door Z-CERT",
     ["health", "name_address", "bsn", "family_situation"], 2),
    ("verbal_disclosure", "Tijdens een netwerkoverleg zijn gegevens van een ander gezin genoemd in bijzijn van "
     "familieleden.", "Familieleden hoorden over de situatie van een ander gezin.",
     "Excuses aangeboden en casusbespreking voortaan zonder externen", ["family_situation"], 4),
]
SHORT = ["Mail verkeerd verstuurd.", "Laptop kwijt.", "Brief verkeerd bezorgd.", "Verkeerd dossier."]
START = datetime(2025, 1, 6, tzinfo=timezone.utc)


def _pick(rng, items):
    total = sum(item[-1] for item in items)
    point = rng.uniform(0, total)
    for item in items:
        point -= item[-1]
        if point <= 0:
            return item
    return items[-1]


def entries_for(org) -> int:
    employees = org.employees or 50
    return max(3, min(45, round(employees / 55)))


@demo_seeder
def fallback_register(ctx: DemoContext) -> None:
    if ctx.org.kind.value != "institution":
        return
    if db.session.scalar(sa.select(sa.func.count()).select_from(Breach)):
        return  # the register feature has seeded this register
    rng = ctx.rng
    now = utcnow()
    span = (now - timedelta(days=20) - START).total_seconds()
    # Institutions notify more or less readily; one large one hardly ever (the AP noticed such).
    appetite = 0.05 if ctx.org.slug == "veilig-verder" else rng.uniform(0.45, 0.85)
    for number in range(entries_for(ctx.org)):
        kind, what, consequences, measure, data, _w = _pick(rng, STORIES)
        aware = START + timedelta(seconds=rng.uniform(0, span))
        aware = aware.replace(minute=rng.choice([0, 15, 30, 45]), second=0, microsecond=0)
        severe = kind in ("ransomware", "phishing_social_engineering", "paper_lost_stolen_insecure") \
            or rng.random() < 0.25
        risk = "high_risk" if kind == "ransomware" else ("risk" if severe else "unlikely_risk")
        notify = risk != "unlikely_risk" and rng.random() < appetite / 0.65
        flawed = rng.random()
        open_case = aware > now - timedelta(days=45) and rng.random() < 0.5
        breach = Breach(
            reference=f"DL-{aware.year}-{number + 1:03d}", title=what.split(";")[0][:120], status="open" if open_case else "closed",
            incident_type=kind, cause="external_malicious" if kind in ("ransomware", "phishing_social_engineering")
            else "internal_non_malicious",
            what_happened=rng.choice(SHORT) if flawed < 0.08 else what,
            consequences=None if 0.08 <= flawed < 0.12 else consequences,
            nature=["confidentiality"], data_categories=data, subject_categories=["child_client", "parent_guardian"],
            persons_count_mode="approximate", persons_min=1, persons_max=rng.choice([1, 2, 4, 12, 40, 150]),
            occurrence_mode="specific_day", occurred_from=aware - timedelta(hours=rng.randint(1, 30)),
            discovered_at=aware, aware_at=aware, contained_at=aware + timedelta(hours=rng.randint(1, 12)),
            ended_at=None if open_case or 0.12 <= flawed < 0.15 else aware + timedelta(hours=rng.randint(2, 48)),
            risk_outcome=risk, severity_band={"high_risk": "very_high", "risk": "high"}.get(risk, "medium"),
            subject_communication_status="done" if risk == "high_risk" else "not_required_not_high_risk",
            no_notification_reasoning=None if notify else
            "Geen risico voor de betrokkenen: beperkte gegevens en de ontvanger is bekend en betrouwbaar.",
            closed_at=None if open_case else aware + timedelta(days=rng.randint(3, 20)))
        db.session.add(breach)
        db.session.flush()
        reasoning = "Laag." if 0.15 <= flawed < 0.19 else (
            "Gezondheidsgegevens van een jeugdige bij een onbevoegde; ernst volgens ENISA hoog." if severe else
            "Beperkte gegevens, ontvanger bekend en heeft bevestigd te verwijderen; geen risico.")
        db.session.add(BreachAssessment(
            breach_id=breach.id, version=1, dpc_base=4 if "health" in data else 2, dpc_final=4 if "health" in data else 2,
            ease_of_identification=Decimal("0.75"), cb_confidentiality=Decimal("0.25"), cb_integrity=Decimal("0"),
            cb_availability=Decimal("0"), cb_malicious=Decimal("0.5") if "malicious" in breach.cause else Decimal("0"),
            score=Decimal("3.25") if severe else Decimal("1.75"), band="high" if severe else "low",
            formula="ENISA 2013", risk_outcome=risk, risk_reasoning=reasoning))
        db.session.add(Decision(breach_id=breach.id, kind="notify_ap", outcome=notify, decided_role="board",
                                reasoning="Besluit van het bestuur na advies van de FG.",
                                decided_at=aware + timedelta(hours=rng.randint(4, 40))))
        if notify and rng.random() < 0.03:
            notify = False  # decided to notify, but it was never sent (the AP found such cases)
            breach.delay_reason = None
        elif notify:
            late = rng.random() < 0.12
            sent = aware + timedelta(hours=rng.uniform(80, 160) if late else rng.uniform(6, 70))
            if late and rng.random() < 0.5:
                breach.delay_reason = "De verwerker meldde het incident pas na enkele dagen aan ons."
            reference = f"AP-{sent.year}-{rng.randint(100000, 999999)}"
            if rng.random() < 0.04:
                reference = f"INTERN-{breach.reference}"  # the institution's own number instead of the AP's
            db.session.add(ApNotification(breach_id=breach.id, kind="initial", ap_reference=reference, submitted_at=sent,
                                          sub_type="complete", payload={}))
            if rng.random() < 0.2:
                db.session.add(ApNotification(breach_id=breach.id, kind="supplement", ap_reference=reference,
                                              submitted_at=sent + timedelta(days=rng.randint(2, 10)),
                                              sub_type="complete", payload={}))
        if risk == "high_risk":
            db.session.add(SubjectCommunication(breach_id=breach.id, channel="individual",
                                                sent_at=aware + timedelta(days=2), content="Brief aan de betrokken gezinnen."))
        if not 0.19 <= flawed < 0.23:
            due = (aware + timedelta(days=14)).date()
            done = aware + timedelta(days=rng.randint(2, 20))
            db.session.add(Measure(breach_id=breach.id, kind="corrective", title=measure, due_date=due,
                                   status="done" if not open_case else "in_progress",
                                   done_at=None if open_case else done))
