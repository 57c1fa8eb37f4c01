"""Period handling for the portal (the rules live with the figures, in tenants.oversight.learning)."""
from __future__ import annotations

from marshmallow import fields, validate

from tenants.oversight.learning import (PeriodQuerySchema, default_period, recent_half_years,  # noqa: F401
                                        resolve_period, today_local)


class PortalPeriodSchema(PeriodQuerySchema):
    # One period of comparison by default: the fewer periods, the larger the cells.
    compare = fields.Integer(load_default=1, validate=validate.Range(min=0, max=3))


def today():
    return today_local()
