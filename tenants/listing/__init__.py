"""The breach register list, the incident log and register exports.

* `listing.register` (/o/<org>/register): breaches only, filtered, sorted and paginated in
  the database, with the 72-hour clock per row and export buttons;
* `listing.incidents` (/o/<org>/incidents): every reported incident, the triage queue first;
* exports (CSV, XLSX, EDPB JSON) built as jobs, stored in the database, audited;
* the same in the API: /api/v1/register, /api/v1/register/figures, /api/v1/incident-log,
  /api/v1/register/exports.
"""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from lekwijzer.apiblueprint import register as register_api
from lekwijzer.orghome import register_panel
from lekwijzer.roles import register_permissions
from lekwijzer.ui import register_nav

from . import models  # noqa: F401  (tables known to migrations and the isolation walk)

register_permissions({
    # Reading the register: those who handle, advise on, decide on or check breaches.
    "register.list": {"privacy_officer", "fg", "board", "auditor"},
    "register.export": {"privacy_officer", "fg", "board", "auditor"},
    # Names of reporters and handlers in an export: an explicit, audited choice.
    "register.export_names": {"privacy_officer"},
    # The incident log (all reports, also those that are not breaches) is for triage.
    "incident.log": {"privacy_officer", "fg"},
})

assets = Blueprint("listing_assets", __name__, static_folder="static", static_url_path="/static/listing")


def _panel_context():
    from lekwijzer.edge import can

    from . import queries

    return {"figures": queries.figures(),
            "awaiting": queries.awaiting_triage() if can("incident.log") else None}


def init_app(app: Flask) -> None:
    from . import api, demo, jobs, views  # noqa: F401  (jobs and the demo seeder register themselves)

    app.register_blueprint(views.bp)
    app.register_blueprint(assets)
    register_api(api.blp)


register_nav("listing.register", _l("Breach register"), permission="register.list", order=20)
register_nav("listing.incidents", _l("Incident log"), permission="incident.log", order=22)
register_panel("listing/_panel.html", _panel_context, permission="register.list", order=10)
