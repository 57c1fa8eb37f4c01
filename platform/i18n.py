"""Dutch first, English second.

Msgids are English; the Dutch catalogue is complete (tests/test_i18n.py checks every
string). Each area keeps its own catalogue; Flask-Babel merges them.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request, session
from flask_babel import format_date, format_datetime, lazy_gettext as _l

from .extensions import babel

AREAS = ("platform", "tenants", "commissioners", "regulator")
ROOT = Path(__file__).resolve().parent.parent


def translation_dirs() -> list[Path]:
    """Every catalogue: one per area, and one per feature package inside an area."""
    found = []
    for area in AREAS:
        found += sorted(p for p in (ROOT / area).glob("**/translations") if (p / "nl").is_dir())
    return found


def select_locale() -> str:
    from flask import current_app

    langs = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in langs:
        return chosen
    user = getattr(g, "user", None)
    if user is not None and getattr(user, "locale", None) in langs:
        return user.locale
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(langs) or "en"
    # Pages: Dutch unless the person chose otherwise in the app. Browser defaults in NL
    # are often English; the language switch is on every page.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(p) for p in translation_dirs())
    babel.init_app(app, locale_selector=select_locale)
    # One way to show a moment and one to show a day, on every page: {{ x|dt }}, {{ d|day }}.
    app.jinja_env.filters["dt"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else "–"
    app.jinja_env.filters["day"] = lambda value, fmt="medium": format_date(value, fmt) if value else "–"
    app.jinja_env.add_extension("jinja2.ext.do")


# Marshmallow's and our shared validation messages, so that the catalogue holds them and
# errors reach people in their language (see forms.translate_errors).
VALIDATION_MESSAGES = [
    _l("Missing data for required field."),
    _l("Field may not be null."),
    _l("Not a valid string."),
    _l("Not a valid integer."),
    _l("Not a valid number."),
    _l("Not a valid boolean."),
    _l("Not a valid datetime."),
    _l("Not a valid date."),
    _l("Not a valid UUID."),
    _l("Not a valid email address."),
    _l("Not a valid list."),
    _l("Unknown field."),
    _l("Invalid input type."),
    _l("Invalid value."),
    _l("Must be one of: {choices}."),
    _l("Length must be between {min} and {max}."),
    _l("Shorter than minimum length {min}."),
    _l("Longer than maximum length {max}."),
    _l("Must be greater than or equal to {min}."),
    _l("Must be less than or equal to {max}."),
    _l("Must be greater than or equal to {min} and less than or equal to {max}."),
    _l("String does not match expected pattern."),
]
