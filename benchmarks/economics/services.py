"""Writes of practice economics: saved scenarios (versioned) and the itemized asks.

Each function validates everything before it writes and runs in one transaction, so bad input
(no approved financials, an FTE change that leaves no FTE, a withheld coalition figure, a
negative or non-numeric amount) raises EconomicsError and stores nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from benchmarks.economics import selectors
from benchmarks.economics.calculations import EconomicsError, decimal_or_error
from benchmarks.economics.models import EconomicsScenario, ScenarioVersion, SupportAsk
from benchmarks.models import ReferenceFigure

NAME_MAX = 80
ASK_MAX = Decimal("99999999999999.99")


def _settings(
    *,
    comp_basis: str,
    comp_cell: str,
    revenue_per_rvu_change_pct: object,
    fte_change: object,
    operating_expense_change: object,
) -> dict:
    if comp_basis not in ScenarioVersion.CompBasis.values:
        raise EconomicsError(
            f"Compensation basis {comp_basis!r} is unknown: choose actual, p50 or p75."
        )
    if comp_cell not in ScenarioVersion.CompCell.values:
        raise EconomicsError(
            f"Coalition cell {comp_cell!r} is unknown: choose auto, practice_size or all."
        )
    values = {
        "revenue_per_rvu_change_pct": decimal_or_error(
            revenue_per_rvu_change_pct, field="Revenue per RVU change (%)"
        ),
        "fte_change": decimal_or_error(fte_change, field="FTE change"),
        "operating_expense_change": decimal_or_error(
            operating_expense_change, field="Operating expense change"
        ),
    }
    limits = {
        "revenue_per_rvu_change_pct": (Decimal("2"), Decimal("1000")),
        "fte_change": (Decimal("2"), Decimal("100000")),
        "operating_expense_change": (Decimal("2"), Decimal("10000000000000")),
    }
    for name, (places, bound) in limits.items():
        value = values[name]
        if value != value.quantize(Decimal(1).scaleb(-int(places))):
            raise EconomicsError(f"{name.replace('_', ' ')}: at most {places} decimal places.")
        if abs(value) >= bound:
            raise EconomicsError(f"{name.replace('_', ' ')}: {value} is out of range.")
    return {"comp_basis": comp_basis, "comp_cell": comp_cell, **values}


@transaction.atomic
def scenario_save(
    *,
    practice,
    year: int,
    name: str,
    user=None,
    comp_basis: str = "actual",
    comp_cell: str = "auto",
    revenue_per_rvu_change_pct: object = 0,
    fte_change: object = 0,
    operating_expense_change: object = 0,
    note: str = "",
    scenario: EconomicsScenario | None = None,
) -> tuple[EconomicsScenario, ScenarioVersion, bool]:
    """Create the named scenario, or add a version to it when its settings or inputs changed.
    Returns (scenario, its latest version, whether a version was added). `scenario` renames
    an existing one to `name`."""
    name = (name or "").strip()
    if not name:
        raise EconomicsError("Name the scenario.")
    if len(name) > NAME_MAX:
        raise EconomicsError(f"A scenario name has at most {NAME_MAX} characters.")
    note = (note or "").strip()
    if len(note) > 300:
        raise EconomicsError("A note has at most 300 characters.")
    settings = _settings(
        comp_basis=comp_basis,
        comp_cell=comp_cell,
        revenue_per_rvu_change_pct=revenue_per_rvu_change_pct,
        fte_change=fte_change,
        operating_expense_change=operating_expense_change,
    )
    source = selectors.current_financials(practice=practice, year=year)
    release = selectors.published_release(year=year)
    band = selectors.practice_size_band(practice=practice, release=release)
    evaluation = selectors.evaluate(
        source=source, release=release, year=year, band=band, **settings
    )

    existing = EconomicsScenario.objects.for_practice(practice).filter(year=year)
    if scenario is None:
        scenario = existing.filter(name=name).first()
    elif scenario.practice_id != practice.pk or scenario.year != year:
        raise EconomicsError("No such scenario.")
    if scenario is not None and scenario.name != name:
        if existing.filter(name=name).exclude(pk=scenario.pk).exists():
            raise EconomicsError(f"A scenario named {name!r} already exists for {year}.")
        scenario.name = name
        scenario.save(update_fields=["name"])
    if scenario is None:
        try:
            with transaction.atomic():
                scenario = EconomicsScenario.objects.create(
                    practice=practice, year=year, name=name, created_by=user
                )
        except IntegrityError:
            raise EconomicsError(f"A scenario named {name!r} already exists for {year}.") from None

    comp = evaluation.comp
    uses_release = settings["comp_basis"] != "actual"
    candidate = ScenarioVersion(
        practice=practice,
        scenario=scenario,
        note=note,
        financials_submission=source.submission,
        financials_version=source.submission.version,
        release=release if uses_release else None,
        comp_dimension=comp.dimension if comp else "",
        comp_value=comp.cell_value if comp else "",
        comp_per_fte=comp.value if comp else None,
        total_revenue=evaluation.result.total_revenue,
        provider_expense=evaluation.result.provider_expense,
        operating_expense=evaluation.result.operating_expense,
        radiologist_fte=evaluation.result.radiologist_fte,
        deficit=evaluation.result.deficit,
        support_needed_per_fte=evaluation.result.support_needed_per_fte,
        created_by=user,
        **settings,
    )
    latest = (
        ScenarioVersion.objects.for_practice(practice)
        .filter(scenario=scenario)
        .select_for_update()
        .order_by("-number")
        .first()
    )
    if latest is not None and _same(latest, candidate):
        return scenario, latest, False
    candidate.number = (latest.number if latest else 0) + 1
    _round_results(candidate)
    candidate.full_clean(exclude=["practice", "scenario", "financials_submission", "release"])
    candidate.save()
    return scenario, candidate, True


def _round_results(version: ScenarioVersion) -> None:
    six = Decimal("0.000001")
    for name in (
        "total_revenue",
        "provider_expense",
        "operating_expense",
        "deficit",
        "support_needed_per_fte",
    ):
        setattr(version, name, getattr(version, name).quantize(six))


def _same(old: ScenarioVersion, new: ScenarioVersion) -> bool:
    return (
        old.settings_key() == new.settings_key()
        and old.financials_submission_id == new.financials_submission.pk
        and old.release_id == (new.release.pk if new.release else None)
        and old.comp_dimension == new.comp_dimension
        and old.comp_value == new.comp_value
        and old.comp_per_fte == new.comp_per_fte
    )


@transaction.atomic
def scenario_refresh(*, scenario: EconomicsScenario, user=None):
    """Recompute a scenario's latest settings on the current inputs (a new version when the
    financials or the release changed since)."""
    latest = selectors.latest_version(scenario)
    if latest is None:
        raise EconomicsError("The scenario has no saved version.")
    return scenario_save(
        practice=scenario.practice,
        year=scenario.year,
        name=scenario.name,
        user=user,
        note=latest.note,
        scenario=scenario,
        **selectors.scenario_inputs_from(latest),
    )


@transaction.atomic
def scenario_delete(*, scenario: EconomicsScenario) -> None:
    scenario.delete()


def _ask_values(*, category: str, amount: object, note: str) -> dict:
    if category not in SupportAsk.Category.values:
        labels = ", ".join(SupportAsk.Category.values)
        raise EconomicsError(f"Category {category!r} is unknown: choose one of {labels}.")
    value = decimal_or_error(amount, field="Amount")
    if value <= 0:
        raise EconomicsError(f"Amount: {value} is not allowed; an ask is a positive amount.")
    if value != value.quantize(Decimal("0.01")):
        raise EconomicsError("Amount: at most 2 decimal places (cents).")
    if value > ASK_MAX:
        raise EconomicsError("Amount: too large.")
    note = (note or "").strip()
    if len(note) > 300:
        raise EconomicsError("A note has at most 300 characters.")
    return {"category": category, "amount": value, "note": note}


@transaction.atomic
def ask_create(
    *, practice, year: int, category: str, amount: object, note: str = "", user=None
) -> SupportAsk:
    values = _ask_values(category=category, amount=amount, note=note)
    selectors.current_financials(practice=practice, year=year)  # the year must have a model
    return SupportAsk.objects.create(practice=practice, year=year, created_by=user, **values)


@transaction.atomic
def ask_update(*, ask: SupportAsk, category: str, amount: object, note: str = "") -> SupportAsk:
    values = _ask_values(category=category, amount=amount, note=note)
    for name, value in values.items():
        setattr(ask, name, value)
    ask.save(update_fields=[*values, "updated_at"])
    return ask


@transaction.atomic
def ask_delete(*, ask: SupportAsk) -> None:
    ask.delete()


# The typical range of hospital support per FTE quoted in SPEC section 5; staff edit it (and its
# source) on the reference figures page like every other external figure.
TYPICAL_RANGE_SOURCE = (
    "Typical hospital support per radiologist FTE (quoted in the coalition brief)"
)
TYPICAL_RANGE = [("range_low", Decimal("100000")), ("range_high", Decimal("300000"))]


@transaction.atomic
def typical_range_seed() -> int:
    """Add the brief's typical range when no typical range is entered. Idempotent."""
    if ReferenceFigure.objects.filter(
        metric=selectors.TYPICAL_RANGE_METRIC, statistic__in=["range_low", "range_high"]
    ).exists():
        return 0
    for statistic, value in TYPICAL_RANGE:
        ReferenceFigure.objects.create(
            metric=selectors.TYPICAL_RANGE_METRIC,
            statistic=statistic,
            value=value,
            source=TYPICAL_RANGE_SOURCE,
            note="Publisher and survey year not stated in the brief; confirm and edit.",
        )
    return len(TYPICAL_RANGE)
