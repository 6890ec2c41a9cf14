"""Reads of practice economics: the negotiation model of one practice-year.

Everything here is for the practice's own pages, API and brief. Coalition figures come only
from published releases and only where the cell is published (a suppressed cell contributes
its rule codes, never a number); no other practice is ever named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from benchmarks import selectors as benchmark_selectors
from benchmarks.economics import calculations
from benchmarks.economics.calculations import (
    EconomicsError,
    Financials,
    NoFinancialsError,
    Result,
    ScenarioInputs,
)
from benchmarks.economics.models import EconomicsScenario, ScenarioVersion, SupportAsk
from benchmarks.metrics import ALL, DIMENSIONS, METRICS
from benchmarks.models import (
    BenchmarkCell,
    BenchmarkRelease,
    PracticeObservation,
    ReferenceFigure,
    ReleaseInput,
)
from benchmarks.rules import STATISTICS

FINANCIALS_KIND = "practice_financials"
SIZE_BAND = "practice_size"
DISTRIBUTION_METRICS = ["support_needed_per_fte", "revenue_per_fte", "expense_per_fte"]
COMP_METRIC = "comp_per_fte"
TYPICAL_RANGE_METRIC = "support_needed_per_fte"

# SPEC section 6: the quality metrics a practice brings to the table, with their targets.
# The quality app declares these as benchmark metrics; until a published release holds their
# cells, quality_figures() finds nothing and the brief says so.
QUALITY_METRICS: dict[str, tuple[str, str]] = {
    "tat_within_target_pct_ed": ("ED reports finalized within 30 minutes", "share, %"),
    "tat_within_target_pct_inpatient": ("Inpatient reports within 240 minutes", "share, %"),
    "tat_within_target_pct_outpatient": ("Outpatient reports within 480 minutes", "share, %"),
    "tat_median_minutes_ed": ("Median ED turnaround", "minutes"),
    "tat_median_minutes_inpatient": ("Median inpatient turnaround", "minutes"),
    "tat_median_minutes_outpatient": ("Median outpatient turnaround", "minutes"),
    "critical_result_timely_pct": ("Critical results communicated within 10 minutes", "%"),
    "peer_review_major_discrepancy_pct": ("Peer review major discrepancies (2b, 3a, 3b)", "%"),
    "mammography_recall_pct": ("Mammography recall rate", "%"),
    "patient_experience_top_box_pct": ("Patient experience top-box score", "%"),
}
QUALITY_TARGETS = {
    "tat_within_target_pct_ed": "ED <= 30 min",
    "tat_within_target_pct_inpatient": "inpatient <= 240 min",
    "tat_within_target_pct_outpatient": "outpatient <= 480 min",
    "critical_result_timely_pct": "> 95%",
    "mammography_recall_pct": "8-12%",
}


# --- financials ---------------------------------------------------------------------------------
@dataclass
class FinancialsSource:
    submission: object  # practices.submissions.models.Submission
    financials: Financials

    @property
    def version(self) -> int:
        return self.submission.version


def current_financials(*, practice, year: int) -> FinancialsSource:
    """The practice's current approved practice_financials of the year, or EconomicsError."""
    from practices.submissions.models import PracticeFinancialsRecord, Submission

    submission = (
        Submission.objects.for_practice(practice)
        .filter(
            kind=FINANCIALS_KIND,
            period__year=year,
            is_current=True,
            status=Submission.Status.APPROVED,
        )
        .select_related("period")
        .first()
    )
    if submission is None:
        raise NoFinancialsError(
            f"No approved practice financials for {year}: upload a practice_financials file "
            "for the year and have it approved first."
        )
    record = PracticeFinancialsRecord.objects.for_practice(practice).filter(submission=submission)
    record = record.first()
    if record is None:
        raise NoFinancialsError(f"The approved practice financials for {year} hold no row.")
    return FinancialsSource(
        submission=submission,
        financials=Financials(
            total_revenue=record.total_revenue,
            provider_expense=record.provider_expense,
            operating_expense=record.operating_expense,
            radiologist_fte=record.radiologist_fte,
            hospital_support_received=record.hospital_support_received,
        ),
    )


