"""Resolve and authorise the organisation once, at the edge; pass it on explicitly.

Pages of an organisation live under ``/o/<org_slug>/…`` and are declared with
`org_blueprint`. Before any view runs, the edge

1. requires a signed-in user (or redirects to sign-in),
2. loads the organisation by slug and the user's membership in it,
3. answers a uniform 404 when either is missing, or the organisation is not of a kind
   the blueprint serves (a regulator account has no institution pages at all),
4. sets the tenant on the database session and ``g.org`` / ``g.membership`` / ``g.roles``.

Views then read objects with `get_or_404`, which can only see the current tenant's rows.
"""
from __future__ import annotations

import functools
import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, g, redirect, request, session, url_for
from flask_login import current_user

from .db import db
from .models import Membership, Org, OrgKind
from .roles import has_permission
from .tenancy import set_tenant

ALL_KINDS = tuple(OrgKind)


def org_blueprint(name: str, import_name: str, *, kinds=(OrgKind.institution,), url_prefix: str = "",
                  **kw) -> Blueprint:
    """A blueprint whose every route is inside one organisation of the given kinds."""
    bp = Blueprint(name, import_name, url_prefix=f"/o/<org_slug>{url_prefix}", **kw)
    bp.org_kinds = tuple(kinds)

    @bp.url_value_preprocessor
    def _resolve(endpoint, values):
        slug = values.pop("org_slug", None) if values else None
        enter_org(slug, bp.org_kinds)
        require_own_objects(values or {})

    @bp.url_defaults
    def _default_slug(endpoint, values):
        if "org_slug" not in values and getattr(g, "org", None) is not None:
            values["org_slug"] = g.org.slug

    return bp


def enter_org(slug: str | None, kinds) -> None:
    if not current_user.is_authenticated:
        abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?"))))
    org = db.session.scalar(sa.select(Org).where(Org.slug == slug, Org.active.is_(True))) if slug else None
    if org is None or org.kind not in kinds:
        abort(404)
    set_tenant(org.id, current_user.id)
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.tenant_id == org.id, Membership.user_id == current_user.id)
    )
    if membership is None or not membership.roles:
        abort(404)
    for check in ENTRY_CHECKS:
        check(org, membership)  # may abort (e.g. "sign in at this organisation's provider first")
    g.org, g.membership, g.roles = org, membership, frozenset(membership.roles)
    g.actor = ("user", current_user.id)
    session["org"] = org.slug


# Extra conditions for entering an organisation, registered by platform features:
# check(org, membership) returns nothing or aborts with a response.
ENTRY_CHECKS: list = []


def register_entry_check(check) -> None:
    ENTRY_CHECKS.append(check)


def require_own_objects(values: dict) -> None:
    """Every `<table>_id` in the path must name a row of the current organisation.

    Checked before any form or body is read, so a request about another organisation's
    object always ends in the same 404, whatever else is wrong with it.
    """
    from .db import Base
    from .tenancy import current_tenant_id

    tenant = current_tenant_id()
    for key, value in values.items():
        if not key.endswith("_id") or not isinstance(value, uuid.UUID):
            continue
        table = Base.metadata.tables.get(key[:-3])
        if table is None:
            continue
        if table.name == "app_user":
            stmt = sa.select(Membership.user_id).where(Membership.tenant_id == tenant, Membership.user_id == value)
        elif "tenant_id" in table.c:
            # The model's own tenant criteria: a row a model deliberately shows another
            # organisation (its `tenant_criteria` / `__rls_using__` pair) is reachable there.
            model = _model_for(table)
            criteria = (model.tenant_criteria(tenant, db.session.info.get("user_id")) if model is not None
                        else table.c.tenant_id == tenant)
            stmt = sa.select(table.c.id).where(criteria, table.c.id == value)
        else:
            continue
        if db.session.execute(stmt.limit(1)).first() is None:
            abort(404)


def _model_for(table):
    from .db import Base, TenantScoped

    for mapper in Base.registry.mappers:
        if mapper.local_table is table and issubclass(mapper.class_, TenantScoped):
            return mapper.class_
    return None


def can(permission: str) -> bool:
    return has_permission(getattr(g, "roles", ()), permission)


def requires(permission: str):
    """Views and API operations declare the permission they need; 403 otherwise."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not can(permission):
                abort(403)
            return view(*args, **kwargs)
        wrapper.permission = permission
        return wrapper
    return decorate


def get_or_404(model, object_id, *, options=()):
    """The one accessor for an object by id: another tenant's object does not exist."""
    try:
        object_id = object_id if isinstance(object_id, uuid.UUID) else uuid.UUID(str(object_id))
    except ValueError:
        abort(404)
    stmt = sa.select(model).where(model.id == object_id)
    for option in options:
        stmt = stmt.options(option)
    obj = db.session.scalar(stmt)
    if obj is None:
        abort(404)
    return obj
