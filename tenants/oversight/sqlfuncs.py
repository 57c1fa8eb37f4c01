"""SQL that means the same on PostgreSQL and SQLite: time arithmetic and new ids.

SQLAlchemy has no portable "difference in hours" or "within N hours" for timestamps, nor
a portable random UUID for set-based inserts; these constructs compile to each database's
own form. On PostgreSQL the window test is written as a range on the first column, so an
index on it can serve a range join.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class hours_between(FunctionElement):
    """(later − earlier) in hours, as a float; NULL when either is NULL."""

    type = sa.Float()
    inherit_cache = True
    name = "hours_between"


class _HoursTest(FunctionElement):
    """A true/false test of two moments against a whole number of hours (a literal, so that
    the statement's text and cache key are the same for every run)."""

    type = sa.Boolean()
    inherit_cache = True

    def __init__(self, first, second, hours: int):
        super().__init__(first, second, sa.literal_column(str(int(hours))))


class within_hours(_HoursTest):
    """|column − center| ≤ hours (both ends included): within_hours(column, center, hours)."""

    inherit_cache = True
    name = "within_hours"


@compiles(hours_between, "postgresql")
def _hours_pg(element, compiler, **kw):
    earlier, later = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_sqlite(element, compiler, **kw):
    earlier, later = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 24.0)"


@compiles(within_hours, "postgresql")
def _within_pg(element, compiler, **kw):
    column, center, hours = (compiler.process(c, **kw) for c in element.clauses)
    return (f"({column} BETWEEN {center} - make_interval(hours => {hours}) "
            f"AND {center} + make_interval(hours => {hours}))")


@compiles(within_hours, "sqlite")
def _within_sqlite(element, compiler, **kw):
    column, center, hours = (compiler.process(c, **kw) for c in element.clauses)
    return f"(abs(julianday({column}) - julianday({center})) * 24.0 <= {hours})"


class exceeds_hours(_HoursTest):
    """later − earlier > hours (NULL when either is NULL): exceeds_hours(earlier, later, hours).
    On PostgreSQL a comparison of timestamps, far cheaper per row than hours_between."""

    inherit_cache = True
    name = "exceeds_hours"


@compiles(exceeds_hours, "postgresql")
def _exceeds_pg(element, compiler, **kw):
    earlier, later, hours = (compiler.process(c, **kw) for c in element.clauses)
    return f"({later} > {earlier} + make_interval(hours => {hours}))"


@compiles(exceeds_hours, "sqlite")
def _exceeds_sqlite(element, compiler, **kw):
    earlier, later, hours = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 24.0 > {hours})"


class new_uuid(FunctionElement):
    """A random UUID per row, for INSERT … SELECT (a Python default would be one value)."""

    type = sa.Uuid()
    inherit_cache = True
    name = "new_uuid"


@compiles(new_uuid, "postgresql")
def _uuid_pg(element, compiler, **kw):
    return "gen_random_uuid()"


@compiles(new_uuid, "sqlite")
def _uuid_sqlite(element, compiler, **kw):
    return "lower(hex(randomblob(16)))"  # sa.Uuid stores 32 hex digits on SQLite


def _unsupported(element, compiler, **kw):  # pragma: no cover - other databases
    raise NotImplementedError(f"{element.name} is not implemented for {compiler.dialect.name}")


for _construct in (hours_between, within_hours, exceeds_hours):
    compiles(_construct)(_unsupported)
