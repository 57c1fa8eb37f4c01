"""Template helpers of the breach pages: labels of codes, numbers, durations, local input values."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import Flask
from markupsafe import Markup, escape
from flask_babel import format_decimal, get_locale, gettext, ngettext

from . import clock, enums, formvalues, severity


def label(key, mapping_name: str) -> str:
    if key is None or key == "":
        return "–"
    msgid = enums.label_of(getattr(enums, mapping_name), key)
    return gettext(msgid) if msgid else str(key)


def labels(keys, mapping_name: str) -> str:
    return "; ".join(label(k, mapping_name) for k in (keys or [])) or "–"


def number(value) -> str:
    if value is None:
        return "–"
    return format_decimal(Decimal(value).normalize(), format="#,##0.##")


def duration(delta: timedelta | None) -> str:
    if delta is None:
        return "–"
    days, hours, minutes = clock.split(delta)
    parts = []
    if days:
        parts.append(ngettext("%(num)s day", "%(num)s days", days))
    if hours or days:
        parts.append(ngettext("%(num)s hour", "%(num)s hours", hours))
    if not days:
        parts.append(ngettext("%(num)s minute", "%(num)s minutes", minutes))
    return " ".join(parts)


def text(value) -> Markup:
    """Free text as typed: escaped, line breaks kept; a dash when empty."""
    if value is None or str(value).strip() == "":
        return Markup("–")
    return Markup("<br>").join(escape(line) for line in str(value).splitlines())


def formula(assessment) -> str:
    """The stored formula with the reader's decimal sign."""
    sign = "," if str(get_locale()).startswith("nl") else "."
    return severity.formula(assessment.dpc_final, assessment.ease_of_identification,
                            (assessment.cb_confidentiality, assessment.cb_integrity, assessment.cb_availability,
                             assessment.cb_malicious), assessment.score, sign)


def init_filters(app: Flask) -> None:
    app.add_template_filter(label, "reg_label")
    app.add_template_filter(labels, "reg_labels")
    app.add_template_filter(number, "reg_number")
    app.add_template_filter(duration, "reg_duration")
    app.add_template_filter(formula, "reg_formula")
    app.add_template_filter(text, "reg_text")
    app.add_template_filter(formvalues.local_input, "reg_input")
    app.add_template_global(enums, "reg_enums")
    app.add_template_global(enums.options, "reg_options")
