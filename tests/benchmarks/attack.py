"""What someone holding only the published cells could work out by subtraction.

For one metric, the siblings of each dimension add up to the `all` total, for the number of
observations and for the sum of values (count x mean). The quantities that are not published
are the unknowns of that linear system; an unknown is recoverable when its unit vector lies in
the row space of the system (numpy's matrix rank decides)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np


def recoverable(rows: list[dict], quantity: str) -> list[tuple[str, str, str]]:
    """rows: the published cells of ONE metric (public form: None where withheld). quantity:
    "count" (n_observations) or "sum" (n_observations x mean). Returns the keys of withheld
    quantities that the published ones determine."""

    def hidden(row) -> bool:
        if quantity == "count":
            return row["n_observations"] is None
        return row["n_observations"] is None or row["mean"] is None

    keys = [(r["metric"], r["dimension"], r["value"]) for r in rows]
    unknown = [k for k, r in zip(keys, rows, strict=True) if hidden(r)]
    if not unknown:
        return []
    index = {k: i for i, k in enumerate(unknown)}
    by_dimension = defaultdict(list)
    total = None
    for key in keys:
        if key[1] == "all":
            total = key
        else:
            by_dimension[key[1]].append(key)
    if total is None:
        return []
    equations = []
    for siblings in by_dimension.values():
        row = np.zeros(len(unknown))
        if total in index:
            row[index[total]] += 1
        for key in siblings:
            if key in index:
                row[index[key]] -= 1
        if row.any():
            equations.append(row)
    if not equations:
        return []
    system = np.array(equations)
    rank = np.linalg.matrix_rank(system)
    found = []
    for key, i in index.items():
        unit = np.zeros(len(unknown))
        unit[i] = 1
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            found.append(key)
    return found
