"""A small sector for tests: two institutions, a commissioner, the regulator, an operator."""
from __future__ import annotations

from dataclasses import dataclass, field

from lekwijzer.auth import tokens
from lekwijzer.db import db
from lekwijzer.models import Membership, Org, OrgKind, Region, User
from lekwijzer.tenancy import tenant_scope

PASSWORD = "correct horse battery staple"
INSTITUTION_ROLES = ("reporter", "privacy_officer", "fg", "board", "tenant_admin", "auditor")


@dataclass
class World:
    orgs: dict[str, Org] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # "a.privacy_officer" -> User

    def user(self, org_key: str, role: str) -> User:
        return self.users[f"{org_key}.{role}"]

    def token(self, org_key: str, role: str, days: int = 30) -> str:
        org = self.orgs[org_key]
        with tenant_scope(org.id):
            _row, plain = tokens.issue(org, f"test {role}", role, days, None)
        return plain


_HASH: list[str] = []


def _user(key: str, email: str, name: str) -> User:
    user = User(email=email, name=name, locale="nl")
    if not _HASH:  # scrypt is slow on purpose; hash the shared test password once
        user.set_password(PASSWORD)
        _HASH.append(user.password_hash)
    user.password_hash = _HASH[0]
    db.session.add(user)
    return user


def build_world() -> World:
    w = World()
    db.session.add(Region(code="regio-a", name="Jeugdregio A"))
    db.session.flush()
    specs = [
        ("a", OrgKind.institution, "Instelling A", "11111111", 500, 2000),
        ("b", OrgKind.institution, "Instelling B", "22222222", 120, 600),
        ("c", OrgKind.commissioner, "Gemeente C", None, None, None),
        ("r", OrgKind.regulator, "Toezichthouder R", "33333333", None, None),
        ("o", OrgKind.operator, "Beheer O", None, None, None),
    ]
    for key, kind, name, kvk, employees, clients in specs:
        org = Org(slug=f"org-{key}", name=name, kind=kind, kvk=kvk, employees=employees,
                  clients_per_year=clients, region_code="regio-a")
        db.session.add(org)
        w.orgs[key] = org
    db.session.flush()
    roles_by_org = {
        "a": INSTITUTION_ROLES, "b": INSTITUTION_ROLES,
        "c": ("viewer", "tenant_admin"), "r": ("analyst", "tenant_admin"), "o": ("operator", "tenant_admin"),
    }
    for key, roles in roles_by_org.items():
        for role in roles:
            w.users[f"{key}.{role}"] = _user(f"{key}.{role}", f"{role}@org-{key}.test", f"{role.title()} {key.upper()}")
    db.session.commit()
    for key, roles in roles_by_org.items():
        org = w.orgs[key]
        with tenant_scope(org.id):
            for role in roles:
                db.session.add(Membership(tenant_id=org.id, user_id=w.users[f"{key}.{role}"].id, roles=[role]))
    return w
