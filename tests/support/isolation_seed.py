"""Seed one object of every kind for an organisation of the test world.

Areas add a function to SEEDERS that creates, inside the current tenant, at least one
row of each table they own (the isolation walk needs a row of B for every <table>_id).
"""
from __future__ import annotations

from typing import Callable

from lekwijzer import audit
from lekwijzer.auth import tokens
from lekwijzer.db import db
from lekwijzer.tenancy import tenant_scope

SEEDERS: list[Callable] = []


def seeder(fn):
    SEEDERS.append(fn)
    return fn


@seeder
def _platform(world, key):
    org = world.orgs[key]
    tokens.issue(org, "seed", "privacy_officer", 30, None)
    audit.record("seed.created", "org", org.id)


def _load_feature_seeders() -> None:
    # Features keep their seeders in tests/support/seed_<feature>.py.
    import importlib
    import pkgutil

    import tests.support as support

    for info in pkgutil.iter_modules(support.__path__):
        if info.name.startswith("seed_"):
            importlib.import_module(f"tests.support.{info.name}")


def seed_everything(world, key):
    _load_feature_seeders()
    org = world.orgs[key]
    for fn in SEEDERS:
        with tenant_scope(org.id):
            fn(world, key)
            db.session.flush()
