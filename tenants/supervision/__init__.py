"""The institution's side of supervision: the AP's findings about its register and how it
answers them, its figures beside the sector's, exactly what the AP sees about it, and
the AP's requests for its full register (reviewed and released by the institution)."""
from flask import Flask

from tenants.oversight import models  # noqa: F401  (tables known to migrations and the isolation walk)


def init_app(app: Flask) -> None:
    """Register this feature's blueprints, API and jobs."""
    from . import views  # noqa: F401

    views.init_app(app)
