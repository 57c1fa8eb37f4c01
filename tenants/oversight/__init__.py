"""The privacy boundary: what cross-tenant readers may learn about institutions.

The regulator and commissioners never import tenant models. They call functions here,
which run on an oversight session (the oversight database role: SELECT on columns
marked `oversight()` only) and return plain rows of codes, dates and counts. No
function here returns free text, a person's name or a breach's contents; tests seed
marker strings in every free-text field and search every oversight response for them.

Modules: `register` (breach metadata for the regulator's reconciliation and statistics),
`quality` (metadata each institution's own tenant computes about its register, so that
no reader needs a text column), `governance` (reporting policy and board reports, an
interface the learning feature fills in), `benchmark` (the sector's anonymised
distribution), `profile` (what the regulator sees about one institution — the same data
both sides render), `learning` (improvement plans, measures and figures for
commissioners). Each function takes the institutions it may read explicitly; the caller
decides and audits that. Shared tables of the supervision relationship are in `models`.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator

import sqlalchemy as sa

from lekwijzer.oversight import check_columns, oversight_session


def stream(stmt: sa.Select, batch: int = 5000) -> Iterator[sa.Row]:
    """Run a statement of marked columns on an oversight session, streaming rows."""
    check_columns(stmt)
    with oversight_session() as session:
        result = session.execute(stmt.execution_options(yield_per=batch))
        yield from result


def fetch(stmt: sa.Select) -> list[sa.Row]:
    check_columns(stmt)
    with oversight_session() as session:
        return list(session.execute(stmt))


def only(institution_ids: Iterable) -> list:
    ids = list(institution_ids)
    if not ids:
        return []
    return ids


class Workspace:
    """An oversight session of one reading organisation, for set-based jobs.

    Every SELECT it runs (also the SELECT inside an INSERT … SELECT) is checked: columns
    of institutions' tables must be marked for oversight; the reader's own workspace
    tables (e.g. the regulator's received notifications) may be used freely.
    """

    def __init__(self, session):
        self.session = session

    def execute(self, stmt, params=None):
        select = stmt if isinstance(stmt, sa.Select) else getattr(stmt, "select", None)
        if isinstance(select, sa.Select):
            check_columns(select)
        if isinstance(stmt, (sa.Insert, sa.Update, sa.Delete)) and not params:
            stmt = stmt.execution_options(preserve_rowcount=True)  # rowcount of INSERT … SELECT too
        return self.session.execute(stmt, params or {})

    def run_ddl(self, ddl) -> None:
        """Temporary tables of the job itself (never institutions' data)."""
        self.session.execute(ddl)

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def commit(self) -> None:
        self.session.commit()


@contextmanager
def workspace(tenant_id) -> Iterator[Workspace]:
    with oversight_session(tenant_id) as session:
        yield Workspace(session)
