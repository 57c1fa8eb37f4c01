"""Marker strings in every free-text column, to prove that oversight answers carry none.

`free_text_columns()` is derived from the models, so a column added later is covered:
every String, Text or JSON column of a table with `tenant_id` that is not released for
oversight (`oversight()`), not a key, and not one of the few values that are secrets'
fingerprints or role codes. `plant(...)` overwrites those values of the given
organisations' rows with unique markers. It writes as the database owner (the app role
may not change append-only rows such as notifications as sent), inside each
organisation's tenant, and skips a column whose CHECK constraint admits only known codes
(such a column cannot hold free text).
"""
from __future__ import annotations

import sqlalchemy as sa

from lekwijzer.db import Base

# Not free text: secrets' fingerprints and role codes (changing them would lock people out).
NOT_TEXT = {("api_token", "token_hash"), ("api_token", "hint"), ("api_token", "role"), ("membership", "roles")}
AUDIT_TABLES = {"audit_event", "audit_head"}


def free_text_columns() -> list[sa.Column]:
    out = []
    for table in Base.metadata.sorted_tables:
        if "tenant_id" not in table.c or table.name in AUDIT_TABLES:
            continue
        for column in table.c:
            if column.info.get("oversight") or column.primary_key or column.foreign_keys:
                continue
            if (table.name, column.name) in NOT_TEXT:
                continue
            if isinstance(column.type, (sa.String, sa.Text, sa.JSON)):
                out.append(column)
    return out


def plant(owner_url: str, org_ids: dict, people: dict | None = None) -> dict[str, str]:
    """Write markers into every free-text value of the organisations' rows.

    `org_ids`: {short key: organisation id}; `people`: {label: user id} whose names get a
    marker too. Returns {marker: "table.column"}; every marker starts with "Zq".
    """
    markers: dict[str, str] = {}
    engine = sa.create_engine(owner_url, poolclass=sa.pool.NullPool)
    columns = free_text_columns()
    with engine.begin() as conn:
        for key, org_id in org_ids.items():
            conn.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(org_id)})
            for n, column in enumerate(columns):
                table, marker = column.table, f"Zq{key}{n:03d}X"
                if isinstance(column.type, sa.JSON):
                    value = sa.literal([marker], sa.JSON)
                else:  # unique per row (some columns are unique), starting with the marker
                    row_key = table.c.id if "id" in table.c else table.c.tenant_id
                    length = min(getattr(column.type, "length", None) or 40, 40)
                    value = sa.func.substr(sa.literal(marker) + sa.func.md5(sa.cast(row_key, sa.Text)), 1, length)
                try:
                    with conn.begin_nested():
                        done = conn.execute(sa.update(table).where(table.c.tenant_id == org_id)
                                            .values({column.name: value})).rowcount
                except sa.exc.IntegrityError:
                    continue  # a CHECK constraint admits only codes here
                if done:
                    markers[marker] = f"{table.name}.{column.name}"
        for label, user_id in (people or {}).items():
            marker = f"Zqp{len(markers):04d}X"
            conn.execute(sa.text("UPDATE app_user SET name = :m WHERE id = :id"), {"m": marker, "id": user_id})
            markers[marker] = f"app_user.name ({label})"
    engine.dispose()
    return markers
