"""The ENISA 2013 method, worked cases (pure module; no database)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tenants.register import severity
from tenants.register.severity import Inputs, SeverityError, assess


def case(categories, ei, nature, *, c=None, i=None, a=None, malicious=False, adj=0, reason=None, persons_max=None,
         unintelligible=None, subjects=()):
    return assess(Inputs(data_categories=tuple(categories), ease_of_identification=ei, nature=tuple(nature),
                         confidentiality_level=c, integrity_level=i, availability_level=a, malicious=malicious,
                         dpc_adjustment=adj, dpc_adjustment_reason=reason, persons_max=persons_max,
                         unintelligible=unintelligible), subjects)


# (description, inputs, expected DPC final, expected score, expected band)
WORKED = [
    ("child-protection report (health data) e-mailed to one wrong recipient (domain.md's youth-care example)",
     dict(categories=["health", "child_protection_measure"], ei="1", nature=["confidentiality"], c="known_recipients"),
     4, "4.25", "very_high"),
    ("boundary: simple data +1 for profiling, fully identifiable, no circumstances: exactly 2.0 is medium",
     dict(categories=["name_address"], ei="1", nature=["availability"], a="recoverable_easily", adj=1,
          reason="Volume allows profiling."), 2, "2", "medium"),
    ("just below the boundary: 1.75 is low",
     dict(categories=["location"], ei="0.75", nature=["confidentiality"], c="known_recipients"), 2, "1.75", "low"),
    ("boundary: financial data, maximum identification, no circumstances: exactly 3.0 is high",
     dict(categories=["financial"], ei="1", nature=["confidentiality"], c="none_evidence"), 3, "3", "high"),
    ("boundary: sensitive data, maximum identification: exactly 4.0 is very high",
     dict(categories=["health"], ei="1", nature=["confidentiality"], c="none_evidence"), 4, "4", "very_high"),
    ("the maximum of the method: 4 × 1 + 0.5 + 0.5 + 0.5 + 0.5 = 6",
     dict(categories=["criminal"], ei="1", nature=["confidentiality", "integrity", "availability"],
          c="unknown_recipients", i="misuse_not_recoverable", a="permanent", malicious=True), 4, "6", "very_high"),
    ("the minimum of the method: 1 × 0.25 + 0 = 0.25",
     dict(categories=["contact"], ei="0.25", nature=["availability"], a="recoverable_easily"), 1, "0.25", "low"),
    ("several kinds of data: the highest base counts, never the sum (1, 2, 3 → 3)",
     dict(categories=["name_address", "location", "financial"], ei="0.5", nature=["confidentiality"],
          c="known_recipients"), 3, "1.75", "low"),
    ("ransomware at a processor: health data, unknown recipients, temporary unavailability, malicious",
     dict(categories=["health", "bsn"], ei="1", nature=["confidentiality", "availability"], c="unknown_recipients",
          a="temporary", malicious=True), 4, "5.25", "very_high"),
    ("encrypted laptop stolen: theft is malicious, no evidence the data were read",
     dict(categories=["contact"], ei="0.5", nature=["confidentiality"], c="none_evidence", malicious=True,
          unintelligible="yes_intact"), 1, "1", "low"),
    ("report filed in another client's dossier: simple data +2 (minors), read and altered",
     dict(categories=["family_situation"], ei="1", nature=["confidentiality", "integrity"], c="known_recipients",
          i="misuse_recoverable", adj=2, reason="Gezinsinformatie over minderjarigen."), 3, "3.5", "high"),
    ("ENISA Annex A3: a list of persons accused of child abuse is simple data scored 4",
     dict(categories=["child_abuse_domestic_violence"], ei="1", nature=["confidentiality"], c="unknown_recipients",
          adj=3, reason="Kan de persoonlijke veiligheid van betrokkenen raken."), 4, "4.5", "very_high"),
    ("open cc list of foster parents: contact data +1, significant identification",
     dict(categories=["contact"], ei="0.75", nature=["confidentiality"], c="known_recipients", adj=1,
          reason="Uit de lijst blijkt wie pleegouder is."), 2, "1.75", "low"),
    ("an adjustment never leaves 1–4: sensitive data +2 stays 4",
     dict(categories=["health"], ei="0.5", nature=["confidentiality"], c="known_recipients", adj=2,
          reason="Veel gegevens per persoon."), 4, "2.25", "medium"),
    ("an adjustment never leaves 1–4: simple data −3 stays 1",
     dict(categories=["name_address"], ei="1", nature=["confidentiality"], c="none_evidence", adj=-3,
          reason="Publiek beschikbaar vóór het datalek."), 1, "1", "low"),
]


@pytest.mark.parametrize("description,inputs,dpc,score,band", WORKED, ids=[w[0][:60] for w in WORKED])
def test_worked_cases(description, inputs, dpc, score, band):
    result = case(**inputs)
    assert result.dpc_final == dpc
    assert result.score == Decimal(score) and isinstance(result.score, Decimal)
    assert result.band == band


def test_at_least_ten_worked_cases():
    assert len(WORKED) >= 10


def test_bands_are_inclusive_at_the_bottom():
    assert [severity.band(Decimal(s)) for s in ("1.75", "2", "2.0", "2.75", "3", "3.75", "4", "6")] == \
        ["low", "medium", "medium", "medium", "high", "high", "very_high", "very_high"]


def test_the_formula_is_shown_with_its_numbers():
    result = case(["health"], "1", ["confidentiality"], c="known_recipients")
    assert result.formula() == "SE = 4 × 1 + (0.25 + 0 + 0 + 0) = 4.25"
    assert result.formula(",") == "SE = 4 × 1 + (0,25 + 0 + 0 + 0) = 4,25"
    assert result.cb == Decimal("0.25")


def test_an_adjustment_without_a_reason_is_refused():
    with pytest.raises(SeverityError) as err:
        case(["name_address"], "1", ["confidentiality"], c="known_recipients", adj=2)
    assert err.value.field == "dpc_adjustment_reason"
    with pytest.raises(SeverityError):
        case(["name_address"], "1", ["confidentiality"], c="known_recipients", adj=2, reason="   ")
    # Also when the clamp hides it: 4 + 1 stays 4, but the adjustment was still made.
    with pytest.raises(SeverityError):
        case(["health"], "1", ["confidentiality"], c="known_recipients", adj=1)


def test_no_silent_defaults():
    with pytest.raises(SeverityError) as err:
        case([], "1", ["confidentiality"], c="known_recipients")
    assert err.value.field == "data_categories"
    with pytest.raises(SeverityError) as err:
        case(["health"], None, ["confidentiality"], c="known_recipients")
    assert err.value.field == "ease_of_identification"
    with pytest.raises(SeverityError) as err:
        case(["health"], "0.6", ["confidentiality"], c="known_recipients")
    assert err.value.field == "ease_of_identification"
    with pytest.raises(SeverityError) as err:
        case(["health"], "1", ["confidentiality"])
    assert err.value.field == "confidentiality_level"
    with pytest.raises(SeverityError) as err:
        case(["health"], "1", [], c="known_recipients")
    assert err.value.field == "nature"
    with pytest.raises(SeverityError) as err:
        assess(Inputs(("health",), "1", ("confidentiality",), confidentiality_level="known_recipients", malicious=None))
    assert err.value.field == "malicious"
    with pytest.raises(SeverityError) as err:
        case(["health"], "1", ["confidentiality"], c="known_recipients", adj=4, reason="te veel")
    assert err.value.field == "dpc_adjustment"


def test_elements_not_affected_score_zero_whatever_level_was_left():
    result = case(["health"], "1", ["confidentiality"], c="known_recipients", a="permanent", i="misuse_not_recoverable")
    assert (result.cb_integrity, result.cb_availability) == (Decimal("0"), Decimal("0"))


def test_flags_do_not_change_the_score():
    many = case(["contact"], "1", ["confidentiality"], c="known_recipients", persons_max=101)
    few = case(["contact"], "1", ["confidentiality"], c="known_recipients", persons_max=100)
    assert many.flag_over_100 and not few.flag_over_100 and many.score == few.score
    locked = case(["contact"], "1", ["confidentiality"], c="known_recipients", unintelligible="yes_intact")
    assert locked.flag_unintelligible and locked.score == few.score


def test_special_categories_and_criminal_data_have_base_4():
    for category in ("health", "genetic", "biometric", "racial_ethnic", "political", "religious",
                     "sex_life_orientation", "trade_union", "criminal"):
        assert severity.dpc_base([category]) == 4, category


def test_prompts_for_minors_youth_care_data_and_credentials():
    assert severity.prompts(["name_address"], ["child_client"]) == ("minors_vulnerable",)
    assert "youth_care_context" in severity.prompts(["reporter_identity"], [])
    assert "credentials" in severity.prompts(["credentials"], [])
    assert severity.prompts(["name_address"], ["employee"]) == ()


def test_malicious_intent_is_suggested_by_the_cause():
    assert severity.suggested_malicious("external_malicious") is True
    assert severity.suggested_malicious("internal_non_malicious") is False
    assert severity.suggested_malicious("tbd") is None