def financial_years(*, practice) -> list[int]:
    """Years with current approved financials, newest first."""
    from practices.submissions.models import Submission

    return sorted(
        set(
            Submission.objects.for_practice(practice)
            .filter(kind=FINANCIALS_KIND, is_current=True, status=Submission.Status.APPROVED)
            .values_list("period__year", flat=True)
        ),
        reverse=True,
    )


# --- coalition figures --------------------------------------------------------------------------
def published_release(*, year: int) -> BenchmarkRelease | None:
    return benchmark_selectors.current_published_releases().get(year)


def practice_size_band(*, practice, release: BenchmarkRelease | None) -> str:
    """The band the release filed the practice under (its inputs record it), else today's."""
    if release is not None:
        recorded = (
            ReleaseInput.objects.for_practice(practice)
            .filter(release=release)
            .values_list("size_band", flat=True)
            .first()
        )
        if recorded:
            return recorded
    return practice.size_band


def _cells(release: BenchmarkRelease, metrics: list[str], band: str) -> dict[tuple, BenchmarkCell]:
    cells = BenchmarkCell.objects.filter(
        release=release, metric__in=metrics, dimension__in=[ALL, SIZE_BAND]
    ).filter(value__in=[ALL, band])
    return {(c.metric, c.dimension, c.value): c for c in cells}


@dataclass
class CoalitionCell:
    """A published cell as members see it: statistics only when published."""

    dimension: str
    value: str
    label: str
    suppressed: bool
    suppression_reason: str
    n_practices: int | None = None
    n_observations: int | None = None
    statistics: dict[str, Decimal | None] = field(default_factory=dict)

    @classmethod
    def of(cls, cell: BenchmarkCell) -> CoalitionCell:
        published = not cell.suppressed
        return cls(
            dimension=cell.dimension,
            value=cell.value,
            label="All practices"
            if cell.dimension == ALL
            else f"Size band {DIMENSIONS[SIZE_BAND].value_label(cell.value)}",
            suppressed=cell.suppressed,
            suppression_reason=";".join(cell.suppression_reasons),
            n_practices=cell.n_practices if published else None,
            n_observations=cell.n_observations if published else None,
            statistics={s: getattr(cell, s) if published else None for s in STATISTICS},
        )


@dataclass
class DistributionPosition:
    metric: str
    label: str
    unit: str
    value: Decimal
    cells: list[CoalitionCell]
    percentile_rank: float | None  # from the release, when it used this same submission
    brackets: dict[str, str]  # dimension -> "between p50 and p75"


def _distribution(
    *, practice, release, band: str, actual: Result, submission
) -> list[DistributionPosition]:
    if release is None:
        return []
    cells = _cells(release, DISTRIBUTION_METRICS, band)
    same_input = (
        ReleaseInput.objects.for_practice(practice)
        .filter(release=release, submission=submission)
        .exists()
    )
    ranks = {}
    if same_input:
        ranks = dict(
            PracticeObservation.objects.for_practice(practice)
            .filter(release=release, metric__in=DISTRIBUTION_METRICS, provider_pseudonym="")
            .values_list("metric", "percentile_ranks")
        )
    values = {
        "support_needed_per_fte": actual.support_needed_per_fte,
        "revenue_per_fte": actual.revenue_per_fte,
        "expense_per_fte": actual.expense_per_fte,
    }
    positions = []
    for code in DISTRIBUTION_METRICS:
        metric = METRICS[code]
        found = [cells.get((code, ALL, ALL)), cells.get((code, SIZE_BAND, band))]
        coalition = [CoalitionCell.of(c) for c in found if c is not None]
        brackets = {
            c.dimension: calculations.bracket(values[code], c.statistics)
            for c in coalition
            if not c.suppressed
        }
        positions.append(
            DistributionPosition(
                metric=code,
                label=metric.label,
                unit=metric.unit,
                value=values[code],
                cells=coalition,
                percentile_rank=(ranks.get(code) or {}).get(ALL),
                brackets=brackets,
            )
        )
    return positions


