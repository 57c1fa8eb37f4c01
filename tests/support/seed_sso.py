"""Isolation seed: one row of each single sign-on tenant table (settings, a linked identity)."""
from __future__ import annotations

from lekwijzer.db import db
from lekwijzer.sso import crypto
from lekwijzer.sso.models import SsoConfig, SsoIdentity
from tests.support.isolation_seed import seeder


@seeder
def _sso(world, key):
    org = world.orgs[key]
    db.session.add(SsoConfig(tenant_id=org.id, enabled=False, issuer=f"https://idp.{key}.test", client_id=f"lw-{key}",
                             client_secret_enc=crypto.encrypt(f"secret-{key}"), allowed_domains=[f"org-{key}.test"],
                             role_mapping=[{"value": "staff", "role": "reporter"}]))
    db.session.add(SsoIdentity(tenant_id=org.id, issuer=f"https://idp.{key}.test", subject=f"sub-{key}",
                               user_id=world.user(key, "reporter").id))
