"""The supervisory portal of the AP: intake, reconciliation, gaps, sector statistics.

Imports `lekwijzer`; reads institutions' registers only through `tenants.oversight`
(metadata and aggregates, never free text).
"""
from flask import Flask

from . import models  # noqa: F401  (tables known to migrations and the isolation walk)


def init_app(app: Flask) -> None:
    """Register this area's blueprints, API and jobs."""
    from . import views

    views.init_app(app)
