"""Roles and permissions: the one authorisation table.

A permission names an action ("breach.decide"). Each role grants a set of permissions and
belongs to one kind of organisation. Views (`auth.decorators.requires`), the API and the
business layer all ask `has_permission`; nothing else decides who may do what.
"""
from __future__ import annotations

from .models.org import OrgKind

ROLES_BY_KIND: dict[OrgKind, tuple[str, ...]] = {
    OrgKind.institution: ("reporter", "privacy_officer", "fg", "board", "tenant_admin", "auditor"),
    # Every organisation has administrators for its own members and tokens.
    OrgKind.commissioner: ("viewer", "tenant_admin"),
    OrgKind.regulator: ("analyst", "tenant_admin"),
    OrgKind.operator: ("operator", "tenant_admin"),
}

def N_(text: str) -> str:
    """Mark a string for the catalogue; it is translated where it is shown."""
    return text


ROLE_LABELS = {
    "reporter": N_("Reporter"),
    "privacy_officer": N_("Privacy officer"),
    "fg": N_("Data protection officer (FG)"),
    "board": N_("Board"),
    "tenant_admin": N_("Administrator"),
    "auditor": N_("Auditor"),
    "viewer": N_("Viewer"),
    "analyst": N_("Analyst"),
    "operator": N_("Operator"),
}

# Every permission and the roles that hold it. Areas add their permissions here so that
# the whole authorisation model can be read in one place.
PERMISSIONS: dict[str, frozenset[str]] = {
    "org.view": frozenset({"reporter", "privacy_officer", "fg", "board", "tenant_admin", "auditor",
                           "viewer", "analyst", "operator"}),
    "org.admin": frozenset({"tenant_admin"}),
    "token.manage": frozenset({"tenant_admin"}),
    "audit.view": frozenset({"tenant_admin", "auditor", "privacy_officer", "fg"}),
    "notification.test": frozenset({"tenant_admin", "privacy_officer"}),
    "operator.provision": frozenset({"operator"}),
}


def register_permissions(extra: dict[str, set[str] | frozenset[str]]) -> None:
    """Let an area declare its permissions at import time (one table, many contributors)."""
    for name, roles in extra.items():
        unknown = set(roles) - set(ROLE_LABELS)
        if unknown:
            raise ValueError(f"permission {name}: unknown roles {sorted(unknown)}")
        PERMISSIONS[name] = frozenset(roles) | PERMISSIONS.get(name, frozenset())


def valid_roles(kind: OrgKind) -> tuple[str, ...]:
    return ROLES_BY_KIND[kind]


def has_permission(roles, permission: str) -> bool:
    try:
        allowed = PERMISSIONS[permission]
    except KeyError:  # a typo must not open a door
        raise KeyError(f"unknown permission {permission!r}") from None
    return bool(allowed.intersection(roles))
