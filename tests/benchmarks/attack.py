"""What someone holding only the published cells could work out by subtraction.

For one metric, the siblings of each dimension add up to the `all` total, for the number of
observations and for the sum of values (count x mean). The quantities that are not published
are the unknowns of that linear system; an unknown is recoverable when its unit vector lies in
the row space of the system (numpy's matrix rank decides)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

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


# --- every figure members can work out, across published versions ----------------------------
# A version is what members read of one published version of a year (its public cells) and,
# for judging, the true observations behind it. The attacker knows only the public cells; the
# observations are used to say which observations a figure it can work out comes from.


@dataclass
class Version:
    """public: the public rows of every cell of the version (n_observations and mean None where
    withheld). observations: metric -> {observation id: (practice, value, {dimension: value})},
    the truth."""

    public: list[dict]
    observations: dict[str, dict[tuple, tuple]] = field(default_factory=dict)


def observations_of(keyed: dict[str, list[tuple]]) -> dict[str, dict[tuple, tuple]]:
    """From metric -> [(observation id, practice, value, dims)] to the form Version holds."""
    return {
        metric: {key: (practice, value, dims) for key, practice, value, dims in rows}
        for metric, rows in keyed.items()
    }


def _breaks_rules(members: list, rules) -> str:
    """'' when a group of observations (given by their practices) may have a count and mean
    known, else why not."""
    if not members:
        return ""
    per_practice = defaultdict(int)
    for practice in members:
        per_practice[practice] += 1
    n, k, largest = len(members), len(per_practice), max(per_practice.values())
    problems = []
    if k < rules.min_practices:
        problems.append(f"{k} practices")
    if n < rules.min_observations_central:
        problems.append(f"{n} observations")
    if largest > float(rules.max_practice_share) * n:
        problems.append(f"one practice has {largest} of {n}")
    return ", ".join(problems)


class _Knowledge:
    """One version, one metric: the linear system members hold. Unknowns are the withheld
    counts (and sums: they are withheld together) of cells the version has; a cell it does not
    have is known to be empty. Each dimension gives: total = sum of its siblings."""

    def __init__(self, rows: list[dict], values: dict[str, set[str]]):
        self.cells = {(r["dimension"], r["value"]): r for r in rows}
        self.unknown = [
            key
            for key, r in sorted(self.cells.items())
            if r["n_observations"] is None or r["mean"] is None
        ]
        index = {key: i for i, key in enumerate(self.unknown)}
        self.index = index
        equations = []
        for dimension, dimension_values in values.items():
            row = np.zeros(len(self.unknown))
            if ("all", "all") in index:
                row[index[("all", "all")]] += 1
            for value in dimension_values:
                if (dimension, value) in index:
                    row[index[(dimension, value)]] -= 1
            if row.any():
                equations.append(row)
        self.system = np.array(equations) if equations else np.zeros((0, len(self.unknown)))
        self.rank = np.linalg.matrix_rank(self.system) if equations else 0

    def determines(self, dimension: str, group: set[str]) -> bool:
        """Whether members can work out the count and sum of the union of these cells."""
        vector = np.zeros(len(self.unknown))
        for value in group:
            if (dimension, value) in self.index:
                vector[self.index[(dimension, value)]] = 1
        if not vector.any():
            return True
        return np.linalg.matrix_rank(np.vstack([self.system, vector])) == self.rank


def _groups(values: dict[str, set[str]]):
    """Every figure considered: the total, and each union of siblings of one dimension."""
    yield "all", {"all"}
    for dimension, dimension_values in values.items():
        ordered = sorted(dimension_values)
        for size in range(1, len(ordered) + 1):
            for group in itertools.combinations(ordered, size):
                yield dimension, set(group)


def _members(observations: dict[tuple, tuple], dimension: str, group: set[str]) -> dict:
    if dimension == "all":
        return dict(observations)
    return {k: o for k, o in observations.items() if o[2].get(dimension) in group}


def leaks(versions: list[Version], rules) -> list[str]:
    """Every figure members can work out from the public cells of these versions (of one year)
    that comes from too few practices or observations or is dominated by one practice: a cell
    or a union of sibling cells (a total minus its published siblings is one) in one version,
    and the change of such a group between two versions (the observations added, removed or
    changed within it). Unions are taken within one dimension; [] when nothing leaks."""
    problems = []
    metrics = sorted({r["metric"] for v in versions for r in v.public})
    for metric in metrics:
        rows = [[r for r in v.public if r["metric"] == metric] for v in versions]
        values: dict[str, set[str]] = defaultdict(set)
        for version_rows in rows:
            for r in version_rows:
                if r["dimension"] != "all":
                    values[r["dimension"]].add(r["value"])
        knowledge = [_Knowledge(version_rows, values) for version_rows in rows]
        truth = [v.observations.get(metric, {}) for v in versions]
        for dimension, group in _groups(values):
            known = [k.determines(dimension, group) for k in knowledge]
            members = [_members(t, dimension, group) for t in truth]
            label = f"{metric} {dimension}={','.join(sorted(group))}"
            for i, is_known in enumerate(known):
                if is_known:
                    why = _breaks_rules([o[0] for o in members[i].values()], rules)
                    if why:
                        problems.append(f"{label} in version {i + 1}: {why}")
            for i, j in itertools.combinations(range(len(versions)), 2):
                if not (known[i] and known[j]):
                    continue
                a, b = members[i], members[j]
                differing = [
                    (a.get(key) or b.get(key))[0]
                    for key in set(a) | set(b)
                    if key not in a or key not in b or a[key][1] != b[key][1]
                ]
                why = _breaks_rules(differing, rules)
                if why:
                    problems.append(
                        f"{label} between versions {i + 1} and {j + 1}: {len(differing)} "
                        f"differing observations, {why}"
                    )
    return problems
