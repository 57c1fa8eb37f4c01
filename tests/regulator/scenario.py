"""A small sector with planted discrepancies, and the exact findings they must produce.

Nine institutions (A and B of the test world plus seven more), each with register
entries, and the AP's intake export for the first half of 2026. Every flaw below is
planted on purpose; everything else is a clean, complete, on-time register entry whose
notification the AP received. `EXPECTED` lists every finding reconciliation must report
— no more, no fewer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from lekwijzer.db import db
from lekwijzer.models import Org, OrgKind
from lekwijzer.tenancy import tenant_scope
from tenants.oversight.governance import Governance

from .factory import day, entry, received  # noqa: F401  (received: used by tests through this module)

PERIOD = (date(2026, 1, 1), date(2026, 6, 30))
SHORT = "Mail verkeerd verstuurd."
NO_NOTIFY = "Geen risico: de gegevens waren versleuteld en de sleutel is niet gelekt."

# key -> (KvK, employees, clients a year); a and b exist in the test world already.
EXTRA = {
    "c": ("44444441", 300, 1000), "d": ("44444442", 180, 700), "e": ("44444443", 80, 450),
    "f": ("44444444", 60, 300), "g": ("44444445", 150, 850), "h": ("44444446", 40, 200),
    "u": ("44444449", 2000, 8000),
}

# (kind, institution key, register entry or AP reference, detail); matched notifications are
# counted per institution and matching method: (matched, institution key, method, number).
EXPECTED = {
    # AP-A-1, 2, 3; AP-B-1, 300, 400 (B-200 by time: the register has an internal number); AP-C-2, 3
    # (C-1 by awareness and type: never registered as notified); AP-D-1, 2; E-1, F-1, G-1, G-2, H-1, U-1
    ("matched", "a", "reference", 3), ("matched", "b", "reference", 3), ("matched", "b", "time_window", 1),
    ("matched", "c", "reference", 2), ("matched", "c", "awareness_type", 1), ("matched", "d", "reference", 2),
    *{("matched", k, "reference", n) for k, n in [("e", 1), ("f", 1), ("g", 2), ("h", 1), ("u", 1)]},
    ("ap_received_but_not_in_register", "a", "AP-A-777", None),
    ("register_says_notified_but_ap_missing", "a", "A4", None),
    ("late_without_reason", "a", "A3", None),
    ("incomplete_entry", "a", "A3", "delay_reason"),
    ("incomplete_entry", "a", "A5", "cause,consequences"),
    ("description_too_short", "a", "A6", None),
    ("field_mismatch", "b", "AP-B-200", "reference"),
    ("withdrawn", "b", "AP-B-300", "recorded"),
    ("high_risk_without_subject_communication", "b", "B4", None),
    ("register_notify_yes_never_sent", "b", "B5", None),
    ("field_mismatch", "c", "AP-C-1", "notification_not_in_register"),
    ("field_mismatch", "c", "AP-C-2", "persons_count"),
    ("breach_not_ended", "c", "C3", None),
    ("policy_stale", "d", None, None),
    ("missing_corrective_measures", "d", "D3", None),
    ("incomplete_entry", "d", "D3", "corrective_measure"),
    ("policy_fg_decides", "e", None, None),
    ("risk_without_reasoning", "e", "E2", None),
    ("no_board_report", "f", None, None),
    ("under_reporting", "u", None, "employees,clients"),
}


@dataclass
class Scenario:
    orgs: dict = field(default_factory=dict)  # key -> org id
    kvk: dict = field(default_factory=dict)  # key -> KvK
    entries: dict = field(default_factory=dict)  # "A3" -> breach id
    rows: list = field(default_factory=list)  # the AP's intake rows

    def governance(self, ids, now):
        """A stub of the learning feature's answer: D's policy is stale, E lets the FG decide,
        F has signed no board report; everyone else is in order."""
        recent = now - timedelta(days=60)
        answers = {}
        for key, org_id in self.orgs.items():
            answers[org_id] = Governance(policy_stale=key == "d", policy_fg_decides=key == "e",
                                         last_report_signed_at=None if key == "f" else recent, reports_known=True)
        return {i: answers[i] for i in ids if i in answers}

    def describe(self, finding) -> tuple:
        """A kept finding as (kind, institution key, entry key or AP reference, detail)."""
        by_id = {v: k for k, v in self.orgs.items()}
        by_breach = {v: k for k, v in self.entries.items()}
        if finding.kind == "matched":
            return (finding.kind, by_id.get(finding.institution_id), finding.match_method, finding.notifications)
        institution_level = finding.kind in ("policy_stale", "policy_fg_decides", "no_board_report", "under_reporting")
        if institution_level:
            what = None
        elif finding.ap_reference:
            what = finding.ap_reference
        else:
            what = by_breach.get(finding.breach_id, str(finding.breach_id))
        return (finding.kind, by_id.get(finding.institution_id), what, finding.detail)


def _ok(sc: Scenario, key: str, name: str, ref: str, aware: datetime) -> None:
    """A clean entry, notified after 30 hours, and the AP's matching receipt."""
    sent = aware + timedelta(hours=30)
    sc.entries[name] = entry(aware=aware, notified=[("initial", ref, sent)]).id
    sc.rows.append(received(ref, sc.kvk[key], sent + timedelta(minutes=5), aware_at=aware))


