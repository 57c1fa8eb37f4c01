"""Small-cell suppression with complementary suppression for two-way tables with totals.

A table has cells (row × column), row totals, column totals and a grand total. Each has a
value and the number of institutions behind it.

1. *Primary*: a figure behind 1–4 institutions is suppressed. (A zero has no institution
   behind it and is published; it says nothing about anyone.)
2. *Complementary*: a published total minus the published cells of its line would give a
   lone suppressed cell back. So every line (row, column, and the line of totals) that
   holds a suppressed figure must hold at least two, and the suppressed figures together
   must stay undetermined. After the line rule, two checks run on the whole table, as an
   attacker would: a linear-algebra test (is any suppressed figure a fixed combination of
   the published ones?) and interval propagation with non-negativity (can the bounds of a
   suppressed figure be narrowed to one value?). While either succeeds, another figure in
   that figure's line is suppressed — the smallest positive cell first, to lose little.

Returns which figures to withhold; `publish` turns a table into what may be shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

K = 5  # fewer institutions than this behind a figure: suppressed


@dataclass
class Table:
    rows: list
    cols: list
    cells: dict  # (row, col) -> (value, institutions)
    row_totals: dict  # row -> (value, institutions)
    col_totals: dict  # col -> (value, institutions)
    total: tuple  # (value, institutions)
    suppressed: set = field(default_factory=set)

    def entries(self) -> dict:
        """Every figure by key: ("cell", r, c), ("row", r), ("col", c), ("all",)."""
        out = {("cell", r, c): self.cells.get((r, c), (0, 0)) for r in self.rows for c in self.cols}
        out.update({("row", r): self.row_totals.get(r, (0, 0)) for r in self.rows})
        out.update({("col", c): self.col_totals.get(c, (0, 0)) for c in self.cols})
        out[("all",)] = self.total
        return out

    def equations(self) -> list[dict]:
        """Each published relation as {key: coefficient} = 0 (parts minus their total)."""
        eqs = []
        for r in self.rows:
            eq = {("cell", r, c): 1 for c in self.cols}
            eq[("row", r)] = -1
            eqs.append(eq)
        for c in self.cols:
            eq = {("cell", r, c): 1 for r in self.rows}
            eq[("col", c)] = -1
            eqs.append(eq)
        eq = {("row", r): 1 for r in self.rows}
        eq[("all",)] = -1
        eqs.append(eq)
        eq = {("col", c): 1 for c in self.cols}
        eq[("all",)] = -1
        eqs.append(eq)
        return eqs


def determined(equations: list[dict], values: dict, hidden: set) -> set:
    """The hidden figures an attacker can compute exactly from the published ones."""
    hidden = sorted(hidden)
    if not hidden:
        return set()
    index = {key: i for i, key in enumerate(hidden)}
    rows, consts = [], []
    for eq in equations:
        coefs = np.zeros(len(hidden))
        const = 0.0
        touched = False
        for key, coef in eq.items():
            if key in index:
                coefs[index[key]] = coef
                touched = True
            else:
                const -= coef * values[key]
        if touched:
            rows.append(coefs)
            consts.append(const)
    found = set()
    if rows:
        matrix = np.array(rows)
        rank = np.linalg.matrix_rank(matrix)
        for key, i in index.items():
            unit = np.zeros(len(hidden))
            unit[i] = 1
            if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
                found.add(key)
    bounds = intervals(equations, values, set(hidden))
    found |= {key for key, (low, high) in bounds.items() if high - low < 1}  # integers: one possible value
    return found


def intervals(equations: list[dict], values: dict, hidden: set, rounds: int = 50) -> dict:
    """Bounds of each hidden figure from the equations and non-negativity (propagated)."""
    low = {key: 0.0 for key in hidden}
    high = {key: float("inf") for key in hidden}
    for _ in range(rounds):
        changed = False
        for eq in equations:
            unknown = [k for k in eq if k in hidden]
            if not unknown:
                continue
            const = -sum(coef * values[k] for k, coef in eq.items() if k not in hidden)
            for key in unknown:
                coef = eq[key]
                # coef * x_key = const - sum(others)
                rest_low = sum(eq[o] * (low[o] if eq[o] > 0 else high[o]) for o in unknown if o != key)
                rest_high = sum(eq[o] * (high[o] if eq[o] > 0 else low[o]) for o in unknown if o != key)
                a, b = const - rest_high, const - rest_low  # coef * x in [a, b]
                if coef < 0:
                    a, b = -b, -a
                if a > low[key] + 1e-9:
                    low[key], changed = a, True
                if b < high[key] - 1e-9:
                    high[key], changed = b, True
        if not changed:
            break
    return {key: (low[key], high[key]) for key in hidden}


def _complement(table: Table, line: dict, hidden: set, values: dict, institutions: dict):
    """The figure to withhold next in `line`: the smallest positive cell, else anything."""
    candidates = [k for k in line if k not in hidden]
    if not candidates:
        return None
    cells = [k for k in candidates if k[0] == "cell" and values[k] > 0]
    pool = cells or [k for k in candidates if values[k] > 0] or candidates
    return min(pool, key=lambda k: (values[k], k[0] != "cell", str(k)))


def protect(table: Table, k: int = K) -> set:
    """Decide which figures to withhold (primary and complementary)."""
    entries = table.entries()
    values = {key: v for key, (v, _n) in entries.items()}
    institutions = {key: n for key, (_v, n) in entries.items()}
    hidden = {key for key, n in institutions.items() if 0 < n < k}
    equations = table.equations()
    for _ in range(10 * len(entries) + 10):
        lone = next((eq for eq in equations if sum(1 for key in eq if key in hidden) == 1), None)
        if lone is not None:
            extra = _complement(table, lone, hidden, values, institutions)
            if extra is None:
                break
            hidden.add(extra)
            continue
        exposed = determined(equations, values, hidden)
        if not exposed:
            break
        target = min(exposed, key=str)
        lines = [eq for eq in equations if target in eq]
        extra = None
        for eq in sorted(lines, key=lambda e: sum(1 for key in e if key not in hidden), reverse=True):
            extra = _complement(table, eq, hidden, values, institutions)
            if extra is not None:
                break
        if extra is None:
            hidden |= set(entries)  # nothing left to hide behind: publish nothing
            break
        hidden.add(extra)
    table.suppressed = hidden
    return hidden


def publish(table: Table, k: int = K) -> dict:
    """The table as it may be shown: suppressed figures become None."""
    hidden = protect(table, k)

    def show(key, pair):
        return None if key in hidden else pair[0]

    return {
        "rows": list(table.rows),
        "cols": list(table.cols),
        "cells": [[show(("cell", r, c), table.cells.get((r, c), (0, 0))) for c in table.cols] for r in table.rows],
        "row_totals": [show(("row", r), table.row_totals.get(r, (0, 0))) for r in table.rows],
        "col_totals": [show(("col", c), table.col_totals.get(c, (0, 0))) for c in table.cols],
        "total": show(("all",), table.total),
    }


def build(records, rows=None, cols=None) -> Table:
    """A Table from (row, col, value, institution id) records: sums and distinct institutions."""
    cell_v, cell_i, row_v, row_i, col_v, col_i = {}, {}, {}, {}, {}, {}
    all_v, all_i = 0, set()
    keep_rows = set(rows) if rows is not None else None
    keep_cols = set(cols) if cols is not None else None
    for r, c, value, institution in records:
        if (keep_rows is not None and r not in keep_rows) or (keep_cols is not None and c not in keep_cols):
            continue  # totals must be the sums of what the table shows
        cell_v[(r, c)] = cell_v.get((r, c), 0) + value
        cell_i.setdefault((r, c), set()).add(institution)
        row_v[r] = row_v.get(r, 0) + value
        row_i.setdefault(r, set()).add(institution)
        col_v[c] = col_v.get(c, 0) + value
        col_i.setdefault(c, set()).add(institution)
        all_v += value
        all_i.add(institution)
    rows = list(rows) if rows is not None else sorted(row_v)
    cols = list(cols) if cols is not None else sorted(col_v)
    return Table(
        rows=rows, cols=cols,
        cells={key: (cell_v[key], len(cell_i[key])) for key in cell_v},
        row_totals={r: (row_v.get(r, 0), len(row_i.get(r, ()))) for r in rows},
        col_totals={c: (col_v.get(c, 0), len(col_i.get(c, ()))) for c in cols},
        total=(all_v, len(all_i)),
    )
