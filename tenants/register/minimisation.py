"""Data minimisation in the register (domain.md rule 16): warn, never block.

The register describes kinds of data and numbers of people, not the people. Free text
that looks like it names someone is flagged so the author can rewrite it:

* a BSN: nine digits (optionally grouped with spaces, dots or hyphens) that pass the
  eleven-test (elfproef): 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11, not 0;
* an e-mail address;
* a date of birth: a date next to "geboren", "geb.", "geboortedatum", "born",
  "date of birth" or "DOB" (any other date is a date of events, which belongs there).

Warnings name the field and the kind of finding, never the text that matched (a warning
must not copy the personal data it warns about). Pure module: no database, no Flask.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from lekwijzer.roles import N_

KINDS = {
    "bsn": N_("looks like it contains a citizen service number (BSN)"),
    "email": N_("looks like it contains an e-mail address"),
    "birthdate": N_("looks like it contains a date of birth"),
}

_BSN = re.compile(r"(?<![\d.\-/])(\d(?:[ .\-]?\d){8})(?![\d]|[.\-/]\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
           "jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec|"
           "january|february|march|may|june|july|august|october")
_DATE = rf"(?:\d{{1,2}}[-/.]\d{{1,2}}[-/.](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}\s+(?:{_MONTHS})\.?\s+\d{{4}})"
_BIRTH = re.compile(
    rf"(?:geboren|geb\.|geboortedatum|geboortedag|born|date\s+of\s+birth|d\.?o\.?b\.?)\s*(?:op|on|:)?\s*{_DATE}",
    re.IGNORECASE)


def elfproef(digits: str) -> bool:
    """The BSN eleven-test on nine digits."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])
    return total != 0 and total % 11 == 0


def findings(text: str | None) -> list[str]:
    """The kinds of personal identifiers a text seems to contain (each kind once)."""
    if not text:
        return []
    found = []
    for match in _BSN.finditer(text):
        if elfproef(re.sub(r"\D", "", match.group(1))):
            found.append("bsn")
            break
    if _EMAIL.search(text):
        found.append("email")
    if _BIRTH.search(text):
        found.append("birthdate")
    return found


@dataclass(frozen=True)
class Warning:
    field: str
    kind: str  # bsn | email | birthdate

    def as_dict(self) -> dict:
        from flask_babel import gettext

        return {"field": self.field, "kind": self.kind, "message": gettext(KINDS[self.kind])}


def check(values: Mapping[str, str | None], fields: Iterable[str] | None = None) -> list[Warning]:
    """Warnings for the free-text fields of a mapping (or an object's attributes)."""
    names = list(fields) if fields is not None else list(values)
    return [Warning(name, kind) for name in names for kind in findings(values.get(name))]


def check_object(obj, fields: Iterable[str], prefix: str = "") -> list[Warning]:
    return [Warning(prefix + name, kind) for name in fields for kind in findings(getattr(obj, name, None))]
