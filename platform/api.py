"""The platform's own API operations: the organisation, members, audit trail, jobs."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import abort, g
from flask.views import MethodView
from flask_smorest import Page

from . import audit
from .apiblueprint import api_blueprint
from .db import db
from .edge import ALL_KINDS, requires
from .members import MemberError, add_member, get_member, list_members, remove_member, set_roles
from .jobs.outbox import job_of_current_org
from .models import AuditEvent
from .schemas import AuditOutSchema, JobOutSchema, MemberInSchema, MemberOutSchema, MemberRolesSchema, OrgOutSchema

blp = api_blueprint("platform_api", __name__, kinds=ALL_KINDS, description="Organisation, members, audit trail, jobs")


class SelectPage(Page):
    """Paginate a 2.0-style select() in the database, not in Python."""

    @property
    def item_count(self):
        stmt = sa.select(sa.func.count()).select_from(self.collection.order_by(None).subquery())
        return db.session.scalar(stmt)

    @property
    def items(self):
        p = self.page_params
        return db.session.scalars(self.collection.limit(p.page_size).offset(p.first_item)).all()


@blp.route("/org")
class CurrentOrg(MethodView):
    @blp.response(200, OrgOutSchema)
    def get(self):
        """The organisation the token belongs to."""
        return g.org


@blp.route("/members")
class Members(MethodView):
    @requires("org.admin")
    @blp.response(200, MemberOutSchema(many=True))
    def get(self):
        """List the organisation's members and their roles."""
        return list_members()

    @requires("org.admin")
    @blp.arguments(MemberInSchema)
    @blp.response(201, MemberOutSchema)
    def post(self, data):
        """Add a member (creates the person's account when needed; sends a link by e-mail)."""
        try:
            membership = add_member(**data)
        except MemberError as exc:
            abort(409, str(exc))
        db.session.commit()
        return membership


@blp.route("/members/<uuid:app_user_id>")
class Member(MethodView):
    @requires("org.admin")
    @blp.response(200, MemberOutSchema)
    def get(self, app_user_id: uuid.UUID):
        """One member."""
        return get_member(app_user_id)

    @requires("org.admin")
    @blp.arguments(MemberRolesSchema)
    @blp.response(200, MemberOutSchema)
    def put(self, data, app_user_id: uuid.UUID):
        """Replace a member's roles."""
        membership = get_member(app_user_id)
        try:
            set_roles(membership, data["roles"])
        except MemberError as exc:
            abort(409, str(exc))
        db.session.commit()
        return membership

    @requires("org.admin")
    @blp.response(204)
    def delete(self, app_user_id: uuid.UUID):
        """Remove a member from the organisation."""
        membership = get_member(app_user_id)
        try:
            remove_member(membership)
        except MemberError as exc:
            abort(409, str(exc))
        db.session.commit()


@blp.route("/audit")
class AuditTrail(MethodView):
    @requires("audit.view")
    @blp.response(200, AuditOutSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """The organisation's audit trail, newest first."""
        return sa.select(AuditEvent).order_by(AuditEvent.seq.desc())


@blp.route("/audit/verification")
class AuditVerification(MethodView):
    @requires("audit.view")
    @blp.response(200)
    def get(self):
        """Verify the hash chain; lists changed, deleted or cut-off entries."""
        problems = audit.verify(g.org.id)
        return {"intact": not problems, "problems": [str(p) for p in problems]}


@blp.route("/audit/export")
class AuditExport(MethodView):
    @requires("audit.view")
    @blp.response(200, content_type="application/x-ndjson")
    def get(self):
        """The whole hash chain as JSON Lines, to check outside Lekwijzer (docs/audit.md)."""
        return audit.download(g.org.id, g.org.slug)


@blp.route("/jobs/<uuid:outbox_job_id>")
class JobStatus(MethodView):
    @blp.response(200, JobOutSchema)
    def get(self, outbox_job_id: uuid.UUID):
        """Progress of a job this organisation started (exports, reports)."""
        return job_of_current_org(outbox_job_id)
