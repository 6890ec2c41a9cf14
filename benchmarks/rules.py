"""Disclosure rules for benchmark cells (SPEC section 2). Pure functions, no database.

A cell is metric x year x dimension x value. The primary rules look at one cell:

- at least `min_practices` distinct practices, else the cell is suppressed (`min_practices`);
- no practice contributes more than `max_practice_share` of its observations (`dominance`);
- mean, p25, p50 and p75 need `min_observations_central` observations (`min_observations`;
  with none of them publishable the whole cell is withheld);
- p10 and p90 need `min_observations_tails` observations (`min_observations_tails`: the cell
  is published with those two blank).

Minimum and maximum are never computed. Complementary suppression then protects suppressed
cells from subtraction. Within a metric and dimension the siblings partition the `all` total
(every observation has exactly one value per dimension), so for counts and sums (count x
mean) there is one equation per dimension: total = sum of siblings. A hidden quantity can be
solved for when it is the only unknown of such an equation. So, until nothing changes:

1. metrics of one observation source share their observations (and thus their counts): a
   (dimension, value) hidden for one of them is hidden for all (`complementary`);
2. when the total is published and exactly one sibling of a dimension is hidden, the next
   smallest published sibling is hidden too (or the total, when no sibling is left);
3. when the total is hidden but every sibling of some dimension is published, the total
   could be rebuilt from them, so the smallest sibling of that dimension is hidden;
4. the residual: when the total is published, total minus the published siblings gives the
   count and sum of the hidden siblings taken together. That group must pass the primary rules
   itself (practices, share, observations), else the smallest published sibling joins it;
5. differencing: members read every published version of a year. A group of observations
   whose count and sum can be worked out in an earlier published version and in the new one
   (a cell published in both, or a union of cells, hidden ones included, that both versions
   determine) gives away the observations that differ between the two (added, removed or
   changed). Those must pass the primary rules too, else a published cell of the group is
   withheld in the new version (`differencing`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import combinations

from benchmarks.metrics import ALL

STATISTICS = ("mean", "p10", "p25", "p50", "p75", "p90")
CENTRAL_STATISTICS = ("mean", "p25", "p50", "p75")
TAIL_STATISTICS = ("p10", "p90")


class Reason(StrEnum):
    MIN_PRACTICES = "min_practices"
    DOMINANCE = "dominance"
    MIN_OBSERVATIONS = "min_observations"
    MIN_OBSERVATIONS_TAILS = "min_observations_tails"
    COMPLEMENTARY = "complementary"
    DIFFERENCING = "differencing"


REASON_LABELS = {
    Reason.MIN_PRACTICES: "fewer practices than the minimum",
    Reason.DOMINANCE: "one practice contributes more than the maximum share",
    Reason.MIN_OBSERVATIONS: "fewer observations than mean and quartiles need",
    Reason.MIN_OBSERVATIONS_TAILS: "p10 and p90 withheld: fewer observations than they need",
    Reason.COMPLEMENTARY: "hidden with another withheld cell so that it cannot be derived",
    Reason.DIFFERENCING: "the change since an earlier published version would reveal too few "
    "practices or observations",
}


@dataclass(frozen=True)
class RuleSet:
    """The thresholds. The defaults are the Statement 6 floor: staff may tighten, not loosen."""

    min_practices: int = 5
    max_practice_share: Decimal = Decimal("0.25")
    min_observations_central: int = 5
    min_observations_tails: int = 10
    publication_lag_months: int = 3
    min_clinical_fte: Decimal = Decimal("0.500")
    # Quality targets (not disclosure rules): the turnaround each patient class should be read
    # within, in minutes (SPEC 6). Recorded with the thresholds in every release.
    tat_target_ed_minutes: int = 30
    tat_target_inpatient_minutes: int = 240
    tat_target_outpatient_minutes: int = 480

    def as_dict(self) -> dict[str, int | str]:
        return {
            **self.targets(),
            "min_practices": self.min_practices,
            "max_practice_share": str(self.max_practice_share),
            "min_observations_central": self.min_observations_central,
            "min_observations_tails": self.min_observations_tails,
            "publication_lag_months": self.publication_lag_months,
            "min_clinical_fte": str(self.min_clinical_fte),
        }

    @classmethod
    def from_dict(cls, data: dict) -> RuleSet:
        return cls(
            min_practices=int(data["min_practices"]),
            max_practice_share=Decimal(str(data["max_practice_share"])),
            min_observations_central=int(data["min_observations_central"]),
            min_observations_tails=int(data["min_observations_tails"]),
            publication_lag_months=int(data["publication_lag_months"]),
            min_clinical_fte=Decimal(str(data["min_clinical_fte"])),
            # Releases computed before the targets existed used the defaults.
            **{name: int(data.get(name, default)) for name, default in TARGET_DEFAULTS.items()},
        )

    def targets(self) -> dict[str, int]:
        """{setting: minutes} of the turnaround targets (SQL parameters of the metrics)."""
        return {name: getattr(self, name) for name in TARGET_DEFAULTS}

    def floor_violations(self) -> list[str]:
        """Why these thresholds would be looser than the floor (empty when they are fine)."""
        problems = []
        if self.min_practices < FLOOR.min_practices:
            problems.append(f"At least {FLOOR.min_practices} practices are required.")
        if not Decimal(0) < self.max_practice_share <= FLOOR.max_practice_share:
            problems.append(
                f"The largest practice's share must be above 0 and at most "
                f"{FLOOR.max_practice_share}."
            )
        if self.min_observations_central < FLOOR.min_observations_central:
            problems.append(
                f"Mean and quartiles need at least {FLOOR.min_observations_central} observations."
            )
        if self.min_observations_tails < max(
            FLOOR.min_observations_tails, self.min_observations_central
        ):
            problems.append(
                f"p10 and p90 need at least {FLOOR.min_observations_tails} observations and no "
                "fewer than mean and quartiles."
            )
        if self.publication_lag_months < FLOOR.publication_lag_months:
            problems.append(
                f"A year is publishable no sooner than {FLOOR.publication_lag_months} months "
                "after it ends."
            )
        if not Decimal(0) < self.min_clinical_fte <= Decimal("1.5"):
            problems.append("The minimum clinical FTE must be above 0 and at most 1.5.")
        return problems


TARGET_DEFAULTS = {
    "tat_target_ed_minutes": 30,
    "tat_target_inpatient_minutes": 240,
    "tat_target_outpatient_minutes": 480,
}
FLOOR = RuleSet()


def publishable_on(year: int, rules: RuleSet) -> date:
    """The first day a release for `year` may be published: the lag after the year ends."""
    months = 12 * (year + 1) + rules.publication_lag_months  # months since year 0, January
    return date(months // 12, months % 12 + 1, 1)


# --- cells --------------------------------------------------------------------------------------
CellKey = tuple[str, str, str]  # (metric, dimension, value)


@dataclass(frozen=True)
class CellCounts:
    metric: str
    source: str
    dimension: str
    value: str
    n_observations: int
    n_practices: int
    max_practice_observations: int
    # (practice id, observations) of every contributing practice: what the residual rule needs
    # to judge a group of hidden siblings. None when the caller does not know them.
    practice_counts: tuple[tuple[int, int], ...] | None = field(default=None, compare=False)

    @property
    def key(self) -> CellKey:
        return (self.metric, self.dimension, self.value)


@dataclass(frozen=True)
class ObservationChange:
    """One observation (a provider-year or practice-year of one metric) that is not the same
    in an earlier published version and in the new one: `before`/`after` map each dimension
    (and `all`) to its value in that version, None where the observation is absent."""

    metric: str
    practice: int
    before: Mapping[str, str] | None
    after: Mapping[str, str] | None
    value_changed: bool


@dataclass(frozen=True)
class EarlierVersion:
    """What members can read of an earlier published version of the same year: which cells it
    has and which of them publish a count and mean, and how its observations differ from the
    new version's."""

    version: int
    cells: frozenset[CellKey]
    shown: frozenset[CellKey]
    changes: tuple[ObservationChange, ...]


