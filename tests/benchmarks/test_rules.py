"""Disclosure rules as properties: on any coalition, no published cell breaks a rule and no
withheld figure can be recovered by subtraction."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.rules import (
    CENTRAL_STATISTICS,
    FLOOR,
    TAIL_STATISTICS,
    CellCounts,
    Reason,
    RuleSet,
    decide,
    primary_decision,
    publishable_on,
)
from tests.benchmarks.attack import recoverable

SUBSPECIALTIES = ["breast", "neuro", "body", "general"]
STATUSES = ["partner", "employed", "unspecified"]


def cell(n_obs, n_practices, max_n, dimension="all", value="all", metric="m"):
    return CellCounts(metric, "src", dimension, value, n_obs, n_practices, max_n)


# --- primary rules, by example ----------------------------------------------------------------
def test_five_practices_are_needed():
    assert primary_decision(cell(40, 4, 10), FLOOR).reasons == [Reason.MIN_PRACTICES]
    assert not primary_decision(cell(40, 5, 10), FLOOR).suppressed


def test_no_practice_may_contribute_more_than_a_quarter():
    assert primary_decision(cell(40, 6, 11), FLOOR).reasons == [Reason.DOMINANCE]
    assert not primary_decision(cell(40, 6, 10), FLOOR).suppressed  # exactly 25% is allowed


def test_tails_need_ten_observations_and_are_blanked_alone():
    decision = primary_decision(cell(9, 5, 2), FLOOR)
    assert not decision.suppressed
    assert decision.published == frozenset(CENTRAL_STATISTICS)
    assert decision.reasons == [Reason.MIN_OBSERVATIONS_TAILS]
    assert primary_decision(cell(10, 5, 2), FLOOR).published >= set(TAIL_STATISTICS)


def test_a_cell_failing_several_rules_names_each():
    decision = primary_decision(cell(4, 2, 3), FLOOR)
    assert decision.reasons == [Reason.MIN_PRACTICES, Reason.DOMINANCE, Reason.MIN_OBSERVATIONS]


def test_stricter_settings_apply():
    strict = RuleSet(min_practices=7, max_practice_share=Decimal("0.20"), min_observations_tails=20)
    assert primary_decision(cell(40, 6, 5), strict).reasons == [Reason.MIN_PRACTICES]
    assert primary_decision(cell(40, 8, 9), strict).reasons == [Reason.DOMINANCE]
    assert primary_decision(cell(19, 8, 3), strict).reasons == [Reason.MIN_OBSERVATIONS_TAILS]


def test_floor_refuses_looser_settings():
    assert RuleSet(min_practices=4).floor_violations()
    assert RuleSet(max_practice_share=Decimal("0.30")).floor_violations()
    assert RuleSet(min_observations_central=4).floor_violations()
    assert RuleSet(min_observations_tails=9).floor_violations()
    assert RuleSet(min_observations_central=12, min_observations_tails=10).floor_violations()
    assert RuleSet(publication_lag_months=2).floor_violations()
    assert FLOOR.floor_violations() == []


def test_year_is_publishable_three_months_after_it_ends():
    assert publishable_on(2024, FLOOR) == date(2025, 4, 1)
    assert publishable_on(2024, RuleSet(publication_lag_months=12)) == date(2026, 1, 1)
    assert publishable_on(2024, RuleSet(publication_lag_months=14)) == date(2026, 3, 1)


# --- complementary suppression, by example ---------------------------------------------------
def test_single_suppressed_sibling_takes_the_next_smallest_with_it():
    cells = [
        cell(100, 20, 10),
        cell(3, 2, 2, "region", "west"),
        cell(30, 6, 6, "region", "south"),
        cell(25, 6, 5, "region", "midwest"),
        cell(42, 7, 9, "region", "northeast"),
    ]
    decisions = decide(cells, FLOOR)
    assert decisions[("m", "region", "west")].reasons[0] == Reason.MIN_PRACTICES
    assert decisions[("m", "region", "midwest")].reasons == [Reason.COMPLEMENTARY]
    assert not decisions[("m", "region", "south")].suppressed
    assert not decisions[("m", "all", "all")].suppressed


def test_only_sibling_suppressed_hides_the_total():
    # One region only: the sibling is the total itself.
    cells = [cell(100, 20, 10), cell(100, 20, 10, "region", "west")]
    decisions = decide(cells, FLOOR)
    assert not decisions[("m", "region", "west")].suppressed
    # Forced by another metric of the same source hiding (region, west):
    other = [
        CellCounts("n", "src", "all", "all", 3, 3, 1),
        CellCounts("n", "src", "region", "west", 3, 3, 1),
    ]
    decisions = decide(cells + other, FLOOR)
    assert decisions[("m", "region", "west")].suppressed
    assert decisions[("m", "all", "all")].suppressed


# --- properties ---------------------------------------------------------------------------------
@st.composite
def coalitions(draw):
    """Practices with observations; each observation has a subspecialty and partner status, each
    practice a region and size; a second metric sees only a subset of the observations."""
    n_practices = draw(st.integers(min_value=1, max_value=14))
    observations = []
    for practice in range(n_practices):
        region = draw(st.sampled_from(["ne", "mw", "s", "w"]))
        size = draw(st.sampled_from(["small", "mid", "large"]))
        n = draw(st.integers(min_value=1, max_value=25))
        for _ in range(n):
            observations.append(
                {
                    "practice": practice,
                    "subspecialty": draw(st.sampled_from(SUBSPECIALTIES)),
                    "partner_status": draw(st.sampled_from(STATUSES)),
                    "region": region,
                    "practice_size": size,
                    "in_subset": draw(st.booleans()) or draw(st.booleans()),
                }
            )
    rules = RuleSet(
        min_practices=draw(st.integers(5, 8)),
        max_practice_share=draw(
            st.sampled_from([Decimal("0.25"), Decimal("0.20"), Decimal("0.15")])
        ),
        min_observations_central=draw(st.integers(5, 9)),
        min_observations_tails=draw(st.integers(10, 20)),
    )
    return observations, rules


def counts_of(observations, rules):
    cells = []
    for metric, members in (
        ("a", observations),
        ("b", [o for o in observations if o["in_subset"]]),
    ):
        groups = defaultdict(list)
        for o in members:
            groups[("all", "all")].append(o)
            for dimension in ("subspecialty", "partner_status", "region", "practice_size"):
                groups[(dimension, o[dimension])].append(o)
        for (dimension, value), rows in groups.items():
            per_practice = defaultdict(int)
            for o in rows:
                per_practice[o["practice"]] += 1
            cells.append(
                CellCounts(
                    metric,
                    "src",
                    dimension,
                    value,
                    len(rows),
                    len(per_practice),
                    max(per_practice.values()),
                )
            )
    return cells


def public(cells, decisions):
    """What would be published: counts and a mean placeholder, None where withheld."""
    rows = defaultdict(list)
    for c in cells:
        d = decisions[c.key]
        rows[c.metric].append(
            {
                "metric": c.metric,
                "dimension": c.dimension,
                "value": c.value,
                "n_observations": None if d.suppressed else c.n_observations,
                "mean": 1.0 if "mean" in d.published else None,
            }
        )
    return rows


@settings(max_examples=200, deadline=None)
@given(coalitions())
def test_no_published_cell_breaks_a_rule(data):
    observations, rules = data
    cells = counts_of(observations, rules)
    decisions = decide(cells, rules)
    for c in cells:
        d = decisions[c.key]
        if d.suppressed:
            assert d.reasons and not d.published
            continue
        assert c.n_practices >= rules.min_practices
        assert c.max_practice_observations <= rules.max_practice_share * c.n_observations
        if d.published & set(CENTRAL_STATISTICS):
            assert c.n_observations >= rules.min_observations_central
        if d.published & set(TAIL_STATISTICS):
            assert c.n_observations >= rules.min_observations_tails
        else:
            assert Reason.MIN_OBSERVATIONS_TAILS in d.reasons


@settings(max_examples=200, deadline=None)
@given(coalitions())
def test_no_withheld_count_or_sum_can_be_recovered_by_subtraction(data):
    observations, rules = data
    cells = counts_of(observations, rules)
    decisions = decide(cells, rules)
    for rows in public(cells, decisions).values():
        assert recoverable(rows, "count") == []
        assert recoverable(rows, "sum") == []


@settings(max_examples=200, deadline=None)
@given(coalitions())
def test_metrics_of_one_source_share_their_suppression_pattern(data):
    """Otherwise a count published for one metric could give away the same count withheld for
    another that has the same observations."""
    observations, rules = data
    cells = counts_of(observations, rules)
    decisions = decide(cells, rules)
    hidden = defaultdict(set)
    present = defaultdict(set)
    for c in cells:
        present[c.metric].add((c.dimension, c.value))
        if decisions[c.key].suppressed:
            hidden[c.metric].add((c.dimension, c.value))
    common = present["a"] & present["b"]
    assert hidden["a"] & common == hidden["b"] & common


def test_the_attacker_finds_what_naive_suppression_leaves():
    """The check above can fail: without complementary suppression one withheld sibling is
    recovered."""
    rows = [
        {"metric": "m", "dimension": "all", "value": "all", "n_observations": 100, "mean": 1.0},
        {"metric": "m", "dimension": "region", "value": "w", "n_observations": None, "mean": None},
        {"metric": "m", "dimension": "region", "value": "s", "n_observations": 60, "mean": 1.0},
        {"metric": "m", "dimension": "region", "value": "n", "n_observations": 37, "mean": 1.0},
    ]
    assert recoverable(rows, "count") == [("m", "region", "w")]


def test_system_check_refuses_settings_below_the_floor(settings):
    from benchmarks.checks import benchmark_thresholds_not_below_floor

    assert benchmark_thresholds_not_below_floor(None) == []
    settings.BENCHMARK_MIN_PRACTICES = 3
    settings.BENCHMARK_MAX_PRACTICE_SHARE = "0.5"
    errors = benchmark_thresholds_not_below_floor(None)
    assert {e.id for e in errors} == {"benchmarks.E002"} and len(errors) == 2
    settings.BENCHMARK_MIN_CLINICAL_FTE = "half"
    assert [e.id for e in benchmark_thresholds_not_below_floor(None)] == ["benchmarks.E001"]
