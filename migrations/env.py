"""Alembic environment: runs as the owner role, then re-applies grants and RLS."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import context
from flask import current_app

config = context.config
log = logging.getLogger("alembic.env")


def _metadata():
    from lekwijzer.db import db

    return db.metadata


def _owner_url() -> str:
    return current_app.config["DATABASE_OWNER_URL"]


def run_migrations_offline() -> None:
    context.configure(url=_owner_url(), target_metadata=_metadata(), literal_binds=True,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    from lekwijzer.dbsecurity import apply

    engine = sa.create_engine(_owner_url(), poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=_metadata(),
                          render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
            # Every table with tenant_id gets RLS + policies, and the roles their grants,
            # derived from the models: a new table cannot be left unprotected.
            apply(connection, current_app.config["DB_APP_ROLE"], current_app.config["DB_OVERSIGHT_ROLE"])
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