@dataclass
class Decision:
    suppressed: bool
    reasons: list[str] = field(default_factory=list)
    published: frozenset[str] = frozenset()
    # Why a residual or differencing rule hid the cell, in words (for the suppression report).
    notes: list[str] = field(default_factory=list)

    def hide(self, reason: Reason, note: str = "") -> None:
        self.suppressed = True
        self.published = frozenset()
        if reason not in self.reasons:
            self.reasons.append(reason)
        if note and note not in self.notes:
            self.notes.append(note)


def group_reasons(
    n_observations: int, n_practices: int, max_practice_observations: int, rules: RuleSet
) -> list[str]:
    """The primary rules a group of observations breaks (a cell, or any group whose count and
    mean can be worked out): empty when a count and mean of it may be known."""
    reasons: list[str] = []
    if n_practices < rules.min_practices:
        reasons.append(Reason.MIN_PRACTICES)
    if Decimal(max_practice_observations) > rules.max_practice_share * n_observations:
        reasons.append(Reason.DOMINANCE)
    if n_observations < rules.min_observations_central:
        reasons.append(Reason.MIN_OBSERVATIONS)
    return reasons


def _group_failure(per_practice: Mapping[int, int], rules: RuleSet) -> str:
    """'' when the group passes, else a description of it and what it breaks."""
    n = sum(per_practice.values())
    k = sum(1 for count in per_practice.values() if count)
    largest = max(per_practice.values(), default=0)
    if n == 0 or not group_reasons(n, k, largest, rules):
        return ""
    share = f", the largest {100 * largest / n:.1f}%" if n else ""
    return (
        f"{n} observation{'s' if n != 1 else ''} from {k} practice{'s' if k != 1 else ''}"
        f"{share} (needs {rules.min_practices} practices, {rules.min_observations_central} "
        f"observations, at most {rules.max_practice_share * 100:.0f}% from one practice)"
    )


