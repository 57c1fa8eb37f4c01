"""Incident intake, triage, the breach register and the breach workflow.

Modules: models (data), enums (vocabularies), severity (ENISA, pure), clock (72 hours,
pure), minimisation (warnings, pure), rules (validation rules 1-16), completeness
(closing), schemas (forms and API), service (business operations), access (who decides),
apsheet (the AP form's order), views (pages), api (REST), jobs (reminders), cli (maintenance commands), demo.
"""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from lekwijzer.mail import notification_kind
from lekwijzer.roles import register_permissions

from . import models  # noqa: F401  (tables known to migrations and the isolation walk)

INSTITUTION_MEMBERS = {"reporter", "privacy_officer", "fg", "board", "tenant_admin", "auditor"}

register_permissions({
    # Any member reports an incident, from any page, and follows their own reports.
    "incident.report": INSTITUTION_MEMBERS,
    "incident.triage": {"privacy_officer"},
    # Reading the register: the people who handle, advise on, decide on and audit breaches.
    "breach.view": {"privacy_officer", "fg", "board", "auditor"},
    "breach.edit": {"privacy_officer"},
    "breach.assess": {"privacy_officer"},
    "breach.advise": {"fg"},
    # Deciding is checked in access.py: the board role or a mandate, and never the FG.
    "breach.decide": {"board"},
    "breach.notify": {"privacy_officer"},  # recording what was sent, after the board decided
    "breach.communicate": {"privacy_officer"},
    "breach.close": {"privacy_officer"},
    "measure.manage": {"privacy_officer"},
    "processing.view": {"privacy_officer", "fg", "board", "tenant_admin", "auditor"},
    "processing.manage": {"tenant_admin"},
    "mandate.view": {"board", "privacy_officer", "fg", "auditor"},
    "mandate.manage": {"board"},
})


def _link(path: str):
    return lambda org, object_id: f"/o/{org.slug}/{path}/{object_id}"


notification_kind("incident.reported", _l("A security incident was reported"), _link("incidents"))
notification_kind("breach.advice_requested", _l("A data breach awaits your advice"), _link("breaches"))
notification_kind("breach.decision_needed", _l("A data breach awaits a decision"), _link("breaches"))
notification_kind("breach.clock_24h", _l("Data breach: 24 hours since awareness"), _link("breaches"))
notification_kind("breach.clock_48h", _l("Data breach: 48 hours since awareness"), _link("breaches"))
notification_kind("breach.clock_66h", _l("Data breach: 6 hours left to notify the AP"), _link("breaches"))
notification_kind("measure.due", _l("A measure is due within a week"), _link("measures"))
notification_kind("measure.overdue", _l("A measure is past its due date"), _link("measures"))


def init_app(app: Flask) -> None:
    """Register this feature's pages, API, jobs, navigation, dashboard panel and demo data."""
    from lekwijzer.orghome import register_panel
    from lekwijzer.ui import register_nav

    from . import api, cli, demo, jobs, panel, views  # noqa: F401  (jobs and demo register themselves)
    from .filters import init_filters

    app.register_blueprint(views.bp)
    # Stylesheet of the breach pages, served by the app (no CDN); outside /o/ so that
    # loading it needs no organisation.
    app.register_blueprint(Blueprint("register_assets", __name__, static_folder="static",
                                     static_url_path="/static/register"))
    api.init_app(app)
    init_filters(app)
    app.cli.add_command(cli.cli)
    if not getattr(init_app, "_registered", False):
        register_nav("register.report", _l("Report an incident"), permission="incident.report",
                     header_action=True, order=1)
        register_nav("register.my_reports", _l("My reports"), permission="incident.report", order=30)
        register_nav("register.activities", _l("Processing register"), permission="processing.view", order=40)
        register_nav("register.mandates", _l("Decision mandates"), permission="mandate.view", order=45)
        register_panel("register/panel.html", panel.context, permission="incident.report", order=10)
        init_app._registered = True
