"""Demo data: every demo institution lists its domains; some have a story to tell.

All names are fictional; the servers are those of real Dutch hosting and mail providers so
that the pages look like the real thing. Checks and findings are written as if the daily
checks had run for a while (no network is used while seeding).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from lekwijzer.db import db, utcnow
from lekwijzer.demo import DemoContext, demo_seeder

from .models import AddressScan, Domain, DomainCheck, DomainFinding

TRANSIP = ["ns0.transip.net", "ns1.transip.nl", "ns2.transip.eu"]
MIJNDOMEIN = ["ns1.mijndomein.nl", "ns2.mijndomein.nl", "ns3.mijndomein.nl"]
AXC = ["ns1.axc.nl", "ns2.axc.nl"]
KAPER_NS = ["ns1.parkeer-domein.example", "ns2.parkeer-domein.example"]
KAPER_MX = "mx.catchall-post.example"
REGISTRARS = {"transip": "TransIP B.V. (IANA 1232)", "mijndomein": "Mijndomein Hosting B.V.",
              "axc": "AXC B.V."}


# Which institution tells which story (the rest: a current domain, some an old one still held).
STORIES = {
    "kompas-jeugdzorg": 1,        # mail moved to a new provider without updating the list
    "de-rivier-jeugdhulp": 2,     # a retired .com expiring within the window
    "horizon-jeugd-ggz": 3,       # name servers changed last month, since resolved
    "het-anker-gezinshuizen": 4,  # the registry did not answer for two days
    "stadskind": 5,               # a retired .nl in quarantine at the registry
    "lekkerkerk-opvoedhulp": 1,
    "veilig-verder": 0, "kindkracht": 0, "sterk-huis-jeugd": 0,
}


def _m365(name: str) -> list[str]:
    return [name.replace(".", "-") + ".mail.protection.outlook.com"]


def _dt(d: date, hour: int = 9) -> datetime:
    return datetime(d.year, d.month, d.day, hour, 0, tzinfo=timezone.utc)


def _domain(name, state="current", retired_on=None, systems=(), ns=TRANSIP, mx=None, registrar="transip",
            contact=None, registered=date(2009, 3, 2)) -> Domain:
    domain = Domain(name=name, state=state, retired_on=retired_on, systems=list(systems),
                    registration_contact=contact or "Registratie via de ICT-leverancier; aanspreekpunt: "
                                                    "hoofd Informatiemanagement",
                    expected_registrar=REGISTRARS[registrar].split(" (")[0], expected_ns=list(ns),
                    expected_mx=list(mx if mx is not None else _m365(name)),
                    known_registered_at=_dt(registered), baseline_taken_at=_dt(registered) + timedelta(days=4000))
    db.session.add(domain)
    db.session.flush()
    return domain


def _check(domain: Domain, when: datetime, *, ns=None, mx=None, registrar=None, registered=None,
           status=("active",), expires=None, dns="ok", rdap="ok", mail="mx") -> DomainCheck:
    mx_hosts = mx if mx is not None else domain.expected_mx
    check = DomainCheck(
        domain_id=domain.id, reason="scheduled", started_at=when, finished_at=when + timedelta(seconds=2),
        dns_status=dns, ns=list(ns if ns is not None else domain.expected_ns) if dns == "ok" else [],
        mx=[[10 * (i + 1), h] for i, h in enumerate(mx_hosts)] if dns == "ok" else [],
        soa_mname=(ns or domain.expected_ns or ["ns1.example"])[0] if dns == "ok" else None,
        soa_serial=int(when.strftime("%Y%m%d01")) if dns == "ok" else None,
        mail=(mail if mx_hosts else "none") if dns == "ok" else None,
        rdap_status=rdap, rdap_url=f"https://rdap.sidn.nl/domain/{domain.name}" if domain.name.endswith(".nl")
        else f"https://rdap.verisign.com/com/v1/domain/{domain.name}",
        registry_status=list(status) if rdap == "ok" else [],
        registrar=(registrar or REGISTRARS["transip"]) if rdap == "ok" else None,
        registered_at=(registered or domain.known_registered_at) if rdap == "ok" else None,
        expires_at=expires, last_changed_at=when - timedelta(days=40) if rdap == "ok" else None,
        registry_ns=list(ns if ns is not None else domain.expected_ns) if rdap == "ok" else [],
    )
    db.session.add(check)
    db.session.flush()
    return check


def _finish(domain: Domain, check: DomainCheck, outcome: str) -> None:
    check.outcome = outcome
    domain.last_checked_at, domain.last_check_id = check.finished_at, check.id


def _history(domain: Domain, now: datetime, days: int = 6, **kw) -> DomainCheck:
    check = None
    for n in range(days, -1, -1):
        check = _check(domain, now - timedelta(days=n, hours=2), **kw)
        check.outcome = "ok"
    return check


def _finding(domain, kind, detail, opened, check, resolved=None, seen=1):
    finding = DomainFinding(domain_id=domain.id, kind=kind, detail=detail, opened_at=opened,
                            last_seen_at=resolved or utcnow(), seen_count=seen,
                            opened_check_id=check.id if check else None,
                            notified_at=opened if kind != "check_unknown" or seen > 1 else None,
                            resolved_at=resolved, resolution="cleared" if resolved else None)
    db.session.add(finding)
    db.session.flush()
    return finding


def _svmn_story(ctx: DemoContext, now: datetime) -> None:
    """The lesson itself: an old youth-care bureau domain, let go, now with a catch-all."""
    current = _domain("samenveiligvoorbeeld.nl", systems=["Microsoft 365", "Website", "Cliëntportaal"],
                      registered=date(2017, 11, 20))
    _finish(current, _history(current, now), "ok")
    bjz = _domain("bjz-voorbeeld.nl", state="retired", retired_on=date(2018, 10, 1),
                  systems=["Crisistool (crisisplaatsingen, meldingen per e-mail)",
                           "VoIP-telefooncentrale (voicemail per e-mail)", "Oude Exchange-server"],
                  registered=date(2004, 5, 12), mx=[])
    bjz.notes = ("Opgezegd bij de overgang naar Samen Veilig. Er staan mogelijk nog @bjz-voorbeeld.nl-adressen "
                 "in adreslijsten van systemen en ketenpartners.")
    # Checks from before the lapse: still ours, no mail servers.
    for n in (9, 8):
        c = _check(bjz, now - timedelta(days=n, hours=3), mx=[], mail="none", registrar=REGISTRARS["transip"])
        c.outcome = "ok"
    opened = now - timedelta(days=7, hours=3)
    taken = _check(bjz, opened, ns=KAPER_NS, mx=[KAPER_MX], registrar="Domeinparkeer Nederland B.V.",
                   registered=_dt(date.today() - timedelta(days=8), 14))
    taken.probe = "accepts_random"
    for n in range(6, -1, -1):
        c = _check(bjz, now - timedelta(days=n, hours=3), ns=KAPER_NS, mx=[KAPER_MX],
                   registrar="Domeinparkeer Nederland B.V.", registered=taken.registered_at)
        c.probe, c.outcome = "accepts_random", "findings"
    taken.outcome = "findings"
    _finish(bjz, c, "findings")
    _finding(bjz, "registration_changed", {"reasons": ["registrar", "registered_again"],
                                           "registrar": "Domeinparkeer Nederland B.V.",
                                           "registered_at": taken.registered_at.isoformat()}, opened, taken, seen=8)
    _finding(bjz, "ns_unlisted", {"hosts": KAPER_NS}, opened, taken, seen=8)
    _finding(bjz, "mx_unlisted", {"hosts": [KAPER_MX], "catch_all": True}, opened, taken, seen=8)

    flevo = _domain("bjzflevo-voorbeeld.nl", state="retired", retired_on=date(2019, 4, 9),
                    systems=["Oude Exchange-server"], mx=["catchall.samenveiligvoorbeeld.nl"],
                    registered=date(2006, 2, 1),
                    contact="Bewust aangehouden tot 2029; catch-all alleen leesbaar voor de FG en het "
                            "hoofd Informatiemanagement")
    _finish(flevo, _history(flevo, now), "ok")
    # Address scans the privacy officer ran after the warning.
    for days, system, rows, hits in ((6, "Crisistool", 18234, 37), (5, "Telefooncentrale", 412, 11),
                                     (1, "Crisistool", 18190, 0)):
        db.session.add(AddressScan(created_at=now - timedelta(days=days), created_by=ctx.users["privacy_officer"].id,
                                   system=system, rows=rows, addresses=rows + rows // 3, hits=hits,
                                   unique_hits=max(0, hits - hits // 4),
                                   by_domain={"bjz-voorbeeld.nl": hits} if hits else {},
                                   by_system={system: hits} if hits else {}, seconds=0.4))


@demo_seeder
def seed_domains(ctx: DemoContext) -> None:
    now = utcnow()
    org = ctx.org
    if org.slug == "samen-veilig-voorbeeld":
        _svmn_story(ctx, now)
        return
    rng = ctx.rng
    base = org.slug.replace("-", "") + ".nl"
    ns, registrar = rng.choice([(TRANSIP, "transip"), (MIJNDOMEIN, "mijndomein"), (AXC, "axc")])
    current = _domain(base, systems=["Microsoft 365", "Website", "ECD (elektronisch cliëntdossier)"],
                      ns=ns, registrar=registrar, registered=date(2008 + rng.randrange(10), rng.randrange(1, 13), 5))
    story = STORIES.get(org.slug, 0 if rng.random() < 0.4 else -1)
    if story == 1:
        # Mail moved to a new provider, but nobody updated the list: the change shows.
        check = _history(current, now, days=3, registrar=REGISTRARS[registrar], ns=ns,
                         mx=["mx1.hostnet.nl", "mx2.hostnet.nl"])
        check.outcome = "findings"
        _finish(current, check, "findings")
        _finding(current, "mx_unlisted", {"hosts": ["mx1.hostnet.nl", "mx2.hostnet.nl"]},
                 now - timedelta(days=3, hours=2), check, seen=4)
    elif story == 4:
        # The registry did not answer for two days.
        check = _history(current, now, days=4, registrar=REGISTRARS[registrar], ns=ns)
        for n in (1, 0):
            check = _check(current, now - timedelta(days=n, hours=1), ns=ns, rdap="timeout")
            check.outcome = "unknown"
        _finish(current, check, "unknown")
        _finding(current, "check_unknown", {"rdap": "timeout"}, now - timedelta(days=1, hours=1), check, seen=2)
    else:
        _finish(current, _history(current, now, registrar=REGISTRARS[registrar], ns=ns), "ok")

    if story in (0, 2, 3):
        # An older name from before a merger, retired but still held.
        old = f"oud-{base}" if story != 2 else base.replace(".nl", "-jeugd.com")
        retired = _domain(old, state="retired", retired_on=date(2016 + rng.randrange(6), rng.randrange(1, 13), 1),
                          systems=["Oude mailserver", "Nieuwsbriefsysteem"], ns=ns, registrar=registrar, mx=[],
                          registered=date(2003 + rng.randrange(5), 6, 1))
        if story == 2:
            # A .com that ends soon: renew or make sure nothing mails it.
            expires = now + timedelta(days=23)
            check = _history(retired, now, days=2, ns=ns, mx=[], mail="none", registrar=REGISTRARS[registrar],
                             expires=expires)
            check.outcome = "findings"
            _finish(retired, check, "findings")
            _finding(retired, "expiring", {"expires_at": expires.isoformat(), "days": 23},
                     now - timedelta(days=2, hours=2), check, seen=3)
        elif story == 3:
            # Name servers changed last month; the registrar confirmed the move and they were listed.
            check = _history(retired, now, ns=ns, mx=[], mail="none", registrar=REGISTRARS[registrar])
            _finish(retired, check, "ok")
            _finding(retired, "ns_unlisted", {"hosts": ["ns1.nieuwe-hoster.example"]},
                     now - timedelta(days=34), None, resolved=now - timedelta(days=31), seen=3)
        else:
            _finish(retired, _history(retired, now, ns=ns, mx=[], mail="none", registrar=REGISTRARS[registrar]),
                    "ok")
    elif story == 5:
        # Cancelled at the registry: in quarantine at SIDN, about to be free for anyone.
        old = base.replace(".nl", "-jeugdhulp.nl")
        retired = _domain(old, state="retired", retired_on=date.today() - timedelta(days=50),
                          systems=["Intake-formulier website"], ns=ns, registrar=registrar, mx=[],
                          registered=date(2012, 9, 14))
        check = _history(retired, now, days=1, ns=ns, mx=[], mail="none", registrar=REGISTRARS[registrar],
                         status=("inactive", "redemption period"))
        check.outcome = "findings"
        _finish(retired, check, "findings")
        _finding(retired, "expiring", {"status": "redemption_period"}, now - timedelta(days=1, hours=2), check,
                 seen=2)
