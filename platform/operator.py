"""The operator's pages: the organisations on this deployment, and provisioning one."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from . import audit
from .db import db
from .edge import org_blueprint, requires
from .forms import load_form
from .models import Membership, Org, OrgKind, Region, User
from .schemas import OrgInSchema
from .tenancy import current_tenant_id, set_tenant, tenant_scope
from .ui import register_nav

bp = org_blueprint("operator", __name__, kinds=(OrgKind.operator,), url_prefix="/operator")


class ProvisionSchema(OrgInSchema):
    admin_email = fields.Email(required=True)
    admin_name = fields.String(required=True, validate=validate.Length(min=1, max=200))


def _page(errors=None, form=None, status=200):
    orgs = db.session.scalars(sa.select(Org).order_by(Org.kind, Org.name)).all()
    regions = [(r.code, r.name) for r in db.session.scalars(sa.select(Region).order_by(Region.name))]
    return render_template("operator/orgs.html", orgs=orgs, regions=regions, errors=errors or {},
                           form=form or {}), status


@bp.get("/orgs")
@requires("operator.provision")
def orgs():
    return _page()


@bp.post("/orgs")
@requires("operator.provision")
def provision():
    data, errors = load_form(ProvisionSchema())
    if not errors:
        clash = db.session.scalar(sa.select(Org).where(sa.or_(
            Org.slug == data["slug"], sa.and_(Org.kvk.is_not(None), Org.kvk == data.get("kvk")))))
        if clash:
            errors = {"slug": [str(_l("An organisation with this short name or KvK number exists."))]}
    if errors:
        return _page(errors, request.form, 422)
    provision_org(data)
    flash(_l("Organisation created; its administrator receives an e-mail."), "success")
    return redirect(url_for(".orgs"))


def provision_org(data: dict) -> Org:
    """Create an organisation with its first administrator (audited in both chains)."""
    operator_org = current_tenant_id()
    kind = OrgKind(data["kind"])
    org = Org(kind=kind, name=data["name"], slug=data["slug"], kvk=data.get("kvk"),
              employees=data.get("employees"), clients_per_year=data.get("clients_per_year"),
              region_code=data.get("region_code"))
    db.session.add(org)
    email = data["admin_email"].lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=data["admin_name"])
        db.session.add(user)
    db.session.flush()
    audit.record("org.provisioned", "org", org.id, meta={"kind": kind.value})
    db.session.commit()
    roles = sorted({"tenant_admin", *{"commissioner": ["viewer"], "regulator": ["analyst"],
                                     "operator": ["operator"]}.get(kind.value, [])})
    with tenant_scope(org.id):
        db.session.add(Membership(tenant_id=org.id, user_id=user.id, roles=roles))
        audit.record("member.added", "user", user.id, meta={"roles": ",".join(roles)})
        from . import mail

        mail.notify(user.id, "member.added", org)
    set_tenant(operator_org, g.user.id if g.get("user") else None)
    return org


register_nav("operator.orgs", _l("Organisations"), permission="operator.provision",
             kinds=(OrgKind.operator,), order=10)
