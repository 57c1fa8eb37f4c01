"""Pages of the commissioner portal (organisations of kind commissioner only)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l

from lekwijzer.edge import org_blueprint, requires
from lekwijzer.forms import load_form
from lekwijzer.models import OrgKind
from lekwijzer.orghome import register_panel
from lekwijzer.ui import register_nav
from tenants.oversight.learning import label_helpers

from . import service
from .periods import PortalPeriodSchema, recent_half_years, resolve_period

bp = org_blueprint("portal", __name__, kinds=(OrgKind.commissioner,), url_prefix="/portal",
                   template_folder="templates")


@bp.context_processor
def _helpers():
    return label_helpers()


def _period():
    data, errors = load_form(PortalPeriodSchema(), form=request.args)
    if errors:
        return None, 1, errors
    return resolve_period(data), data["compare"], {}


def _ctx(period, compare, errors):
    query = ""
    if period is not None:
        query = urlencode({"period": period.key} if period.is_half_year else
                          {"start": period.start.isoformat(), "end": period.last_day.isoformat()}) + f"&compare={compare}"
    return {"errors": errors, "form": request.args, "half_years": recent_half_years(), "period": period,
            "compare": compare, "query": query}


@bp.get("/")
@requires("commissioner.portal")
def overview():
    period, compare, errors = _period()
    if errors:
        return render_template("portal/overview.html", data=None, **_ctx(period, compare, errors)), 422
    return render_template("portal/overview.html", data=service.load(period, compare), **_ctx(period, compare, {}))


@bp.get("/institutions/<institution>")
@requires("commissioner.portal")
def institution(institution: str):
    org = service.institution_by_slug(institution)
    if org is None:
        abort(404)
    period, compare, errors = _period()
    if errors:
        abort(422)
    data = service.load(period, compare, org)
    if data is None:
        abort(404)  # no access (never granted, or withdrawn): the same answer as a missing page
    return render_template("portal/institution.html", data=data, inst=data["institutions"][0],
                           **_ctx(period, compare, {}))


def _panel():
    from tenants.oversight.learning import granted_institutions
    from flask import g

    return {"count": len(granted_institutions(g.org.id))}


register_nav("portal.overview", _l("Institutions"), permission="commissioner.portal",
             kinds=(OrgKind.commissioner,), order=20)
register_panel("portal/panel.html", _panel, permission="commissioner.portal", kinds=(OrgKind.commissioner,), order=20)
