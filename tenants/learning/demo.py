"""Demo data for the PDCA cycle: a living sector, fictional and in Dutch.

For every demo institution (whose breaches come from the register's demo seeder, made
through the workflow's own rules): an awareness campaign for some, preventive measures aimed
at the frequent types — most of which visibly work — improvement plans (for the main
institution the six recommendations of an external investigation after a large breach,
modelled on COT's recommendations to SVMN), reporting-policy versions (some stale, one
in which the FG decides, as the AP found), reporting changes, judgements, board reports
(rendered as PDF by the report job) and access for the commissioning region.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from lekwijzer import audit
from lekwijzer.db import db
from lekwijzer.demo import DemoContext, demo_seeder
from lekwijzer.jobs import enqueue
from lekwijzer.models import Org, OrgKind
from tenants.register.models import Breach, Measure

from .models import (BoardReport, CommissionerGrant, ImprovementPlan, MeasureEvidence, MeasureJudgement,
                     PlanRecommendation, PolicyReview, RecommendationMeasure, ReportingEvent, ReportingPolicy,
                     StatusChange)
from .periods import Period, add_months, today_local

UTC = timezone.utc

# type: (title of a preventive measure, how much it lowers that type, evidence)
PREVENTIVE = {
    "sent_by_mistake": ("Vertraagd verzenden en waarschuwing bij externe ontvangers in de mailclient", 0.45,
                        "Configuratie uitgerold naar alle medewerkers, wijzigingsverzoek afgerond"),
    "mail_misdelivered": ("Adrescontrole in het cliëntsysteem vóór verzending van brieven", 0.55,
                          "Werkinstructie en controlestap in het cliëntsysteem"),
    "email_open_distribution": ("Groepsberichten alleen via bcc of het berichtenportaal", 0.35,
                                "Instructie op intranet en blokkade van grote cc-lijsten"),
    "device_lost_or_stolen": ("Versleuteling en wissen op afstand voor alle mobiele apparaten", 0.8,
                              "Rapport uit het beheer van mobiele apparaten: 100% versleuteld"),
    "phishing_social_engineering": ("Meerfactorauthenticatie en phishingsimulaties voor alle medewerkers", 0.4,
                                    "Rapport phishingsimulatie en MFA-dekking"),
    "paper_lost_stolen_insecure": ("Clean-desk-afspraken en afsluitbare kasten op alle locaties", 0.9,
                                   "Rondgang op locaties, verslag facilitair"),
    "abuse_of_access_by_employee": ("Logging van inzage en maandelijkse steekproef door de privacy officer", 0.5,
                                    "Steekproefverslagen van de afgelopen maanden"),
}

COT_RECOMMENDATIONS = [
    ("Stel uitgangspunten op voor het handelen van professionals met persoonsgegevens",
     [("Uitgangspunten opgesteld met medewerkers en cliëntenraad", "done", -200),
      ("Uitgangspunten opgenomen in het informatiebeveiligingsbeleid", "done", -120)]),
    ("Verstevig het risicobeheer voor informatiebeveiliging",
     [("Risicoanalyse van het crisisdossier en de meldingensystemen", "done", -150),
      ("Vastgelegde risicoacceptatie door het bestuur", "in_progress", 25)]),
    ("Borg informatiebeveiliging: toets periodiek en leg verantwoording af",
     [("Jaarlijkse interne audit informatiebeveiliging", "done", -60),
      ("Halfjaarlijkse verantwoording aan de raad van toezicht", "planned", -10)]),
    ("Betrek cliënten bij de doorontwikkeling van informatieveiligheid",
     [("Adviesaanvraag aan de cliëntenraad over het gebruik van gegevens", "done", -90)]),
    ("Betrek opdrachtgevers bij de doorontwikkeling van informatieveiligheid",
     [("Voortgang verbeterplan elk kwartaal in de ambtelijke stuurgroep", "in_progress", 40),
      ("Afspraken over informeren van gemeenten bij een groot datalek", "done", -30)]),
    ("Organiseer jaarlijks crisisoefeningen over een omvangrijk datalek",
     [("Crisisoefening datalek met bestuur en communicatie", "done", -45),
      ("Draaiboek crisiscommunicatie bijgewerkt", "planned", 60)]),
]

AP_RECOMMENDATIONS = [
    ("Maak het datalekregister volledig: oorzaak, gevolgen en maatregelen per datalek",
     [("Verplichte velden in het register en controle door de privacy officer", "done", -100)]),
    ("Betrek de FG vanaf het begin, zonder dat de FG beslist",
     [("Meldbeleid aangepast: bestuur beslist na advies FG", "done", -80)]),
    ("Rapporteer minstens twee keer per jaar aan het bestuur",
     [("Bestuursrapportage datalekken in de jaarplanning", "done", -70)]),
]


def _at(day: date, hour: float = 10.0) -> datetime:
    return datetime.combine(day, time(0, 0), UTC) + timedelta(hours=hour)


@demo_seeder
def seed_learning(ctx: DemoContext) -> None:
    org, rng = ctx.org, ctx.rng
    today = today_local()
    start = Period.half_year_of(today).start.replace(year=Period.half_year_of(today).start.year - 2)
    main = org.slug == "samen-veilig-voorbeeld"
    profile = _profile(org, rng)
    users = ctx.users
    officer = users.get("privacy_officer")
    board = users.get("board")

    measures = _preventive_measures(org, rng, start, today, officer)
    _campaign(today, profile)  # the breaches themselves come from the register's demo seeder
    _corrective_and_late_measures(rng, today, officer)
    _judgements(rng, today, measures, officer)
    plans = _plans(org, rng, today, measures, officer, main, profile)
    _policy(org, rng, today, officer, profile)
    _reports(org, rng, today, officer, board, profile)
    _grants(org, rng, officer, profile)
    db.session.flush()
    audit.record("demo.learning_seeded", "org", org.id, meta={"plans": plans}, actor=("system", None))


def _profile(org: Org, rng) -> dict:
    """How this institution is doing: the sector is mixed, as the AP found."""
    slug = org.slug
    return {
        "stale_policy": slug in ("het-anker-gezinshuizen", "thuisbasis", "jongerenhuis-oost", "vrij-baan"),
        "fg_decides": slug == "de-brug-dagbehandeling",
        "no_plans": slug in ("thuisbasis", "jongerenhuis-oost", "het-anker-gezinshuizen", "vrij-baan", "de-brug-dagbehandeling"),
        "no_reports": slug in ("thuisbasis", "het-anker-gezinshuizen", "jongerenhuis-oost"),
        "report_late": slug in ("vrij-baan", "de-brug-dagbehandeling", "lekkerkerk-opvoedhulp"),
        "campaign": slug in ("samen-veilig-voorbeeld", "kompas-jeugdzorg", "stadskind"),
        "no_grant": slug in ("thuisbasis", "jongerenhuis-oost"),
        "withdrawn": slug == "vrij-baan",
    }


def _preventive_measures(org, rng, start: date, today: date, officer) -> list[Measure]:
    """Preventive measures aimed at the frequent types, implemented over the history."""
    out = []
    kinds = list(PREVENTIVE)
    rng.shuffle(kinds)
    count = 3 if (org.employees or 0) < 100 else 6
    span = (today - start).days
    for i, kind in enumerate(kinds[:count]):
        title, _, _ = PREVENTIVE[kind]
        done_day = start + timedelta(days=int(span * (0.2 + 0.6 * i / max(1, count - 1))) + rng.randint(-20, 20))
        m = Measure(id=uuid.uuid4(), kind="preventive", title=title, status="done", owner_id=officer.id if officer else None,
                    created_at=_at(done_day - timedelta(days=rng.randint(60, 120))), due_date=done_day + timedelta(days=rng.choice((-5, 0, 10))),
                    done_at=_at(done_day, 15), target_incident_type=kind,
                    description="Preventieve maatregel uit de PDCA-analyse van het datalekregister.")
        db.session.add(m)
        out.append(m)
    db.session.flush()
    for m in out:
        db.session.add(StatusChange(subject="measure", subject_id=m.id, from_status=None, to_status="planned",
                                    changed_at=m.created_at, changed_by=officer.id if officer else None))
        db.session.add(StatusChange(subject="measure", subject_id=m.id, from_status="planned", to_status="done",
                                    changed_at=m.done_at, changed_by=officer.id if officer else None))
        db.session.add(MeasureEvidence(measure_id=m.id, description=PREVENTIVE[m.target_incident_type][2],
                                       location="Documentbeheer / Privacy / Maatregelen", added_at=m.done_at,
                                       added_by=officer.id if officer else None))
    return out


def _campaign(today: date, profile: dict) -> None:
    """An awareness campaign half a year ago, for the institutions that ran one: the PDCA
    pages show it beside the rise in reports that followed."""
    if profile["campaign"]:
        db.session.add(ReportingEvent(occurred_on=Period.half_year_of(today).previous().start + timedelta(days=40),
                                      kind="awareness_campaign",
                                      description="Campagne 'Meld het gewoon': posters, teamoverleggen en een e-learning."))


def _corrective_and_late_measures(rng, today: date, officer) -> None:
    breaches = db.session.execute(sa.select(Breach.id, Breach.aware_at, Breach.incident_type)
                                  .where(Breach.severity_band.in_(("high", "very_high")))).all()
    for breach_id, aware, kind in breaches:
        if aware is None or rng.random() < 0.4:
            continue
        done = aware + timedelta(days=rng.randint(1, 6))
        db.session.add(Measure(kind="corrective", breach_id=breach_id, title="Ontvanger verzocht de gegevens te verwijderen en bevestiging ontvangen",
                               status="done" if done.date() < today else "in_progress", done_at=done if done.date() < today else None,
                               due_date=(aware + timedelta(days=5)).date(), created_at=aware + timedelta(hours=4),
                               owner_id=officer.id if officer else None))
    for i, (title, days) in enumerate((("Training dataminimalisatie voor gedragswetenschappers", -35),
                                       ("Bewaartermijnen in het archief toepassen", -12),
                                       ("Verwerkersovereenkomst met de leverancier van het cliëntportaal", 45))):
        if rng.random() < 0.3:
            continue
        db.session.add(Measure(kind="preventive", title=title, status="planned" if days < 0 else "in_progress",
                               due_date=today + timedelta(days=days), created_at=_at(today - timedelta(days=120 + 10 * i)),
                               owner_id=officer.id if officer else None))
    db.session.flush()


def _judgements(rng, today: date, measures: list[Measure], officer) -> None:
    from .figures import effectiveness
    from .analysis import load_dataset

    rows = {r["measure_id"]: r for r in effectiveness(load_dataset(), 6, _at(today, 12))}
    for m in measures:
        r = rows.get(str(m.id))
        if r is None or not r["window_complete"] or rng.random() < 0.25:
            continue  # some wait for a judgement: the page says so
        verdict = r["suggestion"] or "too_early"
        follow_up = None
        if verdict == "did_not_work":
            follow_up = Measure(id=uuid.uuid4(), kind="preventive", status="planned", target_incident_type=m.target_incident_type,
                                title="Aanvullende maatregel: " + m.title[0].lower() + m.title[1:80],
                                due_date=today + timedelta(days=60), created_at=m.done_at + timedelta(days=200),
                                owner_id=officer.id if officer else None)
            db.session.add(follow_up)
            db.session.flush()
        reasoning = {
            "worked": "Het aantal datalekken van dit type is na de invoering duidelijk gedaald; medewerkers gebruiken de maatregel.",
            "did_not_work": "Geen duidelijke daling; de maatregel wordt niet overal gebruikt. Een aanvullende maatregel is nodig.",
            "too_early": "De aantallen zijn te klein om nu al iets te zeggen.",
        }[verdict]
        db.session.add(MeasureJudgement(measure_id=m.id, verdict=verdict, reasoning=reasoning, window_months=6,
                                        before_count=r["before"], after_count=r["after"], after_days=r["after_days"],
                                        follow_up_measure_id=follow_up.id if follow_up else None,
                                        judged_at=add_months(m.done_at, 6) + timedelta(days=14),
                                        judged_by=officer.id if officer else None))
    db.session.flush()


def _plan(title, source, reference, started: date, target, status, officer, recs, today: date, measures_by_type=None):
    plan = ImprovementPlan(id=uuid.uuid4(), shared_title=title, source=source, source_reference=reference, status=status,
                           started_on=started, target_date=target, owner_id=officer.id if officer else None,
                           description="Het plan wordt elk kwartaal besproken in het managementteam.",
                           created_at=_at(started), completed_at=_at(target) if status == "completed" else None)
    db.session.add(plan)
    db.session.flush()
    db.session.add(StatusChange(subject="plan", subject_id=plan.id, to_status="active", changed_at=_at(started)))
    if status == "completed":
        db.session.add(StatusChange(subject="plan", subject_id=plan.id, from_status="active", to_status="completed",
                                    changed_at=_at(target)))
    for pos, (rec_title, items) in enumerate(recs, start=1):
        rec = PlanRecommendation(id=uuid.uuid4(), plan_id=plan.id, position=pos, shared_title=rec_title)
        db.session.add(rec)
        db.session.flush()
        for item in items:
            if isinstance(item, Measure):
                m, shared = item, item.title
            else:
                shared, status_, days, target = (*item, None)[:4]
                due = today + timedelta(days=days)
                m = Measure(id=uuid.uuid4(), kind="preventive", title=shared, status=status_, due_date=due,
                            target_incident_type=target,
                            created_at=_at(started), owner_id=officer.id if officer else None,
                            done_at=_at(due - timedelta(days=3)) if status_ == "done" else None)
                db.session.add(m)
                db.session.flush()
                if status_ == "done":
                    db.session.add(MeasureEvidence(measure_id=m.id, description="Vastgelegd in het verslag van het MT.",
                                                   location="Documentbeheer / Verbeterplan", added_at=m.done_at))
            db.session.add(RecommendationMeasure(recommendation_id=rec.id, measure_id=m.id, shared_title=shared))
    db.session.flush()
    return plan


def _plans(org, rng, today: date, measures, officer, main: bool, profile: dict) -> int:
    if profile["no_plans"]:
        return 0
    count = 0
    last_half = Period.half_year_of(today).previous()
    if main:
        _plan("Verbeterplan na extern onderzoek naar een groot datalek (zes aanbevelingen)", "external_investigation",
              "Rapport extern onderzoek gegevensbescherming, in opdracht van de samenwerkende jeugdregio's",
              today - timedelta(days=300), today + timedelta(days=120), "active", officer, COT_RECOMMENDATIONS, today)
        count += 1
    older = [m for m in measures if m.done_at.date() < last_half.start]
    recent = [m for m in measures if m.done_at.date() >= last_half.start]
    if older:
        first = min(m.done_at.date() for m in older)
        _plan(f"PDCA-verbeterplan {first.year}", "pdca", "Analyse datalekregister, bestuursrapportage",
              first - timedelta(days=90), max(m.done_at.date() for m in older) + timedelta(days=20), "completed", officer,
              [("Minder datalekken van de meest voorkomende typen", older)], today)
        count += 1
    _plan(f"PDCA-verbeterplan {last_half.short_label()}", "pdca", "Analyse datalekregister, bestuursrapportage",
          last_half.start + timedelta(days=20), last_half.end + timedelta(days=180), "active", officer,
          [("Minder misadressering van post en e-mail",
            [("Controle van het adres bij elke nieuwe rapportage", "in_progress", 30, "mail_misdelivered"),
             ("Training veilig mailen voor nieuwe medewerkers", "done", -25, "sent_by_mistake")] + recent[:1]),
           ("Ernstige datalekken sneller herkennen en melden",
            [("Meldknop voor incidenten op intranet en in de app", "done", -60, None),
             ("Casuïstiek datalekken elk kwartaal in het teamoverleg", "planned", -8, None)])], today)
    count += 1
    if org.slug in ("kompas-jeugdzorg", "veilig-verder", "horizon-jeugd-ggz"):
        _plan("Afspraken met de AP na het onderzoek naar datalekken in de jeugdzorg", "ap_request",
              "Brief van de AP, 2024", date(2024, 11, 1), date(2025, 9, 30), "completed", officer,
              [(t, [(mt, "done", -400 + 20 * i)]) for i, (t, items) in enumerate(AP_RECOMMENDATIONS) for mt, _, _ in items[:1]],
              today)
        count += 1
    if org.slug in ("kindkracht", "sterk-huis-jeugd", "pleegzorg-midden"):
        _plan("Opvolging audit informatiebeveiliging (NEN 7510)", "audit", "Auditrapport certificerende instelling",
              today - timedelta(days=200), today + timedelta(days=90), "active", officer,
              [("Toegangsrechten periodiek herzien", [("Kwartaalreview van autorisaties in het cliëntsysteem", "in_progress", 20)]),
               ("Leveranciers beter beheren", [("Verwerkersovereenkomsten actueel en vastgelegd", "done", -40)])], today)
        count += 1
    return count


def _policy(org, rng, today: date, officer, profile: dict) -> None:
    if profile["stale_policy"]:
        versions = [("1.0", date(2019, 4, 1)), ("1.1", date(2020, 2, 15))]
    else:
        versions = [("1.0", date(2019, 6, 1)), ("2.0", date(2022, 3, 1)),
                    ("3.0", today - timedelta(days=rng.randint(120, 330)))]
    for i, (label, adopted) in enumerate(versions):
        last = i == len(versions) - 1
        fg_decides = profile["fg_decides"] and last
        row = ReportingPolicy(version_label=label, adopted_on=adopted, adopted_by_body="board",
                              adopted_by_name="Voorzitter raad van bestuur", fg_involved=not (profile["stale_policy"] and last),
                              decision_role="fg" if fg_decides else "board", next_review_on=add_months(adopted, 12),
                              document_reference=f"Intranet / Beleid / Meldbeleid datalekken v{label}",
                              summary="Werkwijze melden, beoordelen en registreren van datalekken; rolverdeling bestuur en FG.",
                              created_by=officer.id if officer else None)
        db.session.add(row)
        db.session.flush()
        if last and not profile["stale_policy"] and rng.random() < 0.5:
            reviewed = adopted + timedelta(days=rng.randint(60, 100))
            if reviewed <= today:
                db.session.add(PolicyReview(policy_id=row.id, reviewed_on=reviewed, outcome="unchanged",
                                            next_review_on=add_months(reviewed, 12), reviewed_by=officer.id if officer else None,
                                            note="Besproken met FG en CISO; geen wijzigingen nodig."))
    if rng.random() < 0.5:
        db.session.add(ReportingEvent(occurred_on=today - timedelta(days=rng.randint(200, 500)), kind="training",
                                      description="E-learning privacy en datalekken voor alle medewerkers."))
    db.session.flush()


def _reports(org, rng, today: date, officer, board, profile: dict) -> None:
    """Board reports, generated as PDF by the report job (inline in the embedded demo)."""
    if profile["no_reports"]:
        return
    last = Period.half_year_of(today).previous()
    periods = [last.previous(), last] if org.slug == "samen-veilig-voorbeeld" else [last]
    if profile["report_late"]:
        periods = [last.previous().previous()]
    for p in periods:
        signed_at = _at(p.end + timedelta(days=rng.randint(50, 75)), 16)
        if signed_at.date() > today:
            signed_at = None
        report = BoardReport(id=uuid.uuid4(), period_start=p.start, period_end=p.last_day, compare_periods=1,
                             language="nl", status="queued", requested_by=officer.id if officer else None,
                             requested_at=_at(p.end + timedelta(days=30)), snapshot={"include_names": False},
                             signed_by=board.id if (board and signed_at) else None, signed_at=signed_at,
                             sign_note="Besproken in de vergadering van de raad van bestuur." if signed_at else None)
        db.session.add(report)
        # Rendering a PDF takes seconds: the main institution's now, the others' a little
        # later through the clock (scripts/demo runs it), so seeding stays quick.
        later = None if org.slug == "samen-veilig-voorbeeld" else datetime.now(UTC) + timedelta(seconds=20)
        row = enqueue("learning.board_report", tenant_id=org.id, board_report_id=report.id, mode="full",
                      run_after=later)
        report.job_id = row.id
    db.session.flush()


def _grants(org, rng, officer, profile: dict) -> None:
    if profile["no_grant"] or not org.region_code:
        return
    commissioner = db.session.scalar(sa.select(Org).where(Org.kind == OrgKind.commissioner,
                                                          Org.region_code == org.region_code))
    if commissioner is None:
        return
    grant = CommissionerGrant(commissioner_org_id=commissioner.id, granted_by=officer.id if officer else None,
                              granted_at=datetime.now(UTC) - timedelta(days=rng.randint(100, 400)))
    if profile["withdrawn"]:
        grant.withdrawn_at = datetime.now(UTC) - timedelta(days=20)
    db.session.add(grant)
    db.session.flush()
