"""An attacker on published tables: which withheld figures can be worked out exactly?

Independent of regulator.suppression: it knows only what is published (figures, None for
withheld ones) and that every figure is a whole number ≥ 0, and that rows and columns
add up to their totals. Two attacks:

* `subtract`: the obvious one — a line with one withheld figure gives it away; repeat.
* `enumerate_solutions`: the strongest possible — every whole-number assignment of the
  withheld figures consistent with all published totals; a figure is recovered when it
  has the same value in all of them.
"""
from __future__ import annotations

def _lines(table: dict):
    rows, cols = table["rows"], table["cols"]
    lines = []
    for i in range(len(rows)):
        lines.append(([("cell", i, j) for j in range(len(cols))], ("row", i)))
    for j in range(len(cols)):
        lines.append(([("cell", i, j) for i in range(len(rows))], ("col", j)))
    lines.append(([("row", i) for i in range(len(rows))], ("all",)))
    lines.append(([("col", j) for j in range(len(cols))], ("all",)))
    return lines


def _value(table: dict, key):
    if key[0] == "cell":
        return table["cells"][key[1]][key[2]]
    if key[0] == "row":
        return table["row_totals"][key[1]]
    if key[0] == "col":
        return table["col_totals"][key[1]]
    return table["total"]


def figures(table: dict) -> dict:
    keys = [("cell", i, j) for i in range(len(table["rows"])) for j in range(len(table["cols"]))]
    keys += [("row", i) for i in range(len(table["rows"]))] + [("col", j) for j in range(len(table["cols"]))]
    keys.append(("all",))
    return {k: _value(table, k) for k in keys}


def subtract(table: dict) -> dict:
    """Repeated row/column subtraction; returns {withheld key: recovered value}."""
    known = figures(table)
    recovered = {}
    changed = True
    while changed:
        changed = False
        for parts, total in _lines(table):
            members = parts + [total]
            unknown = [k for k in members if known[k] is None]
            if len(unknown) != 1:
                continue
            key = unknown[0]
            if key == total:
                value = sum(known[p] for p in parts)
            else:
                value = known[total] - sum(known[p] for p in parts if p != key)
            known[key] = recovered[key] = value
            changed = True
    return recovered


def enumerate_solutions(table: dict, limit: int = 5_000_000, fixed: dict | None = None,
                        first_only: bool = False) -> dict:
    """{withheld key: set of values it takes over all consistent whole-number solutions}.

    `fixed` pins some withheld figures to values; `first_only` stops at the first solution.
    """
    known = figures(table)
    unknown = [k for k, v in known.items() if v is None]
    if not unknown:
        return {}
    lines = [(parts, total) for parts, total in _lines(table)]
    by_key = {k: [line for line in lines if k in line[0] or k == line[1]] for k in unknown}
    bound = max([v for v in known.values() if v is not None] + [0])
    seen = {k: set() for k in unknown}
    steps = 0

    def value(assign, k):
        return assign[k] if k in assign else known[k]

    def feasible(assign, line) -> bool:
        parts, total = line
        values = [value(assign, k) for k in parts]
        t = value(assign, total)
        assigned = sum(v for v in values if v is not None)
        if t is not None and assigned > t:
            return False
        if t is not None and all(v is not None for v in values):
            return assigned == t
        return True

    def forced(assign, key):
        """A value the equations force on `key`, or None."""
        for parts, total in by_key[key]:
            members = parts + [total]
            others = [k for k in members if k != key]
            if any(value(assign, k) is None for k in others):
                continue
            if key == total:
                return sum(value(assign, k) for k in parts)
            return value(assign, total) - sum(value(assign, k) for k in parts if k != key)
        return None

    class Found(Exception):
        pass

    def walk(pending: list, assign: dict):
        nonlocal steps
        steps += 1
        if steps > limit:
            raise RuntimeError("too many partial solutions to enumerate")
        if not pending:
            for k, v in assign.items():
                seen[k].add(v)
            if first_only:
                raise Found
            return
        # Take a figure the totals force if there is one, else branch over its range.
        key = next((k for k in pending if forced(assign, k) is not None), pending[0])
        rest = [k for k in pending if k != key]
        must = forced(assign, key)
        for candidate in ([must] if must is not None else range(bound + 1)):
            if candidate < 0:
                continue
            assign[key] = candidate
            if all(feasible(assign, line) for line in by_key[key]):
                walk(rest, assign)
            del assign[key]

    start = dict(fixed or {})
    if not all(feasible(start, line) for k in start for line in by_key[k]):
        return {}
    try:
        walk(sorted((k for k in unknown if k not in start), key=lambda k: (k[0] != "cell", k)), start)
    except Found:
        pass
    return seen if any(seen.values()) else {}  # {} when no solution is consistent


def recovered_exactly(table: dict) -> dict:
    """Withheld figures that every consistent solution agrees on (full enumeration)."""
    return {k: next(iter(v)) for k, v in enumerate_solutions(table).items() if len(v) == 1}


def another_value_possible(table: dict, key, true_value: int) -> bool:
    """Is there a consistent whole-number solution in which `key` is not `true_value`?
    (Searches for one such solution; if there is none, the figure is recovered.)"""
    bound = max([v for v in figures(table).values() if v is not None] + [0])
    for distance in range(1, bound + 1):
        for candidate in (true_value + distance, true_value - distance):
            if 0 <= candidate <= bound and enumerate_solutions(table, fixed={key: candidate}, first_only=True):
                return True
    return False
