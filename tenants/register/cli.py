"""`lekwijzer register …`: maintenance of the register for operators."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from lekwijzer.db import db
from lekwijzer.models import Org, OrgKind
from lekwijzer.tenancy import tenant_scope

cli = AppGroup("register", help="The breach registers.")


@cli.command("refresh")
@click.option("--org", "slug", help="Only this institution (slug).")
def refresh(slug):
    """Recompute every breach's derived columns (clock, decisions, severity) from its rows.

    For data written around the workflow (an import, a restored backup, rows from before a
    release that added a derived column). Each institution in its own tenant and
    transaction; the derived values follow the same rule as the breach workflow.
    """
    from .service import refresh_many

    stmt = sa.select(Org.id, Org.slug).where(Org.kind == OrgKind.institution).order_by(Org.slug)
    if slug:
        stmt = stmt.where(Org.slug == slug)
    orgs = db.session.execute(stmt).all()
    if slug and not orgs:
        raise click.UsageError(f"no institution with slug {slug!r}")
    for org_id, org_slug in orgs:
        with tenant_scope(org_id):
            count = refresh_many()  # the scope commits
        click.echo(f"{org_slug}: {count} breaches recomputed")