@dataclass
class CompFigure:
    """The coalition compensation per FTE a scenario re-sets provider pay to, or why not."""

    statistic: str
    value: Decimal | None
    dimension: str = ""
    cell_value: str = ""
    label: str = ""
    error: str = ""


def comp_figure(
    *, release: BenchmarkRelease | None, year: int, statistic: str, cell: str, band: str
) -> CompFigure:
    """p50 or p75 of comp_per_fte from the year's published release: the practice's size-band
    cell (`cell` "practice_size"), all practices ("all"), or the band when published else all
    ("auto"). A withheld or unpublished figure is an error saying so."""
    if release is None:
        return CompFigure(
            statistic,
            None,
            error=f"The {year} benchmarks are not published yet: no coalition compensation "
            "figure to re-set provider pay to.",
        )
    wanted = {
        "auto": [(SIZE_BAND, band), (ALL, ALL)],
        SIZE_BAND: [(SIZE_BAND, band)],
        ALL: [(ALL, ALL)],
    }[cell]
    cells = _cells(release, [COMP_METRIC], band)
    reasons = []
    for dimension, value in wanted:
        found = cells.get((COMP_METRIC, dimension, value))
        label = (
            "all practices"
            if dimension == ALL
            else f"practices of {DIMENSIONS[SIZE_BAND].value_label(value)}"
        )
        if found is None:
            reasons.append(f"{label}: not in the {year} release")
            continue
        figure = None if found.suppressed else getattr(found, statistic)
        if figure is None:
            why = benchmark_selectors.reason_text(found.suppression_reasons) or "withheld"
            reasons.append(f"{label}: withheld ({why})")
            continue
        return CompFigure(statistic, figure, dimension, value, label)
    name = "median" if statistic == "p50" else "75th percentile"
    return CompFigure(
        statistic,
        None,
        error=f"The coalition {name} of compensation per FTE cannot be used for {year}: "
        + "; ".join(reasons)
        + ".",
    )


# --- typical range and other reference figures -------------------------------------------------
TypicalRange = benchmark_selectors.TypicalRange


def typical_range() -> TypicalRange:
    return benchmark_selectors.typical_range(metric=TYPICAL_RANGE_METRIC)


# --- quality ------------------------------------------------------------------------------------
@dataclass
class QualityFigure:
    metric: str
    label: str
    unit: str
    value: Decimal
    target: str
    coalition: CoalitionCell | None


def quality_figures(*, practice, year: int) -> list[QualityFigure]:
    """The practice's own quality figures of the year as the year's published release holds
    them (its practice-level observations of the SPEC 6 metrics), with the coalition's `all`
    cell where published. Empty until a published release has quality cells."""
    release = published_release(year=year)
    if release is None:
        return []
    codes = list(QUALITY_METRICS)
    cells = {
        c.metric: c
        for c in BenchmarkCell.objects.filter(
            release=release, metric__in=codes, dimension=ALL, value=ALL
        )
    }
    if not cells:
        return []
    observations = (
        PracticeObservation.objects.for_practice(practice)
        .filter(release=release, metric__in=list(cells), provider_pseudonym="")
        .values_list("metric", "value")
    )
    figures = []
    for code, value in sorted(observations, key=lambda o: codes.index(o[0])):
        registered = METRICS.get(code)
        label, unit = QUALITY_METRICS[code]
        figures.append(
            QualityFigure(
                metric=code,
                label=registered.label if registered else label,
                unit=registered.unit if registered else unit,
                value=value,
                target=QUALITY_TARGETS.get(code, ""),
                coalition=CoalitionCell.of(cells[code]),
            )
        )
    return figures


# --- trend --------------------------------------------------------------------------------------
@dataclass
class TrendYear:
    year: int
    support_needed_per_fte: Decimal | None
    cell: CoalitionCell | None


