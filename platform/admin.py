"""An organisation's own administration: members, API tokens, audit trail."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user

from . import audit, mail
from .auth import tokens
from .db import db, utcnow
from .edge import ALL_KINDS, get_or_404, org_blueprint, requires
from .forms import load_form
from .members import MemberError, add_member, get_member, list_members, remove_member, set_roles
from .models import ApiToken, AuditEvent
from .roles import ROLE_LABELS, valid_roles
from .schemas import MemberInSchema, MemberRolesSchema, TokenInSchema
from .ui import register_nav

bp = org_blueprint("admin", __name__, kinds=ALL_KINDS, url_prefix="/admin")
AUDIT_PAGE = 50


def _role_choices():
    return [(r, gettext(ROLE_LABELS[r])) for r in valid_roles(g.org.kind)]


@bp.get("/members")
@requires("org.admin")
def members():
    return _members_page({}, {})


def _members_page(errors, form, status=200):
    return render_template("admin/members.html", members=list_members(), roles=_role_choices(),
                           errors=errors, form=form), status


def _apply_member_change(schema, change, error_field: str, done_message):
    """Validate a members form, apply `change(data)`, and answer like every members form."""
    data, errors = load_form(schema)
    if not errors:
        try:
            change(data)
            db.session.commit()
            flash(done_message, "success")
            return redirect(url_for(".members"))
        except MemberError as exc:
            db.session.rollback()
            errors = {error_field: [str(exc)]}
    return _members_page(errors, request.form, 422)


@bp.post("/members")
@requires("org.admin")
def add():
    return _apply_member_change(MemberInSchema(), lambda data: add_member(**data), "email",
                                _l("Member added. They receive an e-mail with a link."))


@bp.post("/members/<uuid:app_user_id>/roles")
@requires("org.admin")
def change_roles(app_user_id: uuid.UUID):
    membership = get_member(app_user_id)
    return _apply_member_change(MemberRolesSchema(), lambda data: set_roles(membership, data["roles"]), "roles",
                                _l("Roles saved."))


@bp.post("/members/<uuid:app_user_id>/remove")
@requires("org.admin")
def remove(app_user_id: uuid.UUID):
    membership = get_member(app_user_id)
    try:
        remove_member(membership)
        db.session.commit()
        flash(_l("Member removed."), "success")
    except MemberError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for(".members"))


@bp.get("/tokens")
@requires("token.manage")
def api_tokens():
    return _tokens_page({}, {})


def _tokens_page(errors, form, new_token=None, status=200):
    rows = db.session.scalars(sa.select(ApiToken).order_by(ApiToken.created_at.desc())).all()
    return render_template("admin/tokens.html", tokens=rows, roles=_role_choices(), errors=errors,
                           form=form, new_token=new_token, now=utcnow()), status


@bp.post("/tokens")
@requires("token.manage")
def create_token():
    data, errors = load_form(TokenInSchema())
    if errors:
        return _tokens_page(errors, request.form, status=422)
    row, plain = tokens.issue(g.org, data["name"], data["role"], data["days"], current_user.id)
    db.session.flush()
    audit.record("token.created", "api_token", row.id, meta={"role": row.role, "days": data["days"]})
    db.session.commit()
    return _tokens_page({}, {}, new_token=plain)


@bp.post("/tokens/<uuid:api_token_id>/revoke")
@requires("token.manage")
def revoke_token(api_token_id: uuid.UUID):
    row = get_or_404(ApiToken, api_token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record("token.revoked", "api_token", row.id)
        db.session.commit()
    flash(_l("Token revoked."), "success")
    return redirect(url_for(".api_tokens"))


@bp.get("/audit")
@requires("audit.view")
def audit_log():
    page = max(1, request.args.get("page", 1, type=int))
    rows = db.session.scalars(
        sa.select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(AUDIT_PAGE).offset((page - 1) * AUDIT_PAGE)
    ).all()
    problems = audit.verify(g.org.id) if request.args.get("verify") else None
    return render_template("admin/audit.html", rows=rows, page=page, problems=problems,
                           has_more=len(rows) == AUDIT_PAGE)


@bp.get("/audit/export")
@requires("audit.view")
def audit_export():
    return audit.download(g.org.id, g.org.slug)


@bp.post("/test-notification")
@requires("notification.test")
def test_notification():
    mail.notify(current_user.id, "test", g.org)
    audit.record("notification.test_requested", "user", current_user.id)
    db.session.commit()
    flash(_l("A test notification is on its way to your e-mail address."), "success")
    return redirect(url_for("orghome.dashboard"))


register_nav("admin.members", _l("Members"), permission="org.admin", kinds=ALL_KINDS, order=90)
register_nav("admin.api_tokens", _l("API tokens"), permission="token.manage", kinds=ALL_KINDS, order=91)
register_nav("admin.audit_log", _l("Audit trail"), permission="audit.view", kinds=ALL_KINDS, order=92)
