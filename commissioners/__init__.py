"""What commissioning municipalities and youth-care regions see.

Imports `lekwijzer` and reads institutions' data only through `tenants.oversight`:
improvement plans and aggregate figures of the institutions that granted access,
never the contents of a breach.
"""
from flask import Flask

from . import portal


def init_app(app: Flask) -> None:
    """Register this area's blueprints and API."""
    portal.init_app(app)