def build(world) -> Scenario:
    """Create the institutions, their registers and the AP's rows (inside an app context)."""
    sc = Scenario()
    for key in ("a", "b"):
        sc.orgs[key] = world.orgs[key].id
        sc.kvk[key] = world.orgs[key].kvk
    for key, (kvk, employees, clients) in EXTRA.items():
        org = Org(slug=f"org-{key}x", name=f"Instelling {key.upper()}", kind=OrgKind.institution, kvk=kvk,
                  employees=employees, clients_per_year=clients, region_code="regio-a")
        db.session.add(org)
        db.session.flush()
        sc.orgs[key], sc.kvk[key] = org.id, kvk
    db.session.commit()

    d = lambda m, dd, h=10: day(date(2026, m, dd), h)  # noqa: E731
    with tenant_scope(sc.orgs["a"]):
        _ok(sc, "a", "A1", "AP-A-1", d(2, 2))
        aware = d(2, 10)
        sc.entries["A2"] = entry(aware=aware, notified=[("initial", "AP-A-2", aware + timedelta(hours=100))],
                                 delay_reason="Het onderzoek naar de omvang duurde langer dan verwacht.").id
        sc.rows.append(received("AP-A-2", sc.kvk["a"], aware + timedelta(hours=100, minutes=5), aware_at=aware))
        aware = d(3, 1)
        sc.entries["A3"] = entry(aware=aware, notified=[("initial", "AP-A-3", aware + timedelta(hours=120))]).id
        sc.rows.append(received("AP-A-3", sc.kvk["a"], aware + timedelta(hours=120, minutes=5), aware_at=aware))
        aware = d(3, 10)
        sc.entries["A4"] = entry(aware=aware, notified=[("initial", "AP-A-404", aware + timedelta(hours=20))]).id
        sc.rows.append(received("AP-A-777", sc.kvk["a"], d(4, 2), aware_at=d(4, 1), incident_type="ransomware",
                                persons=(100, 500)))
        sc.entries["A5"] = entry(aware=d(4, 10), cause="tbd", consequences=None, notify=False,
                                 risk_outcome="unlikely_risk", no_notification_reasoning=NO_NOTIFY).id
        sc.entries["A6"] = entry(aware=d(4, 20), what_happened=SHORT, notify=False, risk_outcome="unlikely_risk",
                                 no_notification_reasoning=NO_NOTIFY).id
    with tenant_scope(sc.orgs["b"]):
        _ok(sc, "b", "B1", "AP-B-1", d(1, 15))
        aware = d(2, 5)
        sc.entries["B2"] = entry(aware=aware, notified=[("initial", "B-INTERN-7", d(2, 6, 9))]).id
        sc.rows.append(received("AP-B-200", sc.kvk["b"], d(2, 6, 11), aware_at=aware))
        aware = d(3, 3)
        sc.entries["B3"] = entry(aware=aware, notified=[("initial", "AP-B-300", aware + timedelta(hours=24)),
                                                        ("withdrawal", "AP-B-300", aware + timedelta(days=5))]).id
        sc.rows.append(received("AP-B-300", sc.kvk["b"], aware + timedelta(hours=24, minutes=3), aware_at=aware))
        sc.rows.append(received("AP-B-300", sc.kvk["b"], aware + timedelta(days=5, minutes=3), "withdrawal",
                                aware_at=aware))
        aware = d(3, 20)
        sc.entries["B4"] = entry(aware=aware, risk_outcome="high_risk", severity_band="high",
                                 notified=[("initial", "AP-B-400", aware + timedelta(hours=40))]).id
        sc.rows.append(received("AP-B-400", sc.kvk["b"], aware + timedelta(hours=40, minutes=2), aware_at=aware))
        sc.entries["B5"] = entry(aware=d(4, 15), notify=True, status="open").id
    with tenant_scope(sc.orgs["c"]):
        aware = d(2, 20)
        sc.entries["C1"] = entry(aware=aware, incident_type="device_lost_or_stolen", notify=True).id
        sc.rows.append(received("AP-C-1", sc.kvk["c"], d(2, 22), aware_at=aware + timedelta(hours=10),
                                incident_type="device_lost_or_stolen"))
        aware = d(3, 5)
        sc.entries["C2"] = entry(aware=aware, persons=(10, 20), notified=[("initial", "AP-C-2", aware + timedelta(hours=30))]).id
        sc.rows.append(received("AP-C-2", sc.kvk["c"], aware + timedelta(hours=30, minutes=5), aware_at=aware,
                                persons=(500, 500)))
        aware = d(3, 25)
        sc.entries["C3"] = entry(aware=aware, ended=False, status="open",
                                 notified=[("initial", "AP-C-3", aware + timedelta(hours=30))]).id
        sc.rows.append(received("AP-C-3", sc.kvk["c"], aware + timedelta(hours=30, minutes=5), aware_at=aware))
    with tenant_scope(sc.orgs["d"]):
        _ok(sc, "d", "D1", "AP-D-1", d(1, 20))
        _ok(sc, "d", "D2", "AP-D-2", d(5, 2))
        sc.entries["D3"] = entry(aware=d(4, 5), corrective=False, notify=False, risk_outcome="unlikely_risk",
                                 no_notification_reasoning=NO_NOTIFY).id
    with tenant_scope(sc.orgs["e"]):
        _ok(sc, "e", "E1", "AP-E-1", d(2, 14))
        sc.entries["E2"] = entry(aware=d(3, 14), risk_reasoning="Laag.", notify=False, risk_outcome="unlikely_risk",
                                 no_notification_reasoning=NO_NOTIFY).id
    for key, names in (("f", ["F1"]), ("g", ["G1", "G2"]), ("h", ["H1"]), ("u", ["U1"])):
        with tenant_scope(sc.orgs[key]):
            for number, name in enumerate(names, start=1):
                _ok(sc, key, name, f"AP-{key.upper()}-{number}", d(1 + number, 8 + number))
    # An organisation that does not use Lekwijzer: counted, never a finding.
    sc.rows.append(received("AP-X-1", "99999999", d(3, 3), aware_at=d(3, 1)))
    return sc


def kept_findings(app, regulator_id):
    """The regulator's kept findings (read in its tenant), as plain objects."""
    from tenants.oversight.models import ReconciliationFinding

    from types import SimpleNamespace

    columns = [c.name for c in ReconciliationFinding.__table__.c]
    with app.app_context(), tenant_scope(regulator_id):
        rows = db.session.scalars(sa.select(ReconciliationFinding).where(
            ReconciliationFinding.tenant_id == regulator_id)).all()
        return [SimpleNamespace(**{c: getattr(r, c) for c in columns}) for r in rows]


def as_csv(rows) -> bytes:
    import csv
    import io

    out = io.StringIO()
    columns = ["ap_reference", "kvk", "received_at", "kind", "aware_at", "incident_type", "persons_min", "persons_max"]
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
    return out.getvalue().encode()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)

