"""Small cells are withheld, and totals cannot give them back (complementary suppression)."""
from __future__ import annotations

import random

import pytest

from regulator import suppression
from tests.regulator import attack


def _table(cells: dict) -> suppression.Table:
    """cells: (row, col) -> list of (institution, count)."""
    records = [(r, c, n, inst) for (r, c), items in cells.items() for inst, n in items]
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    return suppression.build(records, rows=rows, cols=cols)


def _primary_only(table: suppression.Table) -> dict:
    """What publishing with primary suppression alone would show (the mistake we avoid)."""
    hidden = {k for k, (_v, n) in table.entries().items() if 0 < n < suppression.K}
    return _published(table, hidden)


def _published(table, hidden) -> dict:
    def show(key, pair):
        return None if key in hidden else pair[0]

    return {"rows": table.rows, "cols": table.cols,
            "cells": [[show(("cell", r, c), table.cells.get((r, c), (0, 0))) for c in table.cols] for r in table.rows],
            "row_totals": [show(("row", r), table.row_totals.get(r, (0, 0))) for r in table.rows],
            "col_totals": [show(("col", c), table.col_totals.get(c, (0, 0))) for c in table.cols],
            "total": show(("all",), table.total)}


def _sector():
    """Twelve institutions; 'physical' in 2025 happened at two of them only."""
    insts = [f"i{n}" for n in range(12)]
    cells = {
        ("2025", "human_error"): [(i, 3) for i in insts],
        ("2025", "cyber"): [(i, 1) for i in insts[:7]],
        ("2025", "physical"): [("i0", 2), ("i1", 1)],
        ("2026", "human_error"): [(i, 2) for i in insts],
        ("2026", "cyber"): [(i, 2) for i in insts[3:11]],
        ("2026", "physical"): [(i, 1) for i in insts[:6]],
    }
    return _table(cells)


def test_primary_suppression_alone_would_give_the_small_cell_away():
    naive = _primary_only(_sector())
    assert attack.subtract(naive) == {("cell", 0, 2): 3}  # 2025 physical = total − the other published cells
    assert not attack.another_value_possible(naive, ("cell", 0, 2), 3)


def test_with_complementary_suppression_the_small_cell_cannot_be_recovered():
    table = _sector()
    published = suppression.publish(table)
    assert published["cells"][0][2] is None  # 2025/physical: 2 institutions
    assert attack.subtract(published) == {}
    assert attack.recovered_exactly(published) == {}
    # The loss is small: the totals, and most cells, are still published.
    assert published["total"] == table.total[0] and None not in published["row_totals"]


def test_every_published_figure_rests_on_five_institutions_or_is_zero():
    table = _sector()
    published = suppression.publish(table)
    for i, r in enumerate(table.rows):
        for j, c in enumerate(table.cols):
            value, institutions = table.cells.get((r, c), (0, 0))
            if published["cells"][i][j] is not None:
                assert value == 0 or institutions >= suppression.K


@pytest.mark.parametrize("seed", range(40))
def test_random_sectors_no_withheld_figure_can_be_worked_out(seed):
    """Random small sectors (3–4 periods × 3–4 categories, 6–14 institutions): the strongest
    attacker (every whole-number solution) recovers nothing, and nothing small is shown."""
    rng = random.Random(seed)
    insts = [f"i{n}" for n in range(rng.randint(6, 14))]
    rows = [str(2022 + n) for n in range(rng.randint(3, 4))]
    cols = [f"c{n}" for n in range(rng.randint(3, 4))]
    cells = {}
    for r in rows:
        for c in cols:
            members = rng.sample(insts, rng.choice([0, 1, 2, 3, 5, 6, len(insts)]))
            cells[(r, c)] = [(i, rng.randint(1, 3)) for i in members]
    table = _table(cells)
    published = suppression.publish(table)
    entries = table.entries()
    shown = attack.figures(published)
    key_of = {("cell", i, j): ("cell", r, c) for i, r in enumerate(table.rows) for j, c in enumerate(table.cols)}
    key_of.update({("row", i): ("row", r) for i, r in enumerate(table.rows)})
    key_of.update({("col", j): ("col", c) for j, c in enumerate(table.cols)})
    key_of[("all",)] = ("all",)
    for key, value in shown.items():
        true_value, institutions = entries[key_of[key]]
        if value is not None:
            assert value == true_value and (value == 0 or institutions >= suppression.K)
        else:
            assert attack.another_value_possible(published, key, true_value), f"{key} can be worked out"
