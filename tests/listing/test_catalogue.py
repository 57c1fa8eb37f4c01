"""The register list and the breach workflow say the same thing in Dutch.

Flask-Babel merges every feature's catalogue into one; where two catalogues translate the
same English text differently, the one loaded last wins on every page, silently (the
register list showed the breach workflow's "te laat" for its own "termijn verstreken").
"""
from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def _catalogue(package: str) -> dict:
    with (ROOT / package / "translations" / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {m.id if isinstance(m.id, str) else tuple(m.id): m.string for m in read_po(fh, locale="nl") if m.id}


def test_shared_texts_have_one_dutch_translation():
    listing, register = _catalogue("tenants/listing"), _catalogue("tenants/register")
    different = {msgid: (listing[msgid], register[msgid]) for msgid in listing.keys() & register.keys()
                 if listing[msgid] != register[msgid]}
    assert different == {}
