"""The register's Dutch catalogue is complete and compiled."""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "tenants" / "register" / "translations" / "nl" / "LC_MESSAGES"


def test_every_string_has_dutch_and_the_compiled_catalogue_is_current():
    with (CATALOGUE / "messages.po").open("rb") as fh:
        po = read_po(fh, locale="nl")
    with (CATALOGUE / "messages.mo").open("rb") as fh:
        mo = read_mo(fh)
    missing = [m.id for m in po if m.id and not (m.string if isinstance(m.id, str) else all(m.string))]
    assert not missing, missing[:10]
    def same(a, b):
        norm = lambda x: tuple(x) if isinstance(x, (list, tuple)) else x  # noqa: E731
        return norm(a) == norm(b)

    stale = [m.id for m in po if m.id and (mo.get(m.id) is None or not same(mo.get(m.id).string, m.string))]
    assert not stale, stale[:10]
    assert len(po) > 800
