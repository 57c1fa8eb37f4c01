"""The interface shell: security headers, local assets only, health, translations."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_security_headers_on_pages(app):
    response = app.test_client().get("/login")
    h = response.headers
    assert h["Content-Security-Policy"].startswith("default-src 'self'")
    assert "script-src 'self'" in h["Content-Security-Policy"] and "unsafe-inline" not in h["Content-Security-Policy"]
    assert h["X-Content-Type-Options"] == "nosniff" and h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "same-origin" and h["Cache-Control"] == "no-store"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_templates_and_styles_load_nothing_from_elsewhere():
    offenders = []
    for folder in ("platform", "tenants", "commissioners", "regulator"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".html", ".css"} or "vendor" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r'(src|href)=["\']https?://|@import\s+url\(["\']?https?://|url\(["\']?https?://', text):
                offenders.append(str(path.relative_to(ROOT)))
            pdf_only = path.name.endswith("_pdf.html")  # rendered by WeasyPrint, never served
            if not pdf_only and (re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r'\sstyle="', text)):
                offenders.append(f"{path.relative_to(ROOT)} (inline script or style, blocked by the CSP)")
    assert offenders == []


def test_health_and_readiness(app):
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"]["database"] == "ok"


@pytest.mark.redis
def test_readiness_fails_when_redis_is_unreachable(app):
    from tests.support.services import free_port

    app.config.update(JOBS_INLINE=False, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503 and ready.json["checks"]["redis"].startswith("unavailable")


def test_every_string_has_a_dutch_translation_and_catalogues_are_compiled(tmp_path):
    """Extract the msgids anew and check the Dutch catalogues hold all of them, compiled."""
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    from lekwijzer.i18n import translation_dirs

    for tdir in translation_dirs():
        pkg = tdir.parent
        ignore = [f"--ignore-dirs={p.parent.relative_to(pkg)}" for p in translation_dirs()
                  if p.parent != pkg and pkg in p.parent.parents]
        pot = tmp_path / f"{pkg.name}.pot"
        subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", str(ROOT / "babel.cfg"),
                        "-k", "lazy_gettext", "-k", "_l", "-k", "N_", "-k", "ngettext:1,2", "--no-location",
                        *ignore, "-o", str(pot), str(pkg)], check=True, capture_output=True, cwd=ROOT)
        with pot.open("rb") as fh:
            wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
        po_path = tdir / "nl" / "LC_MESSAGES" / "messages.po"
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale="nl")
        have = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}
        missing = sorted(w for w in wanted if w not in have or not have[w].string or "fuzzy" in have[w].flags)
        assert not missing, f"{po_path.relative_to(ROOT)} lacks Dutch for: {missing[:10]}"
        with (tdir / "nl" / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
            compiled = read_mo(fh)
        stale = sorted(w for w in wanted if not compiled.get(w) and not any(
            isinstance(k, tuple) and k[0] == w for k in (m.id for m in compiled)))
        assert not stale, f"{tdir.relative_to(ROOT)}: .mo is out of date (scripts/i18n compile): {stale[:5]}"


def test_pages_are_dutch_by_default_and_english_on_request(app, world, login):
    client = login(app, world.user("a", "tenant_admin"))
    nl = client.get("/o/org-a/admin/members").get_data(as_text=True)
    assert '<html lang="nl"' in nl and "Lid toevoegen" in nl
    client.post("/lang", {"lang": "en", "next": "/"})
    en = client.get("/o/org-a/admin/members").get_data(as_text=True)
    assert '<html lang="en"' in en and "Add a member" in en


def test_one_english_text_has_one_dutch_text_across_all_catalogues():
    """Flask-Babel merges the catalogues; a msgid translated twice would show either text."""
    from babel.messages.pofile import read_po

    from lekwijzer.i18n import translation_dirs

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for tdir in translation_dirs():
        with (tdir / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            for message in read_po(fh, locale="nl"):
                if not message.id or not isinstance(message.id, str) or not message.string:
                    continue
                where = str(tdir.parent.relative_to(ROOT))
                if message.id in seen and seen[message.id][0] != message.string:
                    clashes.append(f"{message.id!r}: {seen[message.id][1]} says {seen[message.id][0]!r}, "
                                   f"{where} says {message.string!r}")
                seen.setdefault(message.id, (message.string, where))
    assert clashes == []
