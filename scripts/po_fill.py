#!/usr/bin/env python3
"""Fill Dutch translations into an area's catalogue, or list what is missing.

  scripts/po_fill.py platform --missing          print msgids without a Dutch text (JSON)
  scripts/po_fill.py platform nl.json            merge {"msgid": "Dutch text"} into the catalogue
  (the first argument is the folder that holds translations/, e.g. tenants/register)

Then run `scripts/i18n compile`.
"""
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def main(area: str, arg: str) -> None:
    path = Path(area) / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="nl")
    if arg == "--missing":
        missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.id, str) else all(m.string))]
        print(json.dumps([m if isinstance(m, str) else list(m) for m in missing], ensure_ascii=False, indent=1))
        return
    texts = json.loads(Path(arg).read_text(encoding="utf-8"))
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in texts:
            value = texts[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
    with path.open("wb") as fh:
        write_po(fh, catalog, width=76, omit_header=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