def support_trend(*, practice) -> list[TrendYear]:
    """The practice's support needed per FTE over its years with approved financials, beside
    the coalition's published `all` cell of each published year."""
    from practices.submissions.models import PracticeFinancialsRecord, Submission

    own = {}
    for record in (
        PracticeFinancialsRecord.objects.for_practice(practice)
        .filter(
            submission__kind=FINANCIALS_KIND,
            submission__is_current=True,
            submission__status=Submission.Status.APPROVED,
        )
        .select_related("submission__period")
    ):
        if record.radiologist_fte > 0:
            result = calculations.actual(
                Financials(
                    record.total_revenue,
                    record.provider_expense,
                    record.operating_expense,
                    record.radiologist_fte,
                )
            )
            own[record.submission.period.year] = result.support_needed_per_fte
    current = benchmark_selectors.current_published_releases()
    cells = {
        c.release_id: c
        for c in BenchmarkCell.objects.filter(
            release_id__in=[r.pk for r in current.values()],
            metric=TYPICAL_RANGE_METRIC,
            dimension=ALL,
            value=ALL,
        )
    }
    years = sorted(set(own) | set(current))
    return [
        TrendYear(
            year=year,
            support_needed_per_fte=own.get(year),
            cell=CoalitionCell.of(cells[current[year].pk])
            if year in current and current[year].pk in cells
            else None,
        )
        for year in years
    ]


# --- scenarios and asks -------------------------------------------------------------------------
def with_versions(queryset: QuerySet[EconomicsScenario], *, practice) -> QuerySet:
    """Scenarios with their versions in one more query (scoped like everything else)."""
    return queryset.prefetch_related(
        Prefetch("versions", queryset=ScenarioVersion.objects.for_practice(practice))
    )


def scenarios(*, practice, year: int) -> QuerySet[EconomicsScenario]:
    return with_versions(
        EconomicsScenario.objects.for_practice(practice).filter(year=year), practice=practice
    ).order_by("name")


def scenario_versions(*, scenario: EconomicsScenario) -> QuerySet[ScenarioVersion]:
    return (
        ScenarioVersion.objects.for_practice(scenario.practice)
        .filter(scenario=scenario)
        .select_related("release", "created_by")
        .order_by("-number")
    )


def latest_version(scenario: EconomicsScenario) -> ScenarioVersion | None:
    """From the prefetched versions (with_versions()) when there are, else one query."""
    if "versions" in getattr(scenario, "_prefetched_objects_cache", {}):
        versions = sorted(scenario.versions.all(), key=lambda v: v.number)
        return versions[-1] if versions else None
    return scenario_versions(scenario=scenario).first()


def asks(*, practice, year: int) -> QuerySet[SupportAsk]:
    return SupportAsk.objects.for_practice(practice).filter(year=year).order_by("category", "pk")


@dataclass
class ScenarioOutcome:
    """A scenario computed from the current inputs (or the error that prevents it)."""

    name: str
    description: str
    result: Result | None
    error: str = ""
    comp: CompFigure | None = None
    scenario: EconomicsScenario | None = None
    version: ScenarioVersion | None = None
    stale: bool = False  # the inputs changed since the latest version was saved


def scenario_inputs_from(version: ScenarioVersion) -> dict:
    return {
        "comp_basis": version.comp_basis,
        "comp_cell": version.comp_cell,
        "revenue_per_rvu_change_pct": version.revenue_per_rvu_change_pct,
        "fte_change": version.fte_change,
        "operating_expense_change": version.operating_expense_change,
    }


@dataclass
class Evaluation:
    result: Result
    comp: CompFigure | None


