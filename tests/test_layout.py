"""The design card's layout holds, and `platform/` never shadows Python's `platform`."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_top_level_is_the_design_card():
    for name in ("pyproject.toml", "wsgi.py", "platform", "tenants", "regulator", "migrations", "tests",
                 "deploy", "README.md", ".ci/run"):
        assert (ROOT / name).exists(), name
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_import_platform_from_the_repository_root_gives_the_standard_module():
    out = subprocess.run([sys.executable, "-c", "import platform; print(platform.python_implementation())"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == sys.implementation.name.replace("cpython", "CPython") or out.stdout.strip() in (
        "CPython", "PyPy")


def test_the_explicit_package_list_matches_the_folders_on_disk():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapping = config["package-dir"]
    declared = set(config["packages"])
    on_disk = set()
    for import_name, folder in mapping.items():
        base = ROOT / folder
        if not base.exists():
            continue
        if (base / "__init__.py").exists() or import_name == "lekwijzer":
            on_disk.add(import_name)
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base)
            if rel.parts and "templates" not in rel.parts and "translations" not in rel.parts:
                on_disk.add(".".join((import_name, *rel.parts)))
    assert declared == on_disk


def test_each_area_has_a_readme_that_says_what_it_may_import():
    for area in ("platform", "tenants", "regulator", "commissioners"):
        text = (ROOT / area / "README.md").read_text()
        assert "import" in text.lower(), area


def test_the_ci_script_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/test" in ci and "scripts/test" in readme
    assert readme.index("scripts/demo") < readme.index("## ")  # the two commands open the README
