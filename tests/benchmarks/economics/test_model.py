"""The negotiation model: the worked example, the coalition position, the scenarios against
hand computations (numpy for the coalition percentiles, Decimal arithmetic for the rest), the
choice of the compensation cell and the quality hook."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from benchmarks.economics import calculations, selectors, services
from benchmarks.economics.calculations import EconomicsError, Financials, ScenarioInputs
from benchmarks.economics.models import EconomicsScenario, ScenarioVersion
from benchmarks.models import BenchmarkCell, BenchmarkRelease
from practices.submissions.models import Provider
from tests.benchmarks import factories
from tests.benchmarks.economics.conftest import DEFICIT, SUPPORT_PER_FTE, WORKED, set_financials

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def test_worked_example_arithmetic():
    result = calculations.actual(Financials(**WORKED))
    assert result.total_expense == Decimal("31493305")
    assert result.deficit == Decimal("6318609")
    assert f"{cents(result.support_needed_per_fte):.2f}" == SUPPORT_PER_FTE
    # Unrounded until shown: 6318609 / 32.33 = 195441.04546...
    assert result.support_needed_per_fte != cents(result.support_needed_per_fte)


def test_zero_fte_is_refused_with_a_message():
    with pytest.raises(EconomicsError, match="zero radiologist FTE"):
        calculations.actual(Financials(**{**WORKED, "radiologist_fte": Decimal("0")}))
    with pytest.raises(EconomicsError, match="more than zero"):
        calculations.scenario(Financials(**WORKED), ScenarioInputs(fte_change=Decimal("-32.33")))


def test_bracket_words():
    stats = {
        "p10": Decimal(1),
        "p25": Decimal(2),
        "p50": Decimal(3),
        "p75": Decimal(4),
        "p90": Decimal(5),
    }
    assert calculations.bracket(Decimal("0.5"), stats) == "below p10"
    assert calculations.bracket(Decimal("3.5"), stats) == "between the median and p75"
    assert calculations.bracket(Decimal("3"), stats) == "at the median"
    assert calculations.bracket(Decimal("9"), stats) == "above p90"
    assert calculations.bracket(Decimal("9"), {**stats, "p90": None, "p10": None}) == "above p75"


def test_model_of_the_worked_example(econ, practice_a, typical_range):
    model = selectors.economics_model(practice=practice_a, year=2024)
    assert f"{cents(model.actual.deficit):.2f}" == DEFICIT
    assert f"{cents(model.actual.support_needed_per_fte):.2f}" == SUPPORT_PER_FTE
    assert model.actual.remaining_gap is None  # no support received reported
    assert model.typical_position == "within the typical range"
    assert model.release == econ.releases[2024]
    assert [p.metric for p in model.distribution] == [
        "support_needed_per_fte",
        "revenue_per_fte",
        "expense_per_fte",
    ]
    support = model.distribution[0]
    assert support.value == model.actual.support_needed_per_fte
    # The coalition figures are the published cells, read here without the selectors.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p25, p50, p75, suppressed FROM benchmarks_benchmarkcell WHERE release_id=%s "
            "AND metric='support_needed_per_fte' AND dimension='all'",
            [econ.releases[2024].pk],
        )
        p25, p50, p75, suppressed = cursor.fetchone()
    assert not suppressed
    all_cell = next(c for c in support.cells if c.dimension == "all")
    assert (all_cell.statistics["p25"], all_cell.statistics["p50"], all_cell.statistics["p75"]) == (
        p25,
        p50,
        p75,
    )
    # An independent percentile computation of the same observations.
    values = [
        float((f.provider_expense + f.operating_expense - f.total_revenue) / f.radiologist_fte)
        for f in econ.data[2024].financials
    ]
    assert float(p50) == pytest.approx(np.percentile(values, 50), abs=1e-3)
    # The rank comes from the release (which used this same submission): 100 x below / (n-1).
    below = sum(v < float(model.actual.support_needed_per_fte) for v in values)
    assert support.percentile_rank == pytest.approx(100 * below / (len(values) - 1), abs=0.05)
    # Suppressed cells carry no statistics at all.
    for position in model.distribution:
        for cell in position.cells:
            if cell.suppressed:
                assert set(cell.statistics.values()) == {None}
                assert cell.n_practices is None


def test_support_received_and_remaining_gap(econ, practice_a):
    set_financials(practice_a, 2024, hospital_support_received=Decimal("2000000.00"))
    model = selectors.economics_model(practice=practice_a, year=2024)
    assert model.actual.remaining_gap == Decimal("4318609")
    assert cents(model.actual.remaining_gap_per_fte) == cents(Decimal("4318609") / Decimal("32.33"))
    assert cents(model.actual.support_received_per_fte) == Decimal("61862.05")


def _comp_values(econ, year: int, practice_ids: set[int] | None) -> list[float]:
    return [
        float(p.total_compensation / p.clinical_fte)
        for p in econ.data[year].providers
        if p.clinical_fte >= Decimal("0.5")
        and (practice_ids is None or p.practice_id in practice_ids)
    ]


@pytest.mark.parametrize("statistic", ["p50", "p75"])
def test_comp_scenarios_equal_a_hand_computation(econ, practice_a, statistic):
    release = econ.releases[2024]
    band = practice_a.size_band
    band_cell = BenchmarkCell.objects.get(
        release=release, metric="comp_per_fte", dimension="practice_size", value=band
    )
    all_cell = BenchmarkCell.objects.get(release=release, metric="comp_per_fte", dimension="all")
    use_band = not band_cell.suppressed and getattr(band_cell, statistic) is not None
    used = band_cell if use_band else all_cell
    # The published figure is the percentile of the providers' comp per FTE (numpy).
    members = {p.pk for p in econ.members if p.size_band == band} if use_band else None
    expected_figure = np.percentile(_comp_values(econ, 2024, members), int(statistic[1:]))
    assert float(getattr(used, statistic)) == pytest.approx(expected_figure, abs=1e-3)

    comp = getattr(used, statistic)
    fte = WORKED["radiologist_fte"]
    provider = comp * fte
    deficit = provider + WORKED["operating_expense"] - WORKED["total_revenue"]
    model = selectors.economics_model(practice=practice_a, year=2024)
    outcome = model.standard_scenarios[0 if statistic == "p50" else 1]
    assert outcome.error == ""
    assert outcome.comp.dimension == ("practice_size" if use_band else "all")
    assert outcome.result.provider_expense == provider
    assert outcome.result.deficit == deficit
    assert cents(outcome.result.support_needed_per_fte) == cents(deficit / fte)


def test_user_scenario_equals_a_hand_computation(econ, practice_a, admin_a):
    _scenario, version, added = services.scenario_save(
        practice=practice_a,
        year=2024,
        name="Rate cut and two hires",
        user=admin_a,
        revenue_per_rvu_change_pct="-5",
        fte_change="2",
        operating_expense_change="250000",
    )
    assert added and version.number == 1
    fte = Decimal("34.33")
    revenue = Decimal("25174696") * Decimal("0.95")
    provider = Decimal("23493305") * fte / Decimal("32.33")
    operating = Decimal("8250000")
    deficit = provider + operating - revenue
    assert cents(version.deficit) == cents(deficit)
    assert cents(version.support_needed_per_fte) == cents(deficit / fte)
    outcome = selectors.economics_model(practice=practice_a, year=2024).saved_scenarios[0]
    assert outcome.name == "Rate cut and two hires" and not outcome.stale
    assert cents(outcome.result.support_needed_per_fte) == cents(deficit / fte)
    assert version.financials_version == 1 and version.release is None


def test_saving_again_versions_only_on_change(econ, practice_a, admin_a):
    common = {"practice": practice_a, "year": 2024, "name": "Base", "user": admin_a}
    scenario, v1, _ = services.scenario_save(**common, comp_basis="p50")
    _, same, added = services.scenario_save(**common, comp_basis="p50")
    assert not added and same.pk == v1.pk
    _, v2, added = services.scenario_save(**common, comp_basis="p75")
    assert added and v2.number == 2
    assert v2.release == econ.releases[2024]
    assert list(
        selectors.scenario_versions(scenario=scenario).values_list("number", flat=True)
    ) == [2, 1]

    # New approved financials (version 2) make the scenario stale; refreshing adds version 3.
    from practices.submissions.models import Submission

    old = Submission.objects.for_practice(practice_a).get(
        kind="practice_financials", period__year=2024, is_current=True
    )
    assert old.version == 1
    Submission.objects.for_practice(practice_a).filter(pk=old.pk).update(
        is_current=False, status="superseded"
    )
    new = factories.submission(practice_a, kind="practice_financials", year=2024, version=2)
    factories.financials_row(
        practice_a, new, year=2024, **{**WORKED, "operating_expense": Decimal("8100000")}
    )
    model = selectors.economics_model(practice=practice_a, year=2024)
    assert model.saved_scenarios[0].stale
    _, v3, added = services.scenario_refresh(scenario=scenario, user=admin_a)
    assert added and v3.number == 3 and v3.financials_version == 2
    assert v3.comp_basis == "p75"
    assert not selectors.economics_model(practice=practice_a, year=2024).saved_scenarios[0].stale


def _draft_with_comp_cells(*, all_suppressed: bool, band_suppressed: bool, band: str, year: int):
    release = BenchmarkRelease.objects.create(year=year, version=1, status="draft")

    def cell(dimension, value, suppressed, p50):
        return BenchmarkCell.objects.create(
            release=release,
            metric="comp_per_fte",
            dimension=dimension,
            value=value,
            n_practices=6,
            n_observations=40,
            max_practice_observations=8,
            p25=None if suppressed else p50 - 50000,
            p50=None if suppressed else p50,
            p75=None if suppressed else p50 + 50000,
            suppressed=suppressed,
            suppression_reasons=["dominance"] if suppressed else [],
        )

    cell("all", "all", all_suppressed, Decimal("500000"))
    cell("practice_size", band, band_suppressed, Decimal("520000"))
    return release


def test_comp_cell_choice_and_withheld_figures(db):
    band = "25-50"
    release = _draft_with_comp_cells(
        all_suppressed=False, band_suppressed=False, band=band, year=2017
    )
    figure = selectors.comp_figure(
        release=release, year=2019, statistic="p50", cell="auto", band=band
    )
    assert (figure.dimension, figure.value) == ("practice_size", Decimal("520000"))
    figure = selectors.comp_figure(
        release=release, year=2019, statistic="p75", cell="all", band=band
    )
    assert (figure.dimension, figure.value) == ("all", Decimal("550000"))

    release = _draft_with_comp_cells(
        all_suppressed=False, band_suppressed=True, band="gt100", year=2018
    )
    figure = selectors.comp_figure(
        release=release, year=2019, statistic="p50", cell="auto", band="gt100"
    )
    assert (figure.dimension, figure.value) == ("all", Decimal("500000"))
    figure = selectors.comp_figure(
        release=release, year=2019, statistic="p50", cell="practice_size", band="gt100"
    )
    assert figure.value is None and "withheld" in figure.error and "500000" not in figure.error

    release = _draft_with_comp_cells(
        all_suppressed=True, band_suppressed=True, band="lt25", year=2019
    )
    figure = selectors.comp_figure(
        release=release, year=2019, statistic="p75", cell="auto", band="lt25"
    )
    assert figure.value is None and "cannot be used" in figure.error


def test_scenario_on_an_unpublished_year_is_refused_and_nothing_saved(econ, practice_a, admin_a):
    # 2025 has approved financials but only a draft release (too recent to publish).
    factories.coalition_year(econ.members, year=2025, providers_per_practice=6, seed=9)
    from benchmarks import services as benchmark_services

    draft = benchmark_services.release_request(year=2025, enqueue=False)
    benchmark_services.release_compute(release_id=draft.pk)
    model = selectors.economics_model(practice=practice_a, year=2025)
    assert model.release is None
    assert all("not published" in o.error for o in model.standard_scenarios)
    with pytest.raises(EconomicsError, match="not published"):
        services.scenario_save(
            practice=practice_a, year=2025, name="At p75", user=admin_a, comp_basis="p75"
        )
    assert not EconomicsScenario.objects.for_practice(practice_a).exists()
    assert not ScenarioVersion.objects.for_practice(practice_a).exists()


def test_no_approved_financials(practice_a, admin_a):
    with pytest.raises(calculations.NoFinancialsError, match="No approved practice financials"):
        selectors.economics_model(practice=practice_a, year=2024)
    with pytest.raises(EconomicsError):
        services.ask_create(practice=practice_a, year=2024, category="app_support", amount="10")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "positive"),
        ("abc", "not a number"),
        ("0", "positive"),
        ("1.001", "decimal places"),
        ("NaN", "not a number"),
    ],
)
def test_bad_asks_are_refused(econ, practice_a, amount, message):
    with pytest.raises(EconomicsError, match=message):
        services.ask_create(practice=practice_a, year=2024, category="app_support", amount=amount)
    from benchmarks.economics.models import SupportAsk

    assert not SupportAsk.objects.for_practice(practice_a).exists()


def test_asks_are_totalled_against_the_cost_basis(econ, practice_a, admin_a):
    for category, amount in [
        ("recruitment_signing_bonus", "250000"),
        ("recruitment_relocation", "40000.50"),
        ("interventional_call", "600000"),
        ("administrative_role", "180000"),
        ("emergency_coverage", "900000"),
        ("app_support", "350000"),
    ]:
        services.ask_create(
            practice=practice_a, year=2024, category=category, amount=amount, user=admin_a
        )
    asks = selectors.economics_model(practice=practice_a, year=2024).asks
    assert asks.total == Decimal("2320000.50")
    assert asks.cost_basis == Decimal("6318609")
    assert asks.difference == Decimal("2320000.50") - Decimal("6318609")
    assert asks.share_of_cost_basis.quantize(Decimal("0.1")) == Decimal("36.7")


def _published_quality_release(practices, own_practice, year: int = 2022):
    """A published release holding quality cells, built as a draft and then published (cells
    cannot be added to a published release)."""
    release = BenchmarkRelease.objects.create(year=year, version=1, status="draft")
    BenchmarkCell.objects.create(
        release=release,
        metric="critical_result_timely_pct",
        dimension="all",
        value="all",
        n_practices=6,
        n_observations=6,
        max_practice_observations=1,
        p25=Decimal("93"),
        p50=Decimal("96.5"),
        p75=Decimal("98"),
    )
    BenchmarkCell.objects.create(
        release=release,
        metric="mammography_recall_pct",
        dimension="all",
        value="all",
        n_practices=4,
        n_observations=4,
        max_practice_observations=1,
        suppressed=True,
        suppression_reasons=["min_practices"],
    )
    factories.practice_observations(
        release,
        own_practice,
        {"critical_result_timely_pct": "97.2500", "mammography_recall_pct": "9.1000"},
        source="quality_measure_year",
    )
    now = timezone.now()
    BenchmarkRelease.objects.filter(pk=release.pk).update(
        status="published", computed_at=now, published_at=now
    )
    return release


def test_quality_hook_reads_published_quality_figures(practice_a, practice_b):
    assert selectors.quality_figures(practice=practice_a, year=2022) == []
    _published_quality_release([practice_a, practice_b], practice_a)
    figures = selectors.quality_figures(practice=practice_a, year=2022)
    assert [f.metric for f in figures] == ["critical_result_timely_pct", "mammography_recall_pct"]
    timely, recall = figures
    assert timely.value == Decimal("97.25") and timely.target == "> 95%"
    assert timely.coalition.statistics["p50"] == Decimal("96.5")
    assert recall.coalition.suppressed and recall.coalition.statistics["p50"] is None
    # Another practice has no quality observations of its own: nothing to show.
    assert selectors.quality_figures(practice=practice_b, year=2022) == []


def test_model_reads_are_a_bounded_number_of_queries(
    econ, practice_a, admin_a, django_assert_max_num_queries
):
    for n in range(5):
        services.scenario_save(
            practice=practice_a,
            year=2024,
            name=f"S{n}",
            user=admin_a,
            comp_basis="p50",
            fte_change=str(n),
        )
        services.ask_create(practice=practice_a, year=2024, category="app_support", amount="1000")
    with django_assert_max_num_queries(30):
        model = selectors.economics_model(practice=practice_a, year=2024)
    assert len(model.saved_scenarios) == 5
    _ = Provider  # providers are never read by the model


def test_demo_seed_gives_the_first_practice_something_to_show(econ, practice_a):
    from benchmarks.economics import demo
    from benchmarks.economics.models import SupportAsk

    demo.seed()
    demo.seed()  # idempotent
    model = selectors.economics_model(practice=practice_a, year=2024)
    assert model.typical.complete
    assert [o.name for o in model.saved_scenarios] == [
        "Coalition median pay",
        "Rate cut and one hire",
    ]
    assert all(o.result is not None for o in model.saved_scenarios)
    assert SupportAsk.objects.for_practice(practice_a).count() == len(demo.DEMO_ASKS)