def evaluate(
    *,
    source: FinancialsSource,
    release: BenchmarkRelease | None,
    year: int,
    band: str,
    comp_basis: str,
    comp_cell: str = "auto",
    revenue_per_rvu_change_pct: Decimal = Decimal("0"),
    fte_change: Decimal = Decimal("0"),
    operating_expense_change: Decimal = Decimal("0"),
) -> Evaluation:
    """One scenario on the given inputs; EconomicsError when it cannot be computed."""
    comp = None
    if comp_basis != ScenarioVersion.CompBasis.ACTUAL:
        comp = comp_figure(
            release=release, year=year, statistic=comp_basis, cell=comp_cell, band=band
        )
        if comp.error:
            raise EconomicsError(comp.error)
    result = calculations.scenario(
        source.financials,
        ScenarioInputs(
            comp_per_fte=comp.value if comp else None,
            revenue_per_rvu_change_pct=revenue_per_rvu_change_pct,
            fte_change=fte_change,
            operating_expense_change=operating_expense_change,
        ),
    )
    return Evaluation(result, comp)


def describe(
    *, comp_basis: str, revenue_per_rvu_change_pct, fte_change, operating_expense_change, comp
) -> str:
    parts = []
    if comp_basis == "actual":
        parts.append("own provider expense per FTE")
    else:
        name = "median" if comp_basis == "p50" else "75th percentile"
        if comp is not None and comp.value is not None:
            parts.append(
                f"provider pay at ${calculations.cents(comp.value):,} per FTE, the coalition "
                f"{name} of {comp.label}"
            )
        else:
            parts.append(f"provider pay at the coalition {name} per FTE")
    if revenue_per_rvu_change_pct:
        parts.append(f"revenue per RVU {Decimal(revenue_per_rvu_change_pct):+}%")
    if fte_change:
        parts.append(f"FTE {Decimal(fte_change):+}")
    if operating_expense_change:
        change = calculations.cents(Decimal(operating_expense_change))
        parts.append(f"operating expense {'+' if change > 0 else '-'}${abs(change):,}")
    return "; ".join(parts)


# --- the whole model ----------------------------------------------------------------------------
@dataclass
class AskSummary:
    items: list[SupportAsk]
    total: Decimal
    cost_basis: Decimal  # the deficit: what the hospital would fund on a cost basis
    difference: Decimal  # total - cost_basis (negative: the asks cover less than the deficit)
    share_of_cost_basis: Decimal | None  # percent
    by_category: list[tuple[str, Decimal]]


@dataclass
class EconomicsModel:
    practice: object
    year: int
    source: FinancialsSource
    actual: Result
    release: BenchmarkRelease | None
    size_band: str
    distribution: list[DistributionPosition]
    typical: TypicalRange
    typical_position: str
    standard_scenarios: list[ScenarioOutcome]
    saved_scenarios: list[ScenarioOutcome]
    asks: AskSummary
    quality: list[QualityFigure]
    trend: list[TrendYear]
    references: list[ReferenceFigure]

    @property
    def submission(self):
        return self.source.submission


def _ask_summary(items: list[SupportAsk], cost_basis: Decimal) -> AskSummary:
    total = sum((a.amount for a in items), Decimal("0"))
    by_category: dict[str, Decimal] = {}
    labels = dict(SupportAsk.Category.choices)
    for ask in items:
        label = labels[ask.category]
        by_category[label] = by_category.get(label, Decimal("0")) + ask.amount
    return AskSummary(
        items=items,
        total=total,
        cost_basis=cost_basis,
        difference=total - cost_basis,
        share_of_cost_basis=(total * 100 / cost_basis) if cost_basis > 0 else None,
        by_category=list(by_category.items()),
    )


