"""Demo data: a small youth-care sector with an account for every role.

Areas add their own demo content (breaches, plans, domains …) by registering a seeder
with `demo_seeder`; each seeder runs once per organisation inside that tenant.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa

from . import audit
from .db import db
from .models import Membership, Org, OrgKind, Region, User
from .tenancy import tenant_scope

REGIONS = [
    ("utrecht-stad", "Jeugdregio Utrecht Stad"),
    ("lekstroom", "Jeugdregio Lekstroom"),
    ("zuidoost-utrecht", "Jeugdregio Zuidoost Utrecht"),
    ("amersfoort", "Jeugdregio Regio Amersfoort"),
    ("foodvalley", "Jeugdregio Foodvalley"),
    ("holland-rijnland", "Jeugdregio Holland Rijnland"),
]

# slug, name, employees, clients a year, region, kvk
INSTITUTIONS = [
    ("samen-veilig-voorbeeld", "Samen Veilig Voorbeeld (GI)", 2400, 9000, "utrecht-stad", "30000001"),
    ("kompas-jeugdzorg", "Kompas Jeugdzorg", 1100, 5200, "utrecht-stad", "30000002"),
    ("de-rivier-jeugdhulp", "De Rivier Jeugdhulp", 650, 3100, "lekstroom", "30000003"),
    ("horizon-jeugd-ggz", "Horizon Jeugd-GGZ", 420, 2600, "utrecht-stad", "30000004"),
    ("het-anker-gezinshuizen", "Het Anker Gezinshuizen", 35, 60, "lekstroom", "30000005"),
    ("stadskind", "Stadskind Jeugd en Gezin", 300, 1900, "utrecht-stad", "30000006"),
    ("lekkerkerk-opvoedhulp", "Opvoedhulp Lek en IJssel", 140, 900, "lekstroom", "30000007"),
    ("veilig-verder", "Veilig Verder Jeugdbescherming", 780, 2500, "lekstroom", "30000008"),
    ("pleegzorg-midden", "Pleegzorg Midden", 210, 1400, "utrecht-stad", "30000009"),
    ("de-brug-dagbehandeling", "De Brug Dagbehandeling", 60, 240, "lekstroom", "30000010"),
    ("vrij-baan", "Vrij Baan Ambulante Hulp", 25, 310, "utrecht-stad", "30000011"),
    ("jongerenhuis-oost", "Jongerenhuis Oost", 90, 150, "utrecht-stad", "30000012"),
    ("kindkracht", "KindKracht Behandelcentrum", 330, 1200, "lekstroom", "30000013"),
    ("thuisbasis", "Thuisbasis Gezinsbegeleiding", 12, 80, "lekstroom", "30000014"),
    ("sterk-huis-jeugd", "Sterk Huis Jeugd", 520, 2100, "utrecht-stad", "30000015"),
]

MAIN = "samen-veilig-voorbeeld"
DEMO_DOMAIN = "lekwijzer.example"


@dataclass(frozen=True)
class DemoContext:
    org: Org
    users: dict[str, User]  # role -> a user with that role in this org
    rng: random.Random


SEEDERS: list[Callable[[DemoContext], None]] = []


def demo_seeder(fn: Callable[[DemoContext], None]) -> Callable[[DemoContext], None]:
    SEEDERS.append(fn)
    return fn


def _user(email: str, name: str, password: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, locale="nl")
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
    return user


def _org(slug, name, kind, **kw) -> tuple[Org, bool]:
    org = db.session.scalar(sa.select(Org).where(Org.slug == slug))
    if org is not None:
        return org, False
    org = Org(slug=slug, name=name, kind=kind, **kw)
    db.session.add(org)
    db.session.flush()
    return org, True


def _member(org: Org, user: User, roles: list[str]) -> None:
    with tenant_scope(org.id):
        existing = db.session.scalar(sa.select(Membership).where(
            Membership.tenant_id == org.id, Membership.user_id == user.id))
        if existing is None:
            db.session.add(Membership(tenant_id=org.id, user_id=user.id, roles=sorted(roles)))
            audit.record("member.added", "user", user.id, meta={"roles": ",".join(sorted(roles))},
                         actor=("system", None))


def seed(password: str = "demo") -> list[tuple[str, str, str]]:
    accounts: list[tuple[str, str, str]] = []
    for code, name in REGIONS:
        if db.session.get(Region, code) is None:
            db.session.add(Region(code=code, name=name))
    db.session.commit()

    def account(org: Org, local: str, name: str, roles: list[str]) -> User:
        user = _user(f"{local}@{DEMO_DOMAIN}", name, password)
        _member(org, user, roles)
        accounts.append((user.email, org.name, ", ".join(roles)))
        return user

    operator, _ = _org("lekwijzer-beheer", "Lekwijzer beheer", OrgKind.operator)
    regulator, _ = _org("autoriteit-persoonsgegevens", "Autoriteit Persoonsgegevens (demo)", OrgKind.regulator,
                        kvk="27999999")
    db.session.commit()
    account(operator, "operator", "Olga Operator", ["operator", "tenant_admin"])
    account(regulator, "toezicht", "Tamara Toezicht", ["analyst"])
    account(regulator, "ap-beheer", "Arjen AP-beheer", ["tenant_admin"])

    for code in ("utrecht-stad", "lekstroom"):
        region_name = dict(REGIONS)[code]
        org, _ = _org(f"gemeente-{code}", region_name, OrgKind.commissioner, region_code=code)
        db.session.commit()
        account(org, f"regio-{code}", f"Contractmanager {region_name.split()[-1]}", ["viewer"])
        account(org, f"regio-{code}-beheer", f"Beheer {region_name.split()[-1]}", ["tenant_admin"])

    rng = random.Random(2026)
    created = []
    for slug, name, employees, clients, region, kvk in INSTITUTIONS:
        org, new = _org(slug, name, OrgKind.institution, employees=employees, clients_per_year=clients,
                        region_code=region, kvk=kvk)
        db.session.commit()
        created.append((org, new))

    main_org = next(org for org, _ in created if org.slug == MAIN)
    users = {
        "reporter": account(main_org, "medewerker", "Mees Medewerker", ["reporter"]),
        "privacy_officer": account(main_org, "privacy", "Priya Privacy", ["privacy_officer", "reporter"]),
        "fg": account(main_org, "fg", "Frank FG", ["fg"]),
        "board": account(main_org, "bestuur", "Bea Bestuur", ["board"]),
        "tenant_admin": account(main_org, "beheer", "Bram Beheer", ["tenant_admin"]),
        "auditor": account(main_org, "auditor", "Anouk Auditor", ["auditor"]),
    }
    # An external FG serving three small institutions: one person, several organisations.
    external_fg = _user(f"extern-fg@{DEMO_DOMAIN}", "Eva Extern-FG", password)
    for org, _ in created:
        if org.slug == MAIN:
            continue
        local = org.slug.split("-")[0]
        po = account(org, f"privacy-{org.slug}", f"Privacy {org.name.split()[0]}", ["privacy_officer", "reporter"])
        admin = account(org, f"beheer-{org.slug}", f"Beheer {org.name.split()[0]}", ["tenant_admin", "board"])
        del local
        if org.employees and org.employees < 100:
            _member(org, external_fg, ["fg"])
            accounts.append((external_fg.email, org.name, "fg"))
        users_for_org = {"privacy_officer": po, "tenant_admin": admin, "board": admin, "reporter": po}
        _run_seeders(org, users_for_org, rng, created)
    _run_seeders(main_org, users, rng, created)
    db.session.commit()
    return accounts


def _run_seeders(org: Org, users: dict[str, User], rng: random.Random, created) -> None:
    if not dict((o.slug, new) for o, new in created).get(org.slug):
        return  # seeded before: do not duplicate content
    for seeder in SEEDERS:
        with tenant_scope(org.id):
            seeder(DemoContext(org, users, rng))
