"""The commissioner portal's API: the same data as the pages, for the commissioner's own tools."""
from __future__ import annotations

from flask import abort
from flask.views import MethodView

from lekwijzer.apiblueprint import api_blueprint
from lekwijzer.edge import requires
from lekwijzer.models import OrgKind

from . import service
from .periods import PortalPeriodSchema, resolve_period

blp = api_blueprint("portal_api", __name__, kinds=(OrgKind.commissioner,), url_prefix="/commissioner",
                    description="For commissioners: improvement plans and figures of the institutions that granted "
                                "access (counts of 1 to 4 suppressed; no contents, no names)")


@blp.route("/overview")
class Overview(MethodView):
    @requires("commissioner.portal")
    @blp.arguments(PortalPeriodSchema, location="query")
    @blp.response(200)
    def get(self, args):
        """Per granted institution and summed over them: plans, figures, policy status, sign-off dates."""
        return service.load(resolve_period(args), args["compare"])


@blp.route("/institutions/<institution>")
class Institution(MethodView):
    @requires("commissioner.portal")
    @blp.arguments(PortalPeriodSchema, location="query")
    @blp.response(200)
    def get(self, args, institution: str):
        """One institution (by its slug); 404 without an active grant."""
        org = service.institution_by_slug(institution)
        data = service.load(resolve_period(args), args["compare"], org) if org is not None else None
        if data is None:
            abort(404)
        return data["institutions"][0] | {"periods": data["periods"]}
