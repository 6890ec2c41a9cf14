"""The negotiation model's arithmetic (SPEC section 5), on Decimals only.

Nothing here reads the database: the selectors hand in a practice-year's financials and the
coalition figures a scenario uses, and get every figure back unrounded. Figures are rounded to
the cent only where they are shown (`cents`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


class EconomicsError(ValueError):
    """Input the model cannot work with; the message is shown to the user as it is."""


class NoFinancialsError(EconomicsError):
    """The practice-year has no approved financials: there is no model (a 404, with the
    message)."""


def cents(value: Decimal | None) -> Decimal | None:
    """Rounded to the cent, halves away from zero (how money is shown everywhere)."""
    if value is None:
        return None
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def decimal_or_error(value: object, *, field: str) -> Decimal:
    """A Decimal from user input, or EconomicsError naming the field."""
    if isinstance(value, bool):
        raise EconomicsError(f"{field}: enter a number.")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise EconomicsError(f"{field}: {value!r} is not a number.") from None
    if not number.is_finite():
        raise EconomicsError(f"{field}: {value!r} is not a number.")
    return number


@dataclass(frozen=True)
class Financials:
    total_revenue: Decimal
    provider_expense: Decimal
    operating_expense: Decimal
    radiologist_fte: Decimal
    hospital_support_received: Decimal | None = None


@dataclass(frozen=True)
class Result:
    """Every figure of the model for one set of financials (actual or a scenario)."""

    total_revenue: Decimal
    provider_expense: Decimal
    operating_expense: Decimal
    radiologist_fte: Decimal
    hospital_support_received: Decimal | None

    @property
    def total_expense(self) -> Decimal:
        return self.provider_expense + self.operating_expense

    @property
    def deficit(self) -> Decimal:
        return self.total_expense - self.total_revenue

    @property
    def support_needed_per_fte(self) -> Decimal:
        return self.deficit / self.radiologist_fte

    @property
    def revenue_per_fte(self) -> Decimal:
        return self.total_revenue / self.radiologist_fte

    @property
    def expense_per_fte(self) -> Decimal:
        return self.total_expense / self.radiologist_fte

    @property
    def provider_expense_per_fte(self) -> Decimal:
        return self.provider_expense / self.radiologist_fte

    @property
    def remaining_gap(self) -> Decimal | None:
        if self.hospital_support_received is None:
            return None
        return self.deficit - self.hospital_support_received

    @property
    def remaining_gap_per_fte(self) -> Decimal | None:
        gap = self.remaining_gap
        return None if gap is None else gap / self.radiologist_fte

    @property
    def support_received_per_fte(self) -> Decimal | None:
        received = self.hospital_support_received
        return None if received is None else received / self.radiologist_fte

    def figures(self) -> dict[str, Decimal | None]:
        """The figures by name, unrounded."""
        return {name: getattr(self, name) for name in FIGURE_NAMES}


FIGURE_NAMES = [
    "total_revenue",
    "provider_expense",
    "operating_expense",
    "total_expense",
    "radiologist_fte",
    "deficit",
    "support_needed_per_fte",
    "hospital_support_received",
    "support_received_per_fte",
    "remaining_gap",
    "remaining_gap_per_fte",
    "revenue_per_fte",
    "expense_per_fte",
    "provider_expense_per_fte",
]


def actual(financials: Financials) -> Result:
    """The practice-year as reported."""
    if financials.radiologist_fte <= 0:
        raise EconomicsError(
            "The approved financials report zero radiologist FTE: support per FTE cannot be "
            "computed. Correct radiologist_fte and upload the file again."
        )
    return Result(
        total_revenue=financials.total_revenue,
        provider_expense=financials.provider_expense,
        operating_expense=financials.operating_expense,
        radiologist_fte=financials.radiologist_fte,
        hospital_support_received=financials.hospital_support_received,
    )


@dataclass(frozen=True)
class ScenarioInputs:
    """What a scenario changes. `comp_per_fte` is the coalition figure provider compensation is
    re-set to (None: the practice's own provider expense per FTE is kept)."""

    comp_per_fte: Decimal | None = None
    revenue_per_rvu_change_pct: Decimal = Decimal("0")
    fte_change: Decimal = Decimal("0")
    operating_expense_change: Decimal = Decimal("0")


def scenario(financials: Financials, inputs: ScenarioInputs) -> Result:
    """The practice-year re-run with a scenario's changes:

    - FTE' = FTE + fte_change (must stay above zero);
    - revenue' = revenue x (1 + revenue_per_rvu_change_pct / 100): the same RVUs at a changed
      revenue per RVU;
    - provider expense' = comp_per_fte x FTE' when compensation is re-set to a coalition
      figure, else provider expense x FTE' / FTE (the practice's own cost per FTE);
    - operating expense' = operating expense + operating_expense_change (not below zero);
    - deficit, support per FTE and the remaining gap follow as for the actual year, with the
      support already received unchanged.
    """
    base = actual(financials)
    fte = base.radiologist_fte + inputs.fte_change
    if fte <= 0:
        raise EconomicsError(
            f"FTE change {inputs.fte_change} leaves {fte} radiologist FTE: the result must be "
            "more than zero."
        )
    if inputs.revenue_per_rvu_change_pct <= -HUNDRED:
        raise EconomicsError("Revenue per RVU change must be more than -100%.")
    operating = base.operating_expense + inputs.operating_expense_change
    if operating < 0:
        raise EconomicsError(
            f"Operating expense change {inputs.operating_expense_change} makes operating "
            "expense negative."
        )
    if inputs.comp_per_fte is not None:
        provider = inputs.comp_per_fte * fte
    else:
        provider = base.provider_expense * fte / base.radiologist_fte
    revenue = base.total_revenue * (HUNDRED + inputs.revenue_per_rvu_change_pct) / HUNDRED
    return Result(
        total_revenue=revenue,
        provider_expense=provider,
        operating_expense=operating,
        radiologist_fte=fte,
        hospital_support_received=base.hospital_support_received,
    )


def bracket(value: Decimal, statistics: dict[str, Decimal | None]) -> str:
    """Where a value falls in a published band, in words ("between the median and p75")."""
    names = [("p10", "p10"), ("p25", "p25"), ("p50", "the median"), ("p75", "p75"), ("p90", "p90")]
    known = [(label, statistics[key]) for key, label in names if statistics.get(key) is not None]
    if not known:
        return ""
    if value < known[0][1]:
        return f"below {known[0][0]}"
    for (low_label, low), (high_label, high) in itertools.pairwise(known):
        if low <= value <= high:
            if value == low:
                return f"at {low_label}"
            if value == high:
                return f"at {high_label}"
            return f"between {low_label} and {high_label}"
    if value == known[-1][1]:
        return f"at {known[-1][0]}"
    return f"above {known[-1][0]}"


def range_position(value: Decimal, low: Decimal | None, high: Decimal | None) -> str:
    if low is None or high is None:
        return ""
    if value < low:
        return "below the typical range"
    if value > high:
        return "above the typical range"
    return "within the typical range"
