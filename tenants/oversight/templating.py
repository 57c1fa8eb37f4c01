"""Templates and template helpers both sides of supervision use (the profile partial, labels)."""
from __future__ import annotations

from flask import Blueprint, Flask

from . import labels

bp = Blueprint("oversight_templates", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/oversight")


def label(group: str, key) -> str:
    """The label of a code, e.g. {{ label('FINDING_KIND', finding.kind) }}, in the reader's language."""
    return labels.label(getattr(labels, group), key)


def hours(value) -> str:
    if value is None:
        return "–"
    from flask_babel import format_decimal, gettext

    if abs(value) >= 48:
        return gettext("%(days)s days", days=format_decimal(round(value / 24, 1)))
    return gettext("%(hours)s hours", hours=format_decimal(round(value, 1)))


def number(value, digits: int = 1) -> str:
    from flask_babel import format_decimal

    if value is None:
        return "–"
    return format_decimal(round(value, digits))


def init_app(app: Flask) -> None:
    if bp.name in app.blueprints:
        return
    app.register_blueprint(bp)
    app.add_template_global(label, "label")
    app.add_template_filter(hours, "hours")
    app.add_template_filter(number, "number")