def primary_decision(cell: CellCounts, rules: RuleSet) -> Decision:
    reasons = group_reasons(
        cell.n_observations, cell.n_practices, cell.max_practice_observations, rules
    )
    if reasons:
        return Decision(suppressed=True, reasons=reasons)
    if cell.n_observations < rules.min_observations_tails:
        return Decision(
            suppressed=False,
            reasons=[Reason.MIN_OBSERVATIONS_TAILS],
            published=frozenset(CENTRAL_STATISTICS),
        )
    return Decision(suppressed=False, published=frozenset(STATISTICS))


def _smallest(cells: Iterable[CellCounts]) -> CellCounts | None:
    return min(cells, key=lambda c: (c.n_observations, c.n_practices, c.value), default=None)


def _values_label(dimension: str, values: Iterable[str]) -> str:
    return f"{dimension}={', '.join(sorted(values))}"


def decide(
    cells: Iterable[CellCounts], rules: RuleSet, earlier: Iterable[EarlierVersion] = ()
) -> dict[CellKey, Decision]:
    """The decision for every cell: primary rules, then complementary suppression, the residual
    and (against each earlier published version of the year) the differencing rule, repeated
    until nothing changes. Without earlier versions, and with every residual passing, the result
    is that of rules 1-3 alone."""
    cells = list(cells)
    earlier = list(earlier)
    decisions = {cell.key: primary_decision(cell, rules) for cell in cells}
    by_metric: dict[str, list[CellCounts]] = defaultdict(list)
    metrics_of_source: dict[str, set[str]] = defaultdict(set)
    for cell in cells:
        by_metric[cell.metric].append(cell)
        metrics_of_source[cell.source].add(cell.metric)
    differences = [_Differences(version, by_metric) for version in earlier]

    def hidden(cell: CellCounts) -> bool:
        return decisions[cell.key].suppressed

    changed = True
    while changed:
        changed = False
        # 1. One suppression pattern per observation source.
        for metrics in metrics_of_source.values():
            hidden_keys = {
                (c.dimension, c.value) for m in metrics for c in by_metric[m] if hidden(c)
            }
            for metric in metrics:
                for cell in by_metric[metric]:
                    if (cell.dimension, cell.value) in hidden_keys and not hidden(cell):
                        decisions[cell.key].hide(Reason.COMPLEMENTARY)
                        changed = True
        # 2, 3 and 4. Subtraction along each dimension.
        for metric_cells in by_metric.values():
            total = next((c for c in metric_cells if c.dimension == ALL), None)
            if total is None:
                continue
            for dimension, dimension_cells in _siblings(metric_cells).items():
                shown = [c for c in dimension_cells if not hidden(c)]
                n_hidden = len(dimension_cells) - len(shown)
                note = ""
                if hidden(total) and n_hidden == 0:
                    target = _smallest(shown)
                elif not hidden(total) and n_hidden == 1:
                    target = _smallest(shown) or total
                elif not hidden(total) and n_hidden > 1:
                    group = [c for c in dimension_cells if hidden(c)]
                    failure = _residual_failure(group, rules)
                    if not failure:
                        continue
                    target = _smallest(shown) or total
                    note = (
                        f"the hidden group {_values_label(dimension, (c.value for c in group))}"
                        f" (the total minus the published siblings) has {failure}"
                    )
                else:
                    continue
                decisions[target.key].hide(Reason.COMPLEMENTARY, note)
                changed = True
        # 5. Differencing against each earlier published version.
        for difference in differences:
            for target, note in difference.failures(decisions, rules):
                decisions[target.key].hide(Reason.DIFFERENCING, note)
                changed = True
    return decisions


