"""Learning from breaches: period analysis, measures' effectiveness, improvement plans, policy, board report.

See README.md in this folder for the rules behind every figure.
"""
from flask import Flask

from lekwijzer.roles import register_permissions

from . import models  # noqa: F401  (tables known to migrations and the isolation walk)

register_permissions({
    # The FG and the auditor read everything here; the FG advises, so changes are for others.
    "learning.view": {"privacy_officer", "fg", "board", "auditor", "tenant_admin"},
    "learning.manage": {"privacy_officer"},
    "learning.judge": {"privacy_officer"},
    "learning.policy": {"privacy_officer", "tenant_admin"},
    "learning.report.request": {"privacy_officer", "board"},
    "learning.report.sign": {"board"},
    "learning.share": {"tenant_admin", "board"},
    "learning.settings": {"privacy_officer", "tenant_admin"},
})


def init_app(app: Flask) -> None:
    """Register this feature's blueprints, API, jobs, reminders and demo data."""
    from lekwijzer.apiblueprint import register

    from . import api, demo, reminders, reports, views  # noqa: F401  (jobs, kinds, seeders register on import)

    app.register_blueprint(views.bp)
    register(api.blp)
    # The regulator's quality checks ask about policies and board reports through this.
    from tenants.oversight import governance, learning as oversight_learning

    governance.set_provider(oversight_learning.governance)
