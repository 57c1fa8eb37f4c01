"""The commissioner portal: improvement plans and figures of the institutions that granted access.

Reads institutions' data only through `tenants.oversight.learning` (oversight session,
released columns, active grants checked on every call). Every view is recorded in the
commissioner's own audit trail.
"""
from flask import Flask

from lekwijzer.roles import register_permissions

register_permissions({"commissioner.portal": {"viewer", "tenant_admin"}})


def init_app(app: Flask) -> None:
    from lekwijzer.apiblueprint import register

    from . import api, views

    app.register_blueprint(views.bp)
    register(api.blp)
