"""Demo content: a processing register, reported incidents and a breach register that
looks like a living youth-care sector over the last two years (fictional, Dutch).

Per institution the number of breaches follows its size; the largest institution
(samen-veilig-voorbeeld) gets the most, including breaches whose 72-hour clock is
running right now and one that is overdue. Types follow what the AP sees most in care:
mail to the wrong address, e-mail to the wrong person, data in the wrong dossier,
unauthorised viewing, lost devices, phishing, a processor's ransomware. Some were
notified late (with a reason), some notifications were incomplete and supplemented,
most have corrective and preventive measures, some of them late.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from lekwijzer import audit
from lekwijzer.db import db, utcnow
from lekwijzer.demo import MAIN, DemoContext, demo_seeder

from . import apsheet, service, severity
from .models import (ApNotification, Breach, BreachAssessment, CrisisMessage, Decision, FgAdvice, HandlingStep,
                     Incident, Measure, Party, ProcessingActivity, SubjectCommunication)

ACTIVITIES = [
    ("Jeugdhulpverlening en dossiervoering", "Uitvoeren van jeugdhulp en het bijhouden van het cliëntdossier (Jeugdwet).",
     "Art. 6 lid 1 sub c AVG jo. Jeugdwet; art. 9 lid 2 sub h AVG",
     ["name_address", "contact", "sex_birthdate_age", "bsn", "health", "family_situation", "education_school"],
     ["child_client", "young_adult_client", "parent_guardian", "family_network"], "Cliëntvolgsysteem, Zivver",
     "Leverancier cliëntvolgsysteem (SaaS)", "20 jaar na beëindiging van de hulp"),
    ("Uitvoering kinderbeschermingsmaatregelen", "Uitvoeren van ondertoezichtstellingen en voogdij.",
     "Art. 6 lid 1 sub e AVG jo. Jeugdwet art. 3.2",
     ["name_address", "contact", "sex_birthdate_age", "bsn", "health", "child_protection_measure",
      "child_abuse_domestic_violence", "criminal", "reporter_identity"],
     ["child_client", "parent_guardian", "foster_parent", "family_network", "reporter"], "Cliëntvolgsysteem",
     "Leverancier cliëntvolgsysteem (SaaS)", "20 jaar na meerderjarigheid"),
    ("Jeugdreclassering", "Begeleiden van jongeren met een strafrechtelijke maatregel.", "Art. 6 lid 1 sub e AVG; art. 10 AVG",
     ["name_address", "contact", "bsn", "criminal", "education_school"], ["child_client", "young_adult_client", "parent_guardian"],
     "Cliëntvolgsysteem", "Leverancier cliëntvolgsysteem (SaaS)", "5 jaar na afsluiten"),
    ("Pleegzorg: werving en begeleiding", "Werven, screenen en begeleiden van pleegouders.", "Art. 6 lid 1 sub b en c AVG",
     ["name_address", "contact", "sex_birthdate_age", "financial", "family_situation"], ["foster_parent", "child_client"],
     "Pleegzorgportaal", "Hostingpartij pleegzorgportaal", "7 jaar"),
    ("Cliëntportaal", "Cliënten en ouders inzage geven in hun dossier en berichten uitwisselen.", "Art. 6 lid 1 sub c AVG",
     ["name_address", "contact", "credentials", "health", "family_situation"], ["child_client", "parent_guardian"],
     "Cliëntportaal", "Leverancier cliëntportaal", "Zolang het account bestaat"),
    ("Personeels- en salarisadministratie", "Uitvoeren van de arbeidsovereenkomst en salarisbetaling.", "Art. 6 lid 1 sub b en c AVG",
     ["name_address", "contact", "bsn", "financial", "health", "id_document_copy"], ["employee"],
     "HR-systeem", "Salarisverwerker", "7 jaar na uitdiensttreding"),
]

# Scenario templates: facts as an institution would register them (no names, no numbers
# of people in free text). weight = how often it occurs.
SCENARIOS = [
    dict(weight=9, activity=0, title="Brief met hulpverleningsplan naar oud adres gestuurd", type="mail_misdelivered",
         cause="internal_non_malicious",
         cause_description="Het nieuwe adres van de ouder was wel in de basisadministratie verwerkt, maar niet in het cliëntvolgsysteem.",
         what_happened="Een brief met het hulpverleningsplan van een jeugdige is per post naar het vorige adres van een ouder gestuurd. De nieuwe bewoner heeft de geopende brief teruggebracht.",
         nature=["confidentiality"], conf="known_recipients", data=["name_address", "family_situation"],
         subjects=["child_client", "parent_guardian"], persons=(2, 4), ei="1", adj=2,
         adj_reason="Gegevens over de gezinssituatie en gezondheid van een minderjarige; de ontvanger woont in dezelfde wijk.",
         risk="risk", consequences="De bewoner van het oude adres heeft kennisgenomen van de hulpvraag en de gezinssituatie. Kans op schaamte en stigma voor het gezin; geen aanwijzing voor verdere verspreiding.",
         ended="De brief is geopend teruggebracht; de ontvanger heeft verklaard geen kopie te hebben gemaakt.",
         corrective=["Brief opgehaald en ontvanger gevraagd om schriftelijke bevestiging"],
         preventive=["Adreswijzigingen wekelijks vergelijken met de basisadministratie"], inform=False),
    dict(weight=8, activity=1, title="Rapportage gemaild naar verkeerde ontvanger", type="sent_by_mistake",
         cause="internal_non_malicious",
         cause_description="Het e-mailprogramma vulde het adres automatisch aan met een ontvanger met een vergelijkbare naam.",
         what_happened="Een voortgangsrapportage over een ondertoezichtstelling is per e-mail verstuurd naar een advocaat die niet meer bij het gezin betrokken is, in plaats van naar de moeder.",
         nature=["confidentiality"], conf="known_recipients", data=["name_address", "child_protection_measure", "family_situation", "health"],
         subjects=["child_client", "parent_guardian"], persons=(2, 3), ei="1", adj=2,
         adj_reason="Informatie over een kinderbeschermingsmaatregel van een minderjarige; kan de positie van het gezin en de veiligheid van het kind raken.",
         risk="high_risk", consequences="Een externe professional heeft kennis kunnen nemen van de inhoud van de maatregel, de gezinsproblematiek en gezondheidsinformatie. Ernstige aantasting van de privacy van kind en ouder.",
         ended="De ontvanger heeft bevestigd de e-mail en de bijlage uit alle mappen te hebben verwijderd.",
         corrective=["Ontvanger verzocht de e-mail te verwijderen en dit schriftelijk te bevestigen"],
         preventive=["Automatisch aanvullen van e-mailadressen uitgeschakeld", "Beveiligde e-mail verplicht met controlevraag bij externe ontvangers"],
         inform=True),
    dict(weight=5, activity=0, title="Verslag in dossier van een andere cliënt opgeslagen", type="wrong_data_subject_shown",
         cause="internal_non_malicious",
         cause_description="Twee dossiers met dezelfde achternaam stonden tegelijk open; het verslag is in het verkeerde dossier geplaatst.",
         what_happened="Een verslag van een gezinsgesprek is in het dossier van een andere cliënt opgeslagen. De ouder van die cliënt zag het verslag via het cliëntportaal.",
         nature=["confidentiality", "integrity"], conf="known_recipients", integ="misuse_recoverable",
         data=["name_address", "family_situation"], subjects=["child_client", "parent_guardian"], persons=(3, 5), ei="1", adj=2,
         adj_reason="Gevoelige gezinsinformatie over minderjarigen; de ouders kennen elkaar uit de buurt.",
         risk="risk", consequences="Een andere ouder heeft de inhoud van een gezinsgesprek kunnen lezen. Het dossier van de eigen cliënt was tijdelijk onvolledig.",
         ended="Het verslag is verplaatst naar het juiste dossier; de inzage is via de logging nagegaan.",
         corrective=["Verslag verplaatst en portaaltoegang gecontroleerd via de logging"],
         preventive=["Waarschuwing in het cliëntvolgsysteem bij meerdere open dossiers"], inform=False),
    dict(weight=4, activity=0, title="Onrechtmatige inzage in dossier door medewerker", type="abuse_of_access_by_employee",
         cause="internal_malicious",
         cause_description="Een medewerker zonder behandelrelatie heeft uit persoonlijke betrokkenheid een dossier geopend.",
         what_happened="Bij de periodieke controle van de toegangslogging (NEN 7513) bleek dat een medewerker zonder behandelrelatie het dossier van een bekende jongere meerdere keren heeft geopend.",
         nature=["confidentiality"], conf="known_recipients", data=["name_address", "health", "family_situation"],
         subjects=["child_client"], persons=(1, 1), ei="1", adj=2,
         adj_reason="Gezondheids- en gezinsinformatie van een minderjarige die de medewerker persoonlijk kent.",
         risk="high_risk", consequences="Vertrouwelijke hulpverleningsinformatie is gelezen door iemand uit de persoonlijke omgeving van de jongere. Risico op schade aan relaties en vertrouwen in de hulpverlening.",
         ended="De toegang van de medewerker is ingetrokken; het gesprek met de medewerker is gevoerd.",
         corrective=["Toegang van de medewerker ingetrokken", "Arbeidsrechtelijke maatregel genomen"],
         preventive=["Maandelijkse steekproef op de toegangslogging", "Autorisaties beperkt tot de eigen caseload"],
         inform=True),
    dict(weight=3, activity=5, title="E-mail aan pleegouders met open adressenlijst", type="email_open_distribution",
         cause="internal_non_malicious",
         cause_description="De uitnodiging is met de adressen in het aan-veld verstuurd in plaats van in bcc.",
         what_happened="Een uitnodiging voor een informatieavond is verstuurd aan pleegouders met alle e-mailadressen zichtbaar voor alle ontvangers.",
         nature=["confidentiality"], conf="known_recipients", data=["contact"], subjects=["foster_parent"], persons=(35, 60), ei="0.75", adj=1,
         adj_reason="Uit de ontvangerslijst blijkt dat iemand pleegouder is; dat zegt iets over de gezinssituatie.",
         risk="risk", consequences="Ontvangers weten van elkaar dat zij pleegouder zijn en hebben elkaars e-mailadressen. Beperkte gevolgen; kans op ongewenst contact.",
         ended="De ontvangers zijn gevraagd de e-mail te verwijderen; herroepen was niet meer mogelijk.",
         corrective=["Ontvangers verzocht de e-mail te verwijderen"], preventive=["Nieuwsbrieven alleen via de mailingtool"], inform=True,
         activity_override=3),
    dict(weight=3, activity=4, title="Telefoon met toegang tot e-mail gestolen", type="device_lost_or_stolen",
         cause="external_malicious",
         cause_description="De telefoon werd uit een auto gestolen; de schermvergrendeling stond aan.",
         what_happened="Een werktelefoon met toegang tot de zakelijke e-mail is gestolen. De telefoon was versleuteld en beheerd via mobile device management.",
         nature=["confidentiality"], conf="none_evidence", data=["name_address", "contact", "family_situation"], subjects=["child_client", "parent_guardian"],
         persons=(20, 80), ei="0.5", adj=0, unintelligible="yes_intact", in_place=["data_encryption", "mfa"],
         risk="unlikely_risk", consequences="Geen aanwijzing dat gegevens zijn ingezien: het toestel was versleuteld en is op afstand gewist.",
         ended="Het toestel is binnen een uur op afstand gewist.", corrective=["Toestel op afstand gewist en wachtwoorden vervangen"],
         preventive=[], inform=False, notify=False),
    dict(weight=2, activity=1, title="Mailbox overgenomen na phishing", type="phishing_social_engineering",
         cause="external_malicious",
         cause_description="Een medewerker heeft op een valse inlogpagina het wachtwoord ingevuld; meervoudige authenticatie stond voor dit account nog niet aan.",
         what_happened="Na een phishingmail kreeg een onbekende toegang tot de mailbox van een jeugdbeschermer en verstuurde van daaruit nieuwe phishingmails. In de mailbox stonden berichten over cliënten.",
         nature=["confidentiality"], conf="unknown_recipients", data=["name_address", "contact", "child_protection_measure", "health"],
         subjects=["child_client", "parent_guardian", "chain_professional"], persons=(40, 150), ei="1", adj=2,
         adj_reason="Mailbox van een jeugdbeschermer met informatie over kinderbeschermingsmaatregelen van minderjarigen.",
         risk="high_risk", consequences="Niet uit te sluiten is dat e-mails over cliënten zijn gelezen of gekopieerd. Kans op misbruik voor nieuwe phishing en op openbaarmaking van gevoelige informatie.",
         ended="Het account is geblokkeerd, sessies ingetrokken en MFA afgedwongen; de logging toont geen verdere toegang.",
         corrective=["Account geblokkeerd, wachtwoord vervangen en sessies ingetrokken", "Ketenpartners gewaarschuwd voor phishingmails"],
         preventive=["MFA afgedwongen voor alle accounts", "Phishingsimulatie en training voor alle medewerkers"], inform=True,
         crisis=True),
    dict(weight=1, activity=0, title="Ransomware bij leverancier van het cliëntvolgsysteem", type="ransomware",
         cause="external_malicious", processor=True,
         cause_description="Bij de leverancier van het cliëntvolgsysteem (verwerker) is ransomware uitgevoerd via een kwetsbaarheid in de beheeromgeving.",
         what_happened="De verwerker meldde dat een back-upomgeving met cliëntgegevens door criminelen is versleuteld en dat mogelijk gegevens zijn gekopieerd. Het systeem was twee dagen niet beschikbaar.",
         nature=["confidentiality", "availability"], conf="unknown_recipients", avail="temporary",
         data=["name_address", "bsn", "health", "family_situation"], subjects=["child_client", "parent_guardian"], persons=(500, 3000), ei="1", adj=1,
         adj_reason="Grote hoeveelheid dossiers van minderjarigen bij een zorgorganisatie.",
         risk="high_risk", consequences="Gegevens van cliënten zijn mogelijk in handen van criminelen en kunnen worden gepubliceerd. De hulpverlening liep twee dagen vertraging op.",
         ended="De verwerker heeft de omgeving hersteld vanuit een schone back-up; onderzoek door een extern bureau is afgerond.",
         corrective=["Verwerker heeft de omgeving hersteld vanuit een schone back-up", "Forensisch onderzoek laten uitvoeren"],
         preventive=["Beveiligingseisen in de verwerkersovereenkomst aangescherpt", "Jaarlijkse audit bij de leverancier"],
         inform=True, exempt="c_disproportionate_effort", crisis=True, incomplete_first=True),
    dict(weight=2, activity=4, title="Te ruime autorisaties in het cliëntportaal", type="incorrect_access_permissions",
         cause="internal_non_malicious",
         cause_description="Na een update van het portaal kregen gescheiden ouders zonder gezag toegang tot documenten van hun kind.",
         what_happened="Door een fout in de rechteninstellingen konden ouders zonder gezag documenten van hun kind inzien in het cliëntportaal.",
         nature=["confidentiality"], conf="known_recipients", data=["name_address", "family_situation", "child_protection_measure"],
         subjects=["child_client", "parent_guardian"], persons=(10, 40), ei="1", adj=2,
         adj_reason="Informatie over minderjarigen in een conflictueuze scheidingssituatie; kan de veiligheid raken.",
         risk="high_risk", consequences="Ouders zonder gezag konden informatie zien over de verblijfplaats en hulpverlening van hun kind. In enkele gezinnen is sprake van huiselijk geweld.",
         ended="De rechten zijn hersteld; via de logging is vastgesteld welke documenten zijn ingezien.",
         corrective=["Rechten hersteld en inzage via de logging vastgesteld"], preventive=["Autorisatietest na elke update van het portaal"],
         inform=True),
    dict(weight=2, activity=2, title="Dossiermap in de trein laten liggen", type="paper_lost_stolen_insecure",
         cause="internal_non_malicious",
         cause_description="Een medewerker nam een papieren dossier mee naar een zitting en liet het in de trein liggen.",
         what_happened="Een papieren map met stukken voor een zitting is in de trein achtergelaten en niet teruggevonden.",
         nature=["confidentiality", "availability"], conf="none_evidence", avail="recoverable_easily",
         data=["name_address", "criminal", "family_situation"], subjects=["child_client", "parent_guardian"], persons=(1, 3), ei="1", adj=0,
         risk="high_risk", consequences="Strafrechtelijke gegevens van een jongere kunnen door een vinder zijn gelezen. De stukken zelf zijn digitaal beschikbaar.",
         ended="De map is niet teruggevonden; melding gedaan bij gevonden voorwerpen.",
         corrective=["Melding gedaan bij gevonden voorwerpen van de vervoerder"], preventive=["Geen papieren dossiers meer mee naar zittingen"],
         inform=True),
    dict(weight=1, activity=0, title="Cliëntgegevens in een AI-chatbot geplakt", type="unintended_publication",
         cause="internal_non_malicious",
         cause_description="Een medewerker gebruikte een openbare AI-chatbot om een verslag te laten samenvatten.",
         what_happened="Een verslag met gegevens over een jeugdige is in een openbare AI-chatbot geplakt om een samenvatting te maken.",
         nature=["confidentiality"], conf="unknown_recipients", data=["health", "family_situation"], subjects=["child_client"],
         persons=(1, 2), ei="0.5", adj=0,
         risk="risk", consequences="De aanbieder van de chatbot heeft de tekst ontvangen en mogelijk bewaard. De kans op herleiding door derden is klein.",
         ended="Het gesprek is verwijderd; de aanbieder is verzocht de gegevens te wissen.",
         corrective=["Gesprek verwijderd en verwijderverzoek bij de aanbieder ingediend"],
         preventive=["Openbare AI-diensten geblokkeerd op werkplekken", "Richtlijn voor het gebruik van AI opgesteld"], inform=False),
    dict(weight=2, activity=0, title="Telefonisch informatie gegeven aan onbevoegde", type="verbal_disclosure",
         cause="external_malicious",
         cause_description="Een beller gaf zich uit voor de vader; de identiteit is niet gecontroleerd.",
         what_happened="Een medewerker heeft telefonisch informatie over de afspraken van een jongere gegeven aan iemand die zich ten onrechte uitgaf voor de vader.",
         nature=["confidentiality"], conf="known_recipients", data=["name_address", "family_situation", "location"],
         subjects=["child_client"], persons=(1, 1), ei="1", adj=3,
         adj_reason="De jongere verblijft op een geheim adres; de informatie kan de fysieke veiligheid in gevaar brengen.",
         risk="high_risk", consequences="Een mogelijk onbevoegde persoon weet waar en wanneer de jongere afspraken heeft. Ernstig risico voor de veiligheid.",
         ended="De afspraken en de verblijfplaats zijn direct gewijzigd; politie is ingelicht.",
         corrective=["Afspraken en verblijfplaats gewijzigd", "Veiligheidsplan bijgesteld"],
         preventive=["Terugbelprocedure voor telefonische informatieverzoeken"], inform=True, police=True),
]

# Breaches that are registered but, reasoned, not notified: most of a real register.
SCENARIOS += [
    dict(weight=8, activity=0, title="E-mail met verslag naar verkeerde collega binnen de organisatie", type="sent_by_mistake",
         cause="internal_non_malicious",
         cause_description="Twee collega's met dezelfde voornaam; de verkeerde is uit de adreslijst gekozen.",
         what_happened="Een verslag over een jeugdige is per e-mail naar een collega van een andere afdeling gestuurd. Die heeft het direct gemeld en verwijderd.",
         nature=["confidentiality"], conf="known_recipients", data=["name_address", "family_situation"], subjects=["child_client"],
         persons=(1, 2), ei="1", adj=0, risk="unlikely_risk", notify=False,
         consequences="Een collega met geheimhoudingsplicht heeft het verslag ontvangen en niet gelezen. Geen gevolgen voor de jeugdige te verwachten.",
         ended="De collega heeft de e-mail verwijderd en dit bevestigd.", corrective=["Collega gevraagd de e-mail te verwijderen"],
         preventive=[], inform=False, notes="Besproken in het teamoverleg; geen aanvullende maatregel nodig."),
    dict(weight=7, activity=0, title="Brief ongeopend retour van verkeerd adres", type="mail_misdelivered",
         cause="internal_non_malicious",
         cause_description="Een huisnummer was verkeerd overgenomen uit het aanmeldformulier.",
         what_happened="Een brief met een uitnodiging voor een gesprek is naar een verkeerd huisnummer gestuurd en ongeopend retour gekomen.",
         nature=["confidentiality"], conf="none_evidence", data=["name_address"], subjects=["parent_guardian"],
         persons=(1, 2), ei="1", adj=0, risk="unlikely_risk", notify=False,
         consequences="De brief is ongeopend teruggekomen; alleen naam en adres waren op de envelop zichtbaar.",
         ended="De brief is ongeopend retour ontvangen en opnieuw verstuurd naar het juiste adres.",
         corrective=["Adres gecorrigeerd en brief opnieuw verstuurd"], preventive=["Adressen bij aanmelding laten controleren door de cliënt"],
         inform=False),
    dict(weight=5, activity=1, title="Verkeerde bijlage gestuurd naar ketenpartner", type="sent_by_mistake",
         cause="internal_non_malicious",
         cause_description="Bij het bijvoegen is het document van een andere casus gekozen.",
         what_happened="Bij een overdracht aan het wijkteam is een bijlage over een andere casus meegestuurd. Het wijkteam heeft dit gemeld en het document verwijderd.",
         nature=["confidentiality"], conf="known_recipients", data=["name_address", "family_situation"], subjects=["child_client", "parent_guardian"],
         persons=(2, 4), ei="1", adj=1, adj_reason="Gegevens over een gezinssituatie van minderjarigen.",
         risk="unlikely_risk", notify=False,
         consequences="Een professional met een wettelijke geheimhoudingsplicht heeft het document ontvangen en direct verwijderd. Geen risico voor de betrokkenen te verwachten.",
         ended="Het wijkteam heeft schriftelijk bevestigd het document te hebben verwijderd.",
         corrective=["Wijkteam verzocht het document te verwijderen en dit te bevestigen"],
         preventive=["Bijlagen bij overdrachten via het beveiligde overdrachtsportaal"], inform=False),
    dict(weight=3, activity=5, title="Versleutelde USB-stick kwijtgeraakt", type="device_lost_or_stolen",
         cause="internal_non_malicious",
         cause_description="Een USB-stick met een presentatie en een overzicht van verzuim is verloren.",
         what_happened="Een medewerker is een versleutelde USB-stick met een verzuimoverzicht van het team kwijtgeraakt.",
         nature=["confidentiality"], conf="none_evidence", data=["name_address", "health"], subjects=["employee"],
         persons=(8, 15), ei="0.75", adj=-1, adj_reason="Alleen verzuimduur, geen diagnoses.",
         unintelligible="yes_intact", in_place=["data_encryption"], risk="unlikely_risk", notify=False,
         consequences="De stick is versleuteld met een sterk wachtwoord; de gegevens zijn voor een vinder niet leesbaar.",
         ended="De stick is niet teruggevonden; de gegevens staan ook op de netwerkschijf.", corrective=["Wachtwoord van de stick elders niet in gebruik; niets te wijzigen"],
         preventive=["USB-sticks vervangen door beveiligd delen via de netwerkomgeving"], inform=False),
]

NOT_BREACHES = [
    ("Phishingmail ontvangen met een link naar een valse inlogpagina. Niet op de link geklikt.",
     "Geen persoonsgegevens ingezien of verstrekt. Doorgezet naar ICT om de afzender te blokkeren."),
    ("Toegangspas van het kantoor kwijtgeraakt.",
     "De pas is direct geblokkeerd. Op de pas staan geen persoonsgegevens en er is geen toegang tot dossiers geweest."),
    ("Melding van een inlogpoging vanuit het buitenland op mijn account.",
     "De poging is door de meervoudige authenticatie tegengehouden; er is geen toegang verkregen."),
    ("Virusscanner gaf een melding op mijn laptop.",
     "Het bestand is in quarantaine geplaatst voordat het werd geopend; uit onderzoek van ICT blijkt geen toegang tot gegevens."),
    ("Vergaderuitnodiging naar een verkeerde externe ontvanger gestuurd.",
     "De uitnodiging bevatte geen persoonsgegevens van cliënten; alleen een tijdstip en een vergaderruimte."),
]
UNTRIAGED = [
    "Brief met een beschikking is retour gekomen; de envelop was open.",
    "Een collega heeft een printje met cliëntgegevens bij de printer laten liggen; ik weet niet hoe lang het daar lag.",
]


def _count(org) -> int:
    if org.slug == MAIN:
        return 70
    return max(3, min(36, (org.employees or 100) // 30))


def _when(now, rng, days_ago: float) -> datetime:
    moment = now - timedelta(days=days_ago)
    return moment.replace(minute=rng.choice((0, 10, 15, 20, 30, 40, 45, 50)), second=0, microsecond=0)


@demo_seeder
def seed_register(ctx: DemoContext) -> None:
    rng, now = ctx.rng, utcnow()
    po, board, fg = ctx.users.get("privacy_officer"), ctx.users.get("board"), ctx.users.get("fg")
    reporter = ctx.users.get("reporter") or po
    activities = []
    for name, purpose, basis, data, subjects, systems, processors, retention in ACTIVITIES:
        activity = ProcessingActivity(name=name, purpose=purpose, legal_basis=basis, data_categories=data,
                                      subject_categories=subjects, systems=systems, processors=processors,
                                      retention=retention, active=True)
        db.session.add(activity)
        activities.append(activity)
    db.session.flush()

    refs: dict[int, int] = {}
    total = _count(ctx.org)
    weights = [s["weight"] for s in SCENARIOS]
    for index in range(total):
        scenario = rng.choices(SCENARIOS, weights=weights)[0]
        days_ago = rng.uniform(5, 720)
        _breach(ctx, rng, now, scenario, days_ago, activities, refs, po, board, fg, reporter, stage="closed")
    if ctx.org.slug != MAIN and rng.random() < 0.6:
        _breach(ctx, rng, now, rng.choices(SCENARIOS, weights=weights)[0], rng.uniform(4, 30), activities, refs, po, board,
                fg, reporter, stage=rng.choice(("assessed", "notified", "measures")))
    if ctx.org.slug == MAIN:
        # Live work: clocks running, one overdue, open breaches in different stages.
        for hours, stage, scenario in ((8, "triaged", SCENARIOS[1]), (30, "assessed", SCENARIOS[0]),
                                       (52, "decided", SCENARIOS[6]), (80, "assessed", SCENARIOS[3]),
                                       (24 * 9, "notified", SCENARIOS[7]), (24 * 16, "measures", SCENARIOS[8])):
            _breach(ctx, rng, now, scenario, hours / 24, activities, refs, po, board, fg, reporter, stage=stage)
    # The incident log: incidents that were not breaches, and a few awaiting triage.
    for text, reason in rng.sample(NOT_BREACHES, k=min(len(NOT_BREACHES), 2 + total // 10)):
        noticed = _when(now, rng, rng.uniform(3, 600))
        db.session.add(Incident(reported_by=reporter.id if reporter else None, reported_at=noticed + timedelta(minutes=20),
                                what_happened=text, noticed_at=noticed, status="not_breach", people_estimate="unknown",
                                triaged_by=po.id if po else None, triaged_at=noticed + timedelta(hours=3),
                                triage_reason=reason))
    for text in UNTRIAGED[: 2 if ctx.org.slug == MAIN else rng.randint(0, 1)]:
        noticed = now - timedelta(hours=rng.randint(1, 20))
        db.session.add(Incident(reported_by=reporter.id if reporter else None, reported_at=noticed + timedelta(minutes=15),
                                what_happened=text, noticed_at=noticed, status="new", people_estimate="1"))
    db.session.flush()


STAGES = ("triaged", "assessed", "decided", "notified", "measures", "closed")


def _breach(ctx, rng, now, s, days_ago, activities, refs, po, board, fg, reporter, stage):
    org = ctx.org
    reached = STAGES.index(stage)
    aware = _when(now, rng, days_ago)
    discovered = aware - timedelta(hours=rng.choice((1, 2, 3, 5, 8, 20)))
    justification = None
    if rng.random() < 0.06:
        discovered = aware - timedelta(hours=rng.choice((30, 50)))
        justification = "Eerst is nagegaan of er daadwerkelijk persoonsgegevens betrokken waren; dat bleek pas na navraag bij de ontvanger."
    occurred = discovered - timedelta(hours=rng.choice((0, 1, 4, 24, 72)))
    year = aware.year
    refs[year] = refs.get(year, 0) + 1
    low, high = s["persons"]
    persons_min = rng.randint(low, max(low, (low + high) // 2))
    persons_max = rng.randint(persons_min, high)
    exact = persons_min == persons_max
    activity = activities[s.get("activity_override", s["activity"])]
    incident = Incident(reported_by=(reporter.id if reporter else None), reported_at=discovered + timedelta(minutes=30),
                        what_happened=s["what_happened"], occurred_at=occurred, noticed_at=discovered,
                        people_estimate="1" if persons_max == 1 else ("2-10" if persons_max <= 10 else
                                                                      ("11-100" if persons_max <= 100 else "101-1000")),
                        status="breach", triaged_by=po.id if po else None, triaged_at=aware,
                        triage_reason="Persoonsgegevens zijn bij een onbevoegde terechtgekomen of konden dat.")
    db.session.add(incident)
    db.session.flush()
    breach = Breach(
        reference=f"DL-{year}-{refs[year]:03d}", incident_id=incident.id, processing_activity_id=activity.id,
        title=s["title"], status="open", created_at=aware, incident_type=s["type"], cause=s["cause"],
        what_happened=s["what_happened"], discovery_source="processor" if s.get("processor") else "controller",
        occurrence_mode="specific_day", occurred_from=occurred, discovered_at=discovered, aware_at=aware,
        awareness_justification=justification,
        processor_notified_controller_at=discovered + timedelta(hours=2) if s.get("processor") else None,
    )
    if s.get("processor"):
        breach.aware_at = aware = max(aware, breach.processor_notified_controller_at)
    db.session.add(breach)
    db.session.flush()
    steps = [("establish", aware, None)]
    if reached >= 1:  # the facts, people and data are known and assessed
        breach.cause_description = s["cause_description"]
        breach.nature = list(s["nature"])
        breach.confidentiality_level = s.get("conf") if "confidentiality" in s["nature"] else None
        breach.integrity_level = s.get("integ") if "integrity" in s["nature"] else None
        breach.availability_level = s.get("avail") if "availability" in s["nature"] else None
        breach.unintelligible = s.get("unintelligible", "no")
        breach.measures_in_place = s.get("in_place", ["policies", "training", "access_levels"])
        breach.data_categories, breach.subject_categories = list(s["data"]), list(s["subjects"])
        breach.persons_count_mode = "exact" if exact else "approximate"
        breach.persons_min, breach.persons_max = persons_min, persons_max
        breach.records_count = persons_max * rng.choice((1, 1, 2, 3))
        breach.contained_at = aware + timedelta(hours=rng.choice((1, 2, 4, 8)))
        breach.consequences = s["consequences"]
        breach.impacts = ["loss_of_control", "professional_secrecy"] + (["physical_mental_harm"] if s["risk"] == "high_risk" else [])
        breach.impact_severity = {"high_risk": "severe", "risk": "moderate"}.get(s["risk"], "minor")
        if s.get("police"):
            breach.reported_to_police = True
        if s.get("processor"):
            db.session.add(Party(breach_id=breach.id, role="processor", name="Leverancier cliëntvolgsysteem",
                                 notified_controller_at=breach.processor_notified_controller_at))
        steps += [("contain", breach.contained_at, "Ingeperkt"), ("investigate", aware + timedelta(hours=6), None)]
        adjustment = s.get("adj", 0) if severity.dpc_base(breach.data_categories) < 4 else 0
        result = severity.assess(severity.Inputs(
            data_categories=tuple(breach.data_categories), ease_of_identification=s["ei"], nature=tuple(breach.nature),
            confidentiality_level=breach.confidentiality_level, integrity_level=breach.integrity_level,
            availability_level=breach.availability_level, malicious=s["cause"] in ("internal_malicious", "external_malicious"),
            dpc_adjustment=adjustment, dpc_adjustment_reason=s.get("adj_reason"), persons_max=breach.persons_max,
            unintelligible=breach.unintelligible), breach.subject_categories)
        db.session.add(BreachAssessment(
            breach_id=breach.id, version=1, created_by=po.id if po else None, created_at=aware + timedelta(hours=3),
            dpc_base=result.dpc_base, dpc_adjustment=result.dpc_adjustment,
            dpc_adjustment_reason=s.get("adj_reason") if result.dpc_adjustment else None, dpc_final=result.dpc_final,
            ease_of_identification=result.ease_of_identification, cb_confidentiality=result.cb_confidentiality,
            cb_integrity=result.cb_integrity, cb_availability=result.cb_availability, cb_malicious=result.cb_malicious,
            score=result.score, band=result.band, formula=result.formula(), flag_over_100=result.flag_over_100,
            flag_unintelligible=result.flag_unintelligible, risk_outcome=s["risk"],
            risk_reasoning=_reasoning(s), inputs={"data_categories": breach.data_categories, "nature": breach.nature}))
    notify = s.get("notify", s["risk"] in ("risk", "high_risk"))
    inform = s["risk"] == "high_risk"
    advice = None
    if reached >= 2:
        advice = FgAdvice(breach_id=breach.id, given_by=fg.id if fg else None, given_at=aware + timedelta(hours=5),
                          involved_from=aware + timedelta(hours=1), advise_notify_ap=notify, advise_inform_subjects=inform,
                          advice=_advice(s, notify, inform))
        db.session.add(advice)
        db.session.flush()
        decided = aware + timedelta(hours=rng.choice((6, 10, 20, 30)))
        db.session.add(Decision(breach_id=breach.id, kind="notify_ap", outcome=notify, decided_role="board",
                                decided_by=board.id if board else None, decided_at=decided, fg_advice_id=advice.id,
                                fg_advice_followed=True,
                                reasoning=("Conform het advies van de FG: er is een risico voor de betrokkenen."
                                           if notify else "Conform het advies van de FG: het datalek leidt waarschijnlijk niet tot een risico; "
                                                          "de gegevens waren versleuteld en het toestel is op afstand gewist."),
                                override_note=None if notify or result.score < 2 else
                                "De versleuteling was intact; de score van de methode gaat uit van onbeschermde gegevens."))
        exempt = s.get("exempt")
        db.session.add(Decision(
            breach_id=breach.id, kind="inform_subjects", outcome=inform and not exempt, decided_role="board",
            decided_by=board.id if board else None, decided_at=decided + timedelta(minutes=30), fg_advice_id=advice.id,
            fg_advice_followed=True,
            communication_status=("exempt_art34_3" if exempt else (None if inform else "not_required_not_high_risk")),
            art34_ground=exempt,
            art34_justification=("Individueel informeren vergt een onevenredige inspanning: van oud-cliënten zijn geen actuele "
                                 "contactgegevens meer beschikbaar. In plaats daarvan een openbare mededeling op de website."
                                 if exempt else None),
            art34_evidence="Analyse van de getroffen dossiers door het externe onderzoeksbureau (documentnummer in het archief)." if exempt else None,
            reasoning=("Hoog risico: de betrokkenen worden geïnformeerd zodat zij zich kunnen wapenen tegen de gevolgen."
                       if inform else "Geen hoog risico voor de betrokkenen; informeren is niet vereist.")))
    notifications = []
    if reached >= 3 and notify:
        late = rng.random() < 0.12
        submitted = aware + timedelta(hours=rng.choice((86, 110, 150)) if late else rng.choice((5, 12, 26, 40, 60)))
        if late:
            breach.delay_reason = rng.choice((
                "De melding bij de privacy officer kwam binnen tijdens een feestdagenweekend; de vervanging was niet geregeld.",
                "Eerst is afgewacht of de ontvanger de gegevens had verwijderd; achteraf had de melding eerder gemoeten."))
        ap_ref = f"{submitted.year}-{rng.randint(1000000, 9999999)}"
        incomplete = s.get("incomplete_first", False)
        common = dict(breach_id=breach.id, ap_reference=ap_ref, notifier_name=po.name if po else "Privacy officer",
                      notifier_function="Privacy officer", notifier_phone="030 123 45 67",
                      created_by=po.id if po else None)
        notifications.append(dict(common, kind="initial", sub_type="incomplete" if incomplete else "complete",
                                  submitted_at=submitted, late=submitted > aware + timedelta(hours=72)))
        if incomplete and reached >= 4:
            notifications.append(dict(common, kind="supplement", sub_type="complete",
                                      submitted_at=submitted + timedelta(days=6)))
        steps.append(("notify_ap", submitted, None))
    elif reached >= 2 and not notify:
        steps.append(("notify_ap", aware + timedelta(hours=12), "Besloten niet te melden; zie het besluit."))
    if reached >= 4:
        if inform:
            sent = aware + timedelta(days=rng.choice((1, 2, 4)))
            public = s.get("exempt") == "c_disproportionate_effort"
            db.session.add(SubjectCommunication(
                breach_id=breach.id, channel="public_announcement" if public else "individual", sent_at=sent,
                to_legal_representatives="child_client" in s["subjects"], reach_count=None if public else persons_max,
                all_subjects_reached=not public,
                content=("Op onze website staat een bericht over het datalek: wat er is gebeurd, welke gegevens het betreft, wat "
                         "wij hebben gedaan en wat u zelf kunt doen. Voor vragen kunt u bellen met ons speciale telefoonnummer."
                         if public else
                         "Brief aan de ouders met gezag en, vanaf 12 jaar, aan de jongere zelf: wat er is gebeurd, de mogelijke "
                         "gevolgen, de maatregelen die wij hebben genomen en de contactgegevens van de privacy officer en de FG."),
                proof="Kopie van de verzonden brief en verzendlijst in het archief" if not public else "Schermafdruk van het websitebericht",
                covers_contact_point=True, covers_consequences=True, covers_measures=True))
            steps.append(("inform_subjects", sent, None))
        else:
            steps.append(("inform_subjects", aware + timedelta(hours=12), "Niet vereist: geen hoog risico."))
        for title in s["corrective"]:
            done = aware + timedelta(hours=rng.choice((2, 6, 24, 48)))
            db.session.add(Measure(breach_id=breach.id, kind="corrective", title=title, owner_id=po.id if po else None,
                                   due_date=(aware + timedelta(days=2)).date(), status="done", done_at=min(done, now),
                                   target_incident_type=s["type"], created_at=aware + timedelta(hours=1)))
        for title in s["preventive"]:
            due = (aware + timedelta(days=rng.choice((30, 60, 90, 120)))).date()
            if due < now.date() and rng.random() < 0.88:
                status, done_at = "done", datetime.combine(due - timedelta(days=rng.randint(0, 20)), datetime.min.time(),
                                                           tzinfo=timezone.utc)
            else:
                status, done_at = rng.choice(("planned", "in_progress")), None
            db.session.add(Measure(breach_id=breach.id, kind="preventive", title=title, owner_id=po.id if po else None,
                                   due_date=due, status=status, done_at=done_at, target_incident_type=s["type"],
                                   created_at=aware + timedelta(days=1)))
        if not s["preventive"]:
            breach.prevention_notes = s.get("notes") or ("De bestaande maatregelen (versleuteling, beheer op afstand) "
                                                         "werkten; geen aanvullende maatregel nodig.")
        breach.ended_at = aware + timedelta(days=rng.choice((1, 2, 3)))
        breach.ended_how = s["ended"]
        steps.append(("prevent_recurrence", aware + timedelta(days=3), None))
    if s.get("crisis") and reached >= 3:
        for offset, group, channel, summary in (
                (6, "staff", "intranet", "Medewerkers geïnformeerd over het incident en over wat zij moeten doen bij vragen."),
                (20, "clients", "website", "Bericht op de website met uitleg en een telefoonnummer voor vragen."),
                (30, "commissioners", "e-mail", "Contactpersonen van de gemeenten in de regio op de hoogte gebracht."),
                (48, "partners", "bijeenkomst", "Ketenpartners en zorgaanbieders geïnformeerd tijdens een overleg."),
                (52, "press", "persbericht", "Reactie op vragen van een regionale krant.")):
            at = aware + timedelta(hours=offset)
            if at < now:
                db.session.add(CrisisMessage(breach_id=breach.id, stakeholder=group, at=at, channel=channel, summary=summary,
                                             by_user=po.id if po else None))
    for step, at, note in steps:
        if at <= now:
            db.session.add(HandlingStep(breach_id=breach.id, step=step, done_at=at, done_by=po.id if po else None, note=note))
    db.session.flush()
    record = service.refresh(breach)
    initial_id = None
    for spec in notifications:
        # The frozen copy: the notification sheet as it looked when it was sent.
        payload = apsheet.payload(breach, record, org, spec)
        row = ApNotification(payload=payload, initial_id=initial_id, **spec)
        db.session.add(row)
        db.session.flush()
        initial_id = initial_id or row.id
    if notifications:
        record = service.refresh(breach)
    audit.record("breach.created", "breach", breach.id, meta={"reference": breach.reference, "demo": True})
    if stage == "closed":
        from . import completeness

        if not completeness.missing(breach, record):
            breach.status, breach.closed_at = "closed", min(now, aware + timedelta(days=rng.randint(5, 40)))
            breach.closed_by = po.id if po else None
            audit.record("breach.closed", "breach", breach.id, meta={"demo": True})
    breach.updated_at = breach.closed_at or now


def _reasoning(s) -> str:
    return {
        "high_risk": "Gevoelige gegevens van minderjarigen zijn bij een onbevoegde terechtgekomen of konden dat; de gevolgen "
                     "(stigma, onveiligheid, schade aan het vertrouwen in de hulpverlening) kunnen ernstig zijn.",
        "risk": "Gegevens zijn bij een beperkt aantal bekende ontvangers terechtgekomen; de gevolgen zijn voelbaar maar te "
                "overzien. Geen aanwijzing voor verdere verspreiding.",
        "unlikely_risk": "De gegevens waren versleuteld met een niet-gecompromitteerde sleutel; er is geen aanwijzing dat iemand "
                         "ze heeft kunnen lezen.",
    }[s["risk"]]


def _advice(s, notify, inform) -> str:
    parts = ["Melden bij de AP." if notify else "Niet melden bij de AP: een risico is onwaarschijnlijk."]
    parts.append("Betrokkenen informeren, bij minderjarigen via de ouders met gezag." if inform
                 else "Betrokkenen hoeven niet te worden geïnformeerd.")
    parts.append("Leg de afweging vast in het register en neem een preventieve maatregel op.")
    return " ".join(parts)
