"""The `lekwijzer` command: Flask's CLI plus our own commands."""
from __future__ import annotations

import sys
import time

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .db import db


def _create_app():
    from .app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main():
    """Lekwijzer: breach registers for Dutch youth care."""


@click.group("audit")
def audit_group():
    """The audit trail."""


@audit_group.command("verify")
@click.option("--org", "slug", help="Only this organisation (slug).")
@with_appcontext
def audit_verify(slug):
    """Verify every organisation's hash chain; exit 1 when anything was changed or removed."""
    from . import audit
    from .models import Org
    from .tenancy import tenant_scope

    stmt = sa.select(Org).order_by(Org.slug)
    if slug:
        stmt = stmt.where(Org.slug == slug)
    broken = 0
    for org in db.session.scalars(stmt).all():
        with tenant_scope(org.id):
            problems = audit.verify(org.id)
        if problems:
            broken += 1
            click.echo(f"{org.slug}: {len(problems)} problem(s)")
            for problem in problems:
                click.echo(f"  {problem}")
        else:
            click.echo(f"{org.slug}: intact")
    sys.exit(1 if broken else 0)


@audit_group.command("verify-file")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def audit_verify_file(path):
    """Check a downloaded audit trail (JSON Lines) without the database; exit 1 on any problem."""
    from . import audit

    with open(path, encoding="utf-8") as lines:
        problems = audit.verify_lines(lines)
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"{path}: {len(problems)} problem(s)" if problems else f"{path}: intact")
    sys.exit(1 if problems else 0)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker(burst):
    """Run an rq worker for Lekwijzer's queue (with the scheduler, for retries with backoff)."""
    from .jobs.queue import get_queue, redis_connection
    from .jobs.worker import LekwijzerWorker

    if current_app.config["JOBS_INLINE"]:
        raise click.ClickException("Jobs run inline (no REDIS_URL set); there is nothing for a worker to do.")
    queue = get_queue()
    LekwijzerWorker([queue], connection=redis_connection()).work(burst=burst, with_scheduler=True)


@click.command("relay")
@with_appcontext
def relay_once():
    """Send outbox jobs that Redis missed (once)."""
    from .jobs import relay

    click.echo(f"sent {relay()} job(s)")


@click.command("clock")
@click.option("--interval", default=30, show_default=True, help="Seconds between ticks.")
@click.option("--ticks", default=0, help="Stop after this many ticks (0: run forever).")
@with_appcontext
def clock(interval, ticks):
    """Relay missed jobs and enqueue periodic sweeps. Safe to run more than one."""
    from .jobs.clock import tick

    n = 0
    while True:
        tick()
        n += 1
        if ticks and n >= ticks:
            return
        time.sleep(interval)


@click.group("demo")
def demo_group():
    """Demo data."""


@demo_group.command("seed")
@click.option("--password", default="demo", show_default=True, help="Password of every demo account.")
@with_appcontext
def demo_seed(password):
    """Seed a small sector: institutions, two regions, the regulator, an operator."""
    from .demo import seed

    accounts = seed(password)
    click.echo("\nDemo accounts (password: %s):" % password)
    for email, org, roles in accounts:
        click.echo(f"  {email:<50} {org:<40} {roles}")


@click.group("dbadmin")
def dbadmin_group():
    """PostgreSQL roles and row-level security."""


@dbadmin_group.command("bootstrap")
@click.option("--superuser-url", required=True, help="postgresql://postgres@host/postgres")
@click.option("--database", required=True)
@click.option("--owner", default="lekwijzer_owner", show_default=True)
@click.option("--app-role", default="lekwijzer_app", show_default=True)
@click.option("--oversight-role", default="lekwijzer_oversight", show_default=True)
@click.password_option("--password", help="Password for the three roles (one each in production: use ALTER ROLE).")
def bootstrap(superuser_url, database, owner, app_role, oversight_role, password):
    """Create the owner, app and oversight roles and the database (once, as a superuser)."""
    from .dbsecurity import bootstrap as do_bootstrap

    engine = sa.create_engine(superuser_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        do_bootstrap(conn, database, (owner, password), (app_role, password), (oversight_role, password))
    click.echo(f"roles {owner}, {app_role}, {oversight_role} and database {database} are ready")


@dbadmin_group.command("secure")
@with_appcontext
def secure():
    """Re-apply grants and row-level security (also done after every migration)."""
    from .dbsecurity import apply

    engine = sa.create_engine(current_app.config["DATABASE_OWNER_URL"])
    with engine.begin() as conn:
        apply(conn, current_app.config["DB_APP_ROLE"], current_app.config["DB_OVERSIGHT_ROLE"])
    click.echo("grants and policies applied")


def init_app(app: Flask) -> None:
    for group in (audit_group, demo_group, dbadmin_group, worker, relay_once, clock):
        app.cli.add_command(group)
