"""Explainable severity: the ENISA 2013 method (Recommendations for a methodology of the
assessment of severity of personal data breaches, v1.0, December 2013), exactly.

    SE = DPC × EI + CB

* DPC (data processing context): the base score of the most serious kind of personal
  data involved (simple 1, behavioural 2, financial 3, sensitive 4; several kinds → the
  highest, never a sum), adjusted for the context by a whole number with a written
  reason, and kept within 1–4.
* EI (ease of identification): 0.25 negligible, 0.5 limited, 0.75 significant, 1 maximum.
* CB (circumstances of the breach): added, not maximised: confidentiality 0 / 0.25 /
  0.5, integrity 0 / 0.25 / 0.5, availability 0 / 0.25 / 0.5, malicious intent + 0.5.
  An element that was not affected scores 0; an affected element must have its level.
* Bands, inclusive at the bottom: SE < 2 low, 2 ≤ SE < 3 medium, 3 ≤ SE < 4 high,
  SE ≥ 4 very high. Exactly 2.0 is medium.
* Flags do not change the score: more than 100 people; data unintelligible.

Nothing is defaulted silently: a missing input is an error naming what is missing. All
arithmetic is exact (Decimal). This module is pure: no database, no Flask.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

from lekwijzer.roles import N_

from .enums import (AVAILABILITY_LEVEL, CONFIDENTIALITY_LEVEL, DATA_CATEGORY, INTEGRITY_LEVEL,
                    MALICIOUS_CAUSES, MINOR_OR_VULNERABLE, YOUTH_CARE_SENSITIVE)

METHOD = "enisa-2013-v1"
ENISA_BASE = {"simple": 1, "behavioural": 2, "financial": 3, "sensitive": 4}
EI_LEVELS = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal("1"))
ADJUSTMENT_RANGE = range(-3, 4)
MALICIOUS_SCORE = Decimal("0.5")
BANDS = (("very_high", Decimal("4")), ("high", Decimal("3")), ("medium", Decimal("2")), ("low", Decimal("0")))
BAND_ORDER = ("low", "medium", "high", "very_high")
LEVELS = {
    "confidentiality": CONFIDENTIALITY_LEVEL,
    "integrity": INTEGRITY_LEVEL,
    "availability": AVAILABILITY_LEVEL,
}


class SeverityError(ValueError):
    """An input is missing or not allowed. `field` names it; the message is an msgid."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Inputs:
    data_categories: tuple[str, ...]
    ease_of_identification: Decimal | str | None
    nature: tuple[str, ...]
    confidentiality_level: str | None = None
    integrity_level: str | None = None
    availability_level: str | None = None
    malicious: bool | None = None
    dpc_adjustment: int = 0
    dpc_adjustment_reason: str | None = None
    persons_max: int | None = None
    unintelligible: str | None = None


@dataclass(frozen=True)
class Result:
    dpc_base: int
    dpc_basis: tuple[tuple[str, str, int], ...]  # (data category, ENISA category, base) per category
    dpc_adjustment: int
    dpc_final: int
    ease_of_identification: Decimal
    cb_confidentiality: Decimal
    cb_integrity: Decimal
    cb_availability: Decimal
    cb_malicious: Decimal
    score: Decimal
    band: str
    flag_over_100: bool
    flag_unintelligible: bool
    prompts: tuple[str, ...] = field(default=())

    @property
    def cb(self) -> Decimal:
        return self.cb_confidentiality + self.cb_integrity + self.cb_availability + self.cb_malicious

    def formula(self, decimal_sign: str = ".") -> str:
        return formula(self.dpc_final, self.ease_of_identification,
                       (self.cb_confidentiality, self.cb_integrity, self.cb_availability, self.cb_malicious),
                       self.score, decimal_sign)


def number(value: Decimal | int, decimal_sign: str = ".") -> str:
    """2 → '2', 0.50 → '0.5', 4.25 → '4.25' (no trailing zeros, the given decimal sign)."""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", decimal_sign)


def formula(dpc: int, ei: Decimal, cb_parts, score: Decimal, decimal_sign: str = ".") -> str:
    """'SE = 4 × 1 + (0.25 + 0 + 0 + 0) = 4.25': the formula with its numbers."""
    parts = " + ".join(number(p, decimal_sign) for p in cb_parts)
    return (f"SE = {dpc} × {number(ei, decimal_sign)} + ({parts}) = "
            f"{number(score.quantize(Decimal('0.01')), decimal_sign)}")


def band(score: Decimal) -> str:
    """ENISA's severity level; bounds are inclusive at the bottom (2.0 is medium)."""
    for name, bottom in BANDS:
        if score >= bottom:
            return name
    return "low"


