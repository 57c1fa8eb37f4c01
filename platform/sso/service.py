"""Single sign-on rules: keeping the settings, and turning verified claims into a person.

No Flask request objects here. Functions run inside the organisation's tenant (the
caller sets it) and write nothing on a refusal: every check that can refuse runs before
the first row is added.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from .. import audit, members
from ..db import db, utcnow
from ..models import Membership, Org, User
from ..roles import valid_roles
from ..tenancy import set_tenant
from . import crypto
from .models import SsoConfig, SsoDomain, SsoIdentity, SsoRealm
from .oidc import Refused

# Short codes for the audit trail (its metadata holds codes of at most 80 characters).
AUDIT_CODES = {"enabled": "on", "display_name": "name", "issuer": "iss", "client_id": "cid", "scopes": "scopes",
               "role_claim": "claim", "role_mapping": "mapping", "default_roles": "default",
               "allowed_domains": "domains", "allow_local_passwords": "passwords", "jit_provisioning": "jit",
               "client_secret": "secret"}
SETTING_FIELDS = ("enabled", "display_name", "issuer", "client_id", "scopes", "role_claim", "role_mapping",
                  "default_roles", "allowed_domains", "allow_local_passwords", "jit_provisioning")


# --- settings ---------------------------------------------------------------------------

def current_config() -> SsoConfig | None:
    """The current organisation's settings (the session is scoped to it)."""
    return db.session.scalar(sa.select(SsoConfig))


def realm_of(org_id: uuid.UUID) -> SsoRealm | None:
    return db.session.get(SsoRealm, org_id)


def save_settings(org: Org, data: dict, actor_id: uuid.UUID | None) -> tuple[SsoConfig, list[str]]:
    """Apply validated settings; returns the settings and the names of what changed."""
    config = current_config()
    created = config is None
    if created:
        config = SsoConfig(tenant_id=org.id, version=0)
        db.session.add(config)
    changed = [name for name in SETTING_FIELDS if created or getattr(config, name) != data[name]]
    for name in changed:
        setattr(config, name, data[name])
    if data.get("client_secret") and _stored_secret(config) != data["client_secret"]:
        changed.append("client_secret")
        config.client_secret_enc = crypto.encrypt(data["client_secret"])
    if changed:
        # A new version: sign-ins started under the old settings are refused, and nothing
        # cached for the old settings (provider metadata) is used again.
        config.version = (config.version or 0) + 1
        config.updated_at = utcnow()
        config.updated_by = actor_id
        sync_directory(org, config)
        db.session.flush()
        audit.record("sso.settings_changed", "sso_config", config.id, meta={
            "version": config.version,
            "changed": "created" if created else ",".join(AUDIT_CODES[c] for c in changed),
            "enabled": config.enabled, "local_passwords": config.allow_local_passwords,
        })
    return config, changed


def _stored_secret(config: SsoConfig) -> str | None:
    try:
        return crypto.decrypt(config.client_secret_enc)
    except crypto.SecretUnreadable:
        return None


def sync_directory(org: Org, config: SsoConfig) -> None:
    """Keep the shared, secret-free part (home-realm discovery, password policy) in step."""
    realm = db.session.get(SsoRealm, org.id)
    if realm is None:
        realm = SsoRealm(org_id=org.id)
        db.session.add(realm)
    realm.enabled = bool(config.enabled)
    realm.passwords_allowed = bool(config.allow_local_passwords or not config.enabled)
    realm.display_name = config.display_name
    wanted = set(config.allowed_domains or []) if config.enabled else set()
    existing = {row.domain: row for row in db.session.scalars(sa.select(SsoDomain).where(SsoDomain.org_id == org.id))}
    for domain, row in existing.items():
        if domain not in wanted:
            db.session.delete(row)
    for domain in wanted - set(existing):
        db.session.add(SsoDomain(domain=domain, org_id=org.id))


def orgs_for_email(email: str) -> list[Org]:
    """Home-realm discovery: the organisations whose provider signs in this address."""
    domain = email.strip().lower().rpartition("@")[2]
    if not domain:
        return []
    stmt = (sa.select(Org).join(SsoDomain, SsoDomain.org_id == Org.id).join(SsoRealm, SsoRealm.org_id == Org.id)
            .where(SsoDomain.domain == domain, SsoRealm.enabled.is_(True), Org.active.is_(True)).order_by(Org.name))
    return list(db.session.scalars(stmt))


def client_secret(config: SsoConfig) -> str | None:
    return crypto.decrypt(config.client_secret_enc)


# --- claims → person --------------------------------------------------------------------

def claim_values(claims: dict, path: str) -> list[str]:
    """The values of a claim; a dotted path reaches nested claims (realm_access.roles)."""
    value = claims.get(path)
    if value is None and "." in path:
        value = claims
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int))]
    return []