def _siblings(metric_cells: list[CellCounts]) -> dict[str, list[CellCounts]]:
    siblings: dict[str, list[CellCounts]] = defaultdict(list)
    for cell in metric_cells:
        if cell.dimension != ALL:
            siblings[cell.dimension].append(cell)
    return siblings


def _residual_failure(group: list[CellCounts], rules: RuleSet) -> str:
    """'' when the hidden siblings taken together pass the primary rules, else why not.
    Siblings are disjoint, so the group's per-practice counts are the sums of theirs."""
    if any(c.practice_counts is None for c in group):
        # Without per-practice counts only the number of observations can be judged.
        n = sum(c.n_observations for c in group)
        if n >= rules.min_observations_central:
            return ""
        return f"{n} observations (needs {rules.min_observations_central})"
    per_practice: Counter[int] = Counter()
    for cell in group:
        for practice, count in cell.practice_counts:
            per_practice[practice] += count
    return _group_failure(per_practice, rules)


class _Differences:
    """The differencing rule against one earlier published version (rule 5).

    For each metric and dimension, the groups of siblings whose count and sum both versions
    determine are found as follows. In one version, a published sibling (or one the version
    does not have: it is known to be empty) is determined on its own; when the total is
    published, the hidden siblings are determined together (total minus the published ones);
    when the total is hidden, they are not determined at all. A union of siblings is determined
    by both versions exactly when it is a union of such blocks in each: the connected groups of
    the blocks of the two versions (joined where they share a sibling), leaving out any group
    that holds a sibling one version does not determine. Each such group, and the total when
    both versions publish it, must have a difference (the observations added, removed or
    changed within it) that passes the primary rules, or be empty."""

    def __init__(self, version: EarlierVersion, by_metric: dict[str, list[CellCounts]]):
        self.version = version
        self.by_metric = by_metric
        # (metric, dimension) -> Counter of (practice, value before, value after, changed):
        # the changes as they touch that dimension's siblings.
        self.moves: dict[tuple[str, str], Counter] = defaultdict(Counter)
        for change in version.changes:
            dimensions = set(change.before or ()) | set(change.after or ())
            for dimension in dimensions:
                before = change.before.get(dimension) if change.before else None
                after = change.after.get(dimension) if change.after else None
                if before == after and not change.value_changed:
                    continue
                self.moves[(change.metric, dimension)][
                    (change.practice, before, after, change.value_changed)
                ] += 1
        self.values: dict[tuple[str, str], set[str]] = defaultdict(set)
        for metric, dimension, value in version.cells:
            self.values[(metric, dimension)].add(value)

    def _difference(self, metric: str, dimension: str, group: set[str]) -> Counter[int]:
        per_practice: Counter[int] = Counter()
        for (practice, before, after, value_changed), n in self.moves[(metric, dimension)].items():
            was, now = before in group, after in group
            if was != now or (was and now and value_changed):
                per_practice[practice] += n
        return per_practice

    def failures(self, decisions: dict[CellKey, Decision], rules: RuleSet):
        """The cells to hide now (at most one per metric and dimension), with the reason."""
        label = f"v{self.version.version}"
        metrics = {metric for metric, _ in self.moves}
        for metric in sorted(metrics):
            metric_cells = self.by_metric.get(metric, [])
            now = {c.key: c for c in metric_cells}

            def shown_now(key: CellKey, now=now) -> bool:
                return key not in now or not decisions[key].suppressed

            def shown_before(key: CellKey) -> bool:
                return key not in self.version.cells or key in self.version.shown

            total_key = (metric, ALL, ALL)
            total_before = shown_before(total_key)
            if shown_now(total_key) and total_before and total_key in now:
                failure = _group_failure(self._difference(metric, ALL, {ALL}), rules)
                if failure:
                    yield now[total_key], f"the change of the total since {label}: {failure}"
                    continue
            siblings = _siblings(metric_cells)
            for dimension in sorted(set(siblings) | {d for m, d in self.values if m == metric}):
                if dimension == ALL:
                    continue
                values = {c.value for c in siblings.get(dimension, [])} | self.values.get(
                    (metric, dimension), set()
                )
                hidden_now = {v for v in values if not shown_now((metric, dimension, v))}
                hidden_before = {v for v in values if not shown_before((metric, dimension, v))}
                found = self._dimension_failure(
                    metric,
                    dimension,
                    values,
                    [(shown_now(total_key), hidden_now), (total_before, hidden_before)],
                    rules,
                )
                if found is None:
                    continue
                group, failure = found
                in_group = [c for c in siblings.get(dimension, []) if c.value in group]
                target = _smallest(c for c in in_group if not decisions[c.key].suppressed)
                if target is None:  # only hidden siblings: hide one more to widen the group
                    target = _smallest(
                        c for c in siblings.get(dimension, []) if not decisions[c.key].suppressed
                    )
                if target is None:
                    target = now.get(total_key)
                if target is None or decisions[target.key].suppressed:
                    continue
                yield (
                    target,
                    f"the change of {_values_label(dimension, group)} since {label}: {failure}",
                )

    def _dimension_failure(self, metric, dimension, values, versions, rules):
        """The first group of siblings both versions determine whose difference fails, as
        (values, why), or None. `versions`: (total shown, hidden sibling values) of each."""
        parent = {value: value for value in values}

        def root(value):
            while parent[value] != value:
                parent[value] = parent[parent[value]]
                value = parent[value]
            return value

        undetermined = set()
        for total_shown, hidden in versions:
            if not total_shown:
                undetermined |= hidden
                continue
            ordered = sorted(hidden)
            for value in ordered[1:]:
                parent[root(value)] = root(ordered[0])
        groups: dict[str, set[str]] = defaultdict(set)
        for value in values:
            groups[root(value)].add(value)
        tainted = {root(value) for value in undetermined}
        determined = {key: group for key, group in groups.items() if key not in tainted}
        for key in sorted(determined):
            group = determined[key]
            failure = _group_failure(self._difference(metric, dimension, group), rules)
            if failure:
                return group, failure
        # A union of determined groups is determined too. Its difference is the union of theirs,
        # less the observations that only moved between them (same value, another sibling):
        # so only groups linked by such moves need checking together.
        link = {key: key for key in determined}

        def cluster(key):
            while link[key] != key:
                key = link[key]
            return key

        for _, before, after, _ in self.moves[(metric, dimension)]:
            if before not in parent or after not in parent:
                continue
            a, b = root(before), root(after)
            if a != b and a in determined and b in determined:
                link[cluster(a)] = cluster(b)
        clusters: dict[str, list[str]] = defaultdict(list)
        for key in sorted(determined):
            clusters[cluster(key)].append(key)
        for members in clusters.values():
            for size in range(2, len(members) + 1):
                for chosen in combinations(members, size):
                    group = set().union(*(determined[key] for key in chosen))
                    failure = _group_failure(self._difference(metric, dimension, group), rules)
                    if failure:
                        return group, failure
        return None