def economics_model(*, practice, year: int, scenario_name: str | None = None) -> EconomicsModel:
    """The negotiation model of a practice-year; EconomicsError when it has no usable
    approved financials (or, with scenario_name, no saved scenario of that name)."""
    source = current_financials(practice=practice, year=year)
    actual = calculations.actual(source.financials)
    release = published_release(year=year)
    band = practice_size_band(practice=practice, release=release)

    standard = []
    for basis in ("p50", "p75"):
        name = "median" if basis == "p50" else "75th percentile"
        try:
            evaluation = evaluate(
                source=source, release=release, year=year, band=band, comp_basis=basis
            )
            standard.append(
                ScenarioOutcome(
                    name=f"Provider pay at the coalition {name}",
                    description=describe(
                        comp_basis=basis,
                        revenue_per_rvu_change_pct=0,
                        fte_change=0,
                        operating_expense_change=0,
                        comp=evaluation.comp,
                    ),
                    result=evaluation.result,
                    comp=evaluation.comp,
                )
            )
        except EconomicsError as error:
            standard.append(
                ScenarioOutcome(
                    name=f"Provider pay at the coalition {name}",
                    description="",
                    result=None,
                    error=str(error),
                )
            )

    saved = []
    saved_rows = list(scenarios(practice=practice, year=year))
    if scenario_name is not None:
        saved_rows = [s for s in saved_rows if s.name == scenario_name]
        if not saved_rows:
            raise EconomicsError(f"No saved scenario named {scenario_name!r} for {year}.")
    for scenario in saved_rows:
        version = latest_version(scenario)
        if version is None:
            continue
        settings = scenario_inputs_from(version)
        stale = version.financials_submission_id != source.submission.pk or (
            version.comp_basis != "actual" and (release is None or version.release_id != release.pk)
        )
        try:
            evaluation = evaluate(source=source, release=release, year=year, band=band, **settings)
            saved.append(
                ScenarioOutcome(
                    name=scenario.name,
                    description=describe(**settings_without_cell(settings), comp=evaluation.comp),
                    result=evaluation.result,
                    comp=evaluation.comp,
                    scenario=scenario,
                    version=version,
                    stale=stale,
                )
            )
        except EconomicsError as error:
            saved.append(
                ScenarioOutcome(
                    name=scenario.name,
                    description=describe(**settings_without_cell(settings), comp=None),
                    result=None,
                    error=str(error),
                    scenario=scenario,
                    version=version,
                    stale=stale,
                )
            )

    typical = typical_range()
    return EconomicsModel(
        practice=practice,
        year=year,
        source=source,
        actual=actual,
        release=release,
        size_band=band,
        distribution=_distribution(
            practice=practice,
            release=release,
            band=band,
            actual=actual,
            submission=source.submission,
        ),
        typical=typical,
        typical_position=calculations.range_position(
            actual.support_needed_per_fte,
            typical.low.value if typical.low else None,
            typical.high.value if typical.high else None,
        ),
        standard_scenarios=standard,
        saved_scenarios=saved,
        asks=_ask_summary(list(asks(practice=practice, year=year)), actual.deficit),
        quality=quality_figures(practice=practice, year=year),
        trend=support_trend(practice=practice),
        references=list(
            benchmark_selectors.reference_figures().filter(
                metric__in=[*DISTRIBUTION_METRICS, COMP_METRIC]
            )
        ),
    )


def settings_without_cell(settings: dict) -> dict:
    return {k: v for k, v in settings.items() if k != "comp_cell"}


def sources(model: EconomicsModel) -> list[str]:
    """Where every figure from outside the practice comes from."""
    lines = []
    if model.release is not None:
        published = model.release.published_at
        lines.append(
            f"Coalition benchmarks: the {model.release.year} release, version "
            f"{model.release.version}"
            + (f", published {published:%B %-d, %Y}" if published else "")
            + ". Figures withheld under the coalition's disclosure rules are not shown."
        )
    else:
        lines.append(f"Coalition benchmarks: no release for {model.year} is published yet.")
    lines.append(
        f"Practice figures: the practice's approved practice_financials for {model.year}, "
        f"version {model.source.version}."
    )
    seen = set()
    for figure in [model.typical.low, model.typical.high, *model.references]:
        if figure is None or figure.pk in seen:
            continue
        seen.add(figure.pk)
        year = f", survey year {figure.survey_year}" if figure.survey_year else ""
        metric = METRICS[figure.metric].label if figure.metric in METRICS else figure.metric
        lines.append(
            f"{metric}, {figure.get_statistic_display().lower()} {figure.value:,}: "
            f"{figure.source}{year}" + (f" ({figure.url})" if figure.url else "")
        )
    return lines
