"""What institutions use: incidents, the breach register and workflow, the register list
and exports, measures, PDCA, domain watch, and what the regulator asks of them.

Imports `lekwijzer` (the platform); never `regulator` or `commissioners`. The only door
out of this package for cross-tenant readers is `tenants.oversight` (metadata, no text).
"""
from flask import Flask

from . import domains, learning, listing, register, supervision


def init_app(app: Flask) -> None:
    for feature in (register, listing, learning, domains, supervision):
        feature.init_app(app)
