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
   could be rebuilt from them, so the smallest sibling of that dimension is hidden.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

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


REASON_LABELS = {
    Reason.MIN_PRACTICES: "fewer practices than the minimum",
    Reason.DOMINANCE: "one practice contributes more than the maximum share",
    Reason.MIN_OBSERVATIONS: "fewer observations than mean and quartiles need",
    Reason.MIN_OBSERVATIONS_TAILS: "p10 and p90 withheld: fewer observations than they need",
    Reason.COMPLEMENTARY: "hidden with another withheld cell so that it cannot be derived",
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

    @property
    def key(self) -> CellKey:
        return (self.metric, self.dimension, self.value)


@dataclass
class Decision:
    suppressed: bool
    reasons: list[str] = field(default_factory=list)
    published: frozenset[str] = frozenset()

    def hide(self, reason: Reason) -> None:
        self.suppressed = True
        self.published = frozenset()
        if reason not in self.reasons:
            self.reasons.append(reason)


def primary_decision(cell: CellCounts, rules: RuleSet) -> Decision:
    reasons: list[str] = []
    if cell.n_practices < rules.min_practices:
        reasons.append(Reason.MIN_PRACTICES)
    if Decimal(cell.max_practice_observations) > rules.max_practice_share * cell.n_observations:
        reasons.append(Reason.DOMINANCE)
    if cell.n_observations < rules.min_observations_central:
        reasons.append(Reason.MIN_OBSERVATIONS)
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


def decide(cells: Iterable[CellCounts], rules: RuleSet) -> dict[CellKey, Decision]:
    """The decision for every cell: primary rules, then complementary suppression."""
    cells = list(cells)
    decisions = {cell.key: primary_decision(cell, rules) for cell in cells}
    by_metric: dict[str, list[CellCounts]] = defaultdict(list)
    metrics_of_source: dict[str, set[str]] = defaultdict(set)
    for cell in cells:
        by_metric[cell.metric].append(cell)
        metrics_of_source[cell.source].add(cell.metric)

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
        # 2 and 3. Subtraction along each dimension.
        for metric_cells in by_metric.values():
            total = next((c for c in metric_cells if c.dimension == ALL), None)
            if total is None:
                continue
            siblings: dict[str, list[CellCounts]] = defaultdict(list)
            for cell in metric_cells:
                if cell.dimension != ALL:
                    siblings[cell.dimension].append(cell)
            for dimension_cells in siblings.values():
                shown = [c for c in dimension_cells if not hidden(c)]
                n_hidden = len(dimension_cells) - len(shown)
                if hidden(total) and n_hidden == 0:
                    target = _smallest(shown)
                elif not hidden(total) and n_hidden == 1:
                    target = _smallest(shown) or total
                else:
                    continue
                decisions[target.key].hide(Reason.COMPLEMENTARY)
                changed = True
    return decisions