def dpc_basis(categories: Iterable[str]) -> tuple[tuple[str, str, int], ...]:
    out = []
    for key in categories:
        if key not in DATA_CATEGORY:
            raise SeverityError("data_categories", N_("Unknown kind of personal data."))
        enisa = DATA_CATEGORY[key][1]
        out.append((key, enisa, ENISA_BASE[enisa]))
    return tuple(out)


def dpc_base(categories: Iterable[str]) -> int:
    """The highest base score of the kinds of data involved (never a sum)."""
    basis = dpc_basis(categories)
    if not basis:
        raise SeverityError("data_categories", N_("Record which kinds of personal data were involved first."))
    return max(base for _key, _enisa, base in basis)


def suggested_malicious(cause: str | None) -> bool | None:
    """ENISA's malicious intent is suggested by the cause; None when the cause is open."""
    if cause in MALICIOUS_CAUSES:
        return True
    if cause in ("internal_non_malicious", "external_non_malicious"):
        return False
    return None


def prompts(categories: Iterable[str], subject_categories: Iterable[str]) -> tuple[str, ...]:
    """Hints shown next to the DPC adjustment (decision support; never applied silently)."""
    categories, subjects = set(categories), set(subject_categories)
    out = []
    if subjects & MINOR_OR_VULNERABLE:
        out.append("minors_vulnerable")
    if categories & YOUTH_CARE_SENSITIVE:
        out.append("youth_care_context")
    if "credentials" in categories:
        out.append("credentials")
    if "unknown" in categories:
        out.append("unknown_category")
    return tuple(out)


def _ei(value) -> Decimal:
    if value is None or value == "":
        raise SeverityError("ease_of_identification", N_("Choose the ease of identification."))
    try:
        ei = Decimal(str(value))
    except ArithmeticError:
        raise SeverityError("ease_of_identification", N_("Choose one of 0.25, 0.5, 0.75 or 1.")) from None
    if ei not in EI_LEVELS:
        raise SeverityError("ease_of_identification", N_("Choose one of 0.25, 0.5, 0.75 or 1."))
    return ei


def _cb(nature: tuple[str, ...], element: str, level: str | None) -> Decimal:
    if element not in nature:
        return Decimal("0")  # not affected: scores 0, whatever level was left behind
    if not level:
        raise SeverityError(f"{element}_level", N_("Give the level for each affected element (C, I, A)."))
    if level not in LEVELS[element]:
        raise SeverityError(f"{element}_level", N_("Unknown level."))
    return Decimal(LEVELS[element][level][0])


def assess(inp: Inputs, subject_categories: Iterable[str] = ()) -> Result:
    """Score a breach. Raises SeverityError for the first missing or invalid input."""
    basis = dpc_basis(inp.data_categories)
    base = dpc_base(inp.data_categories)
    adjustment = inp.dpc_adjustment or 0
    if adjustment not in ADJUSTMENT_RANGE:
        raise SeverityError("dpc_adjustment", N_("The adjustment lies between −3 and +3."))
    if adjustment and not (inp.dpc_adjustment_reason or "").strip():
        raise SeverityError("dpc_adjustment_reason", N_("Explain why the data processing context is adjusted."))
    final = min(4, max(1, base + adjustment))
    ei = _ei(inp.ease_of_identification)
    nature = tuple(inp.nature or ())
    if not nature:
        raise SeverityError("nature", N_("Record the nature of the breach (confidentiality, integrity, "
                                         "availability) first."))
    unknown = set(nature) - set(LEVELS)
    if unknown:
        raise SeverityError("nature", N_("Unknown nature."))
    c = _cb(nature, "confidentiality", inp.confidentiality_level)
    i = _cb(nature, "integrity", inp.integrity_level)
    a = _cb(nature, "availability", inp.availability_level)
    if inp.malicious is None:
        raise SeverityError("malicious", N_("Say whether the breach was malicious."))
    m = MALICIOUS_SCORE if inp.malicious else Decimal("0")
    score = Decimal(final) * ei + c + i + a + m
    return Result(
        dpc_base=base, dpc_basis=basis, dpc_adjustment=adjustment, dpc_final=final,
        ease_of_identification=ei, cb_confidentiality=c, cb_integrity=i, cb_availability=a,
        cb_malicious=m, score=score, band=band(score),
        flag_over_100=inp.persons_max is not None and inp.persons_max > 100,
        flag_unintelligible=inp.unintelligible == "yes_intact",
        prompts=prompts(inp.data_categories, subject_categories),
    )