def mapped_roles(config: SsoConfig, claims: dict, org: Org) -> list[str]:
    values = set(claim_values(claims, config.role_claim))
    roles = set(config.default_roles or [])
    roles |= {m["role"] for m in (config.role_mapping or []) if m["value"] in values}
    return sorted(roles & set(valid_roles(org.kind)))


@dataclass
class SignInResult:
    user: User
    membership: Membership
    created: bool
    roles_changed: bool


def _email_of(claims: dict, config: SsoConfig) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        raise Refused("email_missing")
    if claims.get("email_verified") in (False, "false"):
        raise Refused("email_unverified")
    email = email.strip().lower()
    if email.rpartition("@")[2] not in (config.allowed_domains or []):
        raise Refused("email_domain_not_allowed")
    return email


def _membership(org: Org, user_id: uuid.UUID) -> Membership | None:
    return db.session.scalar(sa.select(Membership).where(Membership.tenant_id == org.id,
                                                         Membership.user_id == user_id))


def complete_sign_in(org: Org, config: SsoConfig, claims: dict) -> SignInResult:
    """Find or create the person for verified claims; refresh their roles.

    The person is found by (issuer, subject). Only when that identity is new is an
    existing account with the same e-mail address considered, and only if it is already a
    member of this organisation (an administrator added them): then it is linked.
    """
    issuer, subject = claims["iss"], claims["sub"]
    identity = db.session.scalar(sa.select(SsoIdentity).where(SsoIdentity.issuer == issuer,
                                                              SsoIdentity.subject == subject))
    user = db.session.get(User, identity.user_id) if identity else None
    user_id = user.id if user else None
    try:
        email = _email_of(claims, config)
        roles = mapped_roles(config, claims, org)
        if not roles:
            raise Refused("no_mapped_role")
        if user is None:
            user = db.session.scalar(sa.select(User).where(User.email == email))
            if user is not None:
                user_id = user.id
                if _membership(org, user.id) is None:
                    raise Refused("account_conflict")
                if db.session.scalar(sa.select(SsoIdentity).where(SsoIdentity.issuer == issuer,
                                                                  SsoIdentity.user_id == user.id)):
                    raise Refused("account_conflict")  # linked to another subject at this provider
            elif not config.jit_provisioning:
                raise Refused("not_a_member")
        if user is not None and not user.active:
            raise Refused("account_disabled")
        membership = _membership(org, user.id) if user is not None else None
        if membership is None and not config.jit_provisioning:
            raise Refused("not_a_member")
    except Refused as refusal:
        refusal.user_id = user_id
        raise

    created = False
    if user is None:
        user = User(email=email, name=_name_of(claims, email))
        db.session.add(user)
        db.session.flush()
        created = True
    if identity is None:
        identity = SsoIdentity(tenant_id=org.id, issuer=issuer, subject=subject, user_id=user.id)
        db.session.add(identity)
        db.session.flush()
        audit.record("sso.identity_linked", "user", user.id, meta={"new_account": created},
                     actor=("user", user.id))
    identity.last_sign_in_at = utcnow()
    set_tenant(org.id, user.id)  # the person may now also see their own other memberships

    roles_changed = False
    if membership is None:
        membership = Membership(tenant_id=org.id, user_id=user.id, roles=roles)
        db.session.add(membership)
        db.session.flush()
        audit.record("member.added", "user", user.id, meta={"roles": ",".join(roles), "source": "sso"},
                     actor=("user", user.id))
    else:
        kept = members.admin_role_lost(membership, roles)
        if kept:  # the provider would leave the organisation without an administrator
            roles = sorted({*roles, kept})
            audit.record("sso.admin_role_kept", "user", user.id, meta={"role": kept}, actor=("user", user.id))
    if sorted(membership.roles or []) != roles:
        membership.roles = roles
        roles_changed = True
        audit.record("member.roles_changed", "user", user.id, meta={"roles": ",".join(roles), "source": "sso"},
                     actor=("user", user.id))
    _refresh_name(user, claims, org)
    db.session.flush()  # written as this organisation, before the session changes tenant
    return SignInResult(user, membership, created, roles_changed)


def _name_of(claims: dict, email: str) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p for p in parts if isinstance(p, str) and p.strip())
    return (name or email.partition("@")[0]).strip()[:200]


def _refresh_name(user: User, claims: dict, org: Org) -> None:
    """Keep the display name in step with the provider, for accounts of this organisation only."""
    name = _name_of(claims, user.email)
    if name == user.name or not (claims.get("name") or claims.get("given_name")):
        return
    others = db.session.scalar(sa.select(sa.func.count()).select_from(Membership).where(
        Membership.user_id == user.id, Membership.tenant_id != org.id))
    if not others:
        user.name = name
