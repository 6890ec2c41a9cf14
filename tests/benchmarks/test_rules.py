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
    EarlierVersion,
    ObservationChange,
    Reason,
    RuleSet,
    decide,
    primary_decision,
    publishable_on,
)
from tests.benchmarks import attack
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
    assert Reason.COMPLEMENTARY in decisions[("m", "region", "midwest")].reasons
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
                    "id": len(observations),
                    "value": draw(st.integers(0, 3)),
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


DIMENSION_NAMES = ("subspecialty", "partner_status", "region", "practice_size")


def members_of(observations):
    """metric -> its observations: "b" sees a subset of "a"'s (as comp_per_wrvu does)."""
    return {"a": observations, "b": [o for o in observations if o["in_subset"]]}


def counts_of(observations, rules):
    cells = []
    for metric, members in members_of(observations).items():
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
                    tuple(sorted(per_practice.items())),
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


# --- the residual and differencing rules -------------------------------------------------------
def with_practices(n_obs, counts, dimension="all", value="all", metric="m"):
    """A cell with its per-practice counts: {practice: observations}."""
    return CellCounts(
        metric,
        "src",
        dimension,
        value,
        n_obs,
        len(counts),
        max(counts.values()),
        tuple(sorted(counts.items())),
    )


def test_hidden_siblings_together_must_pass_the_rules():
    """West fails on its own and Midwest is hidden with it; but West + Midwest (total minus the
    published siblings) is 8 observations with practice 1 at 3 of 8 (37.5%): a third sibling
    must join them."""
    total = {p: 5 for p in range(1, 21)}
    cells = [
        with_practices(100, total),
        with_practices(3, {1: 2, 2: 1}, "region", "west"),
        with_practices(5, {1: 1, 3: 1, 4: 1, 5: 1, 6: 1}, "region", "midwest"),
        with_practices(30, {p: 3 for p in range(7, 17)}, "region", "south"),
        with_practices(62, {p: 2 for p in range(1, 32)}, "region", "northeast"),
    ]
    decisions = decide(cells, FLOOR)
    assert Reason.COMPLEMENTARY in decisions[("m", "region", "midwest")].reasons
    south = decisions[("m", "region", "south")]
    assert south.suppressed and south.reasons == [Reason.COMPLEMENTARY]
    assert "region=midwest, west" in south.notes[0] and "37.5%" in south.notes[0]
    assert not decisions[("m", "region", "northeast")].suppressed
    assert not decisions[("m", "all", "all")].suppressed


def test_a_passing_hidden_group_takes_nothing_more():
    cells = [
        with_practices(100, {p: 5 for p in range(1, 21)}),
        with_practices(3, {1: 2, 2: 1}, "region", "west"),
        with_practices(12, {p: 2 for p in range(3, 9)}, "region", "midwest"),
        with_practices(30, {p: 3 for p in range(7, 17)}, "region", "south"),
        with_practices(55, {p: 5 for p in range(1, 12)}, "region", "northeast"),
    ]
    decisions = decide(cells, FLOOR)
    assert decisions[("m", "region", "midwest")].suppressed
    assert not decisions[("m", "region", "south")].suppressed
    assert not decisions[("m", "region", "south")].notes


def change(practice, before, after, value_changed=False, metric="m"):
    return ObservationChange(metric, practice, before, after, value_changed)


def test_a_difference_from_one_practice_hides_the_cell_in_the_new_version():
    cells = [
        with_practices(161, {**{p: 8 for p in range(1, 21)}, 1: 9}),
        with_practices(51, {**{p: 5 for p in range(1, 11)}, 1: 6}, "region", "west"),
        with_practices(50, {p: 5 for p in range(11, 21)}, "region", "east"),
        with_practices(60, {p: 3 for p in range(1, 21)}, "region", "south"),
    ]
    every = frozenset(c.key for c in cells)
    added = change(1, None, {"all": "all", "region": "west"})
    decisions = decide(cells, FLOOR, [EarlierVersion(1, every, every, (added,))])
    total = decisions[("m", "all", "all")]
    assert total.reasons == [Reason.DIFFERENCING]
    assert "since v1" in total.notes[0] and "1 observation from 1 practice" in total.notes[0]
    # West changed by the same observation; with the total hidden, one more sibling (the
    # smallest, East) goes so that the total cannot be rebuilt; South, unchanged, stays.
    assert decisions[("m", "region", "west")].reasons == [Reason.DIFFERENCING]
    assert decisions[("m", "region", "east")].reasons == [Reason.COMPLEMENTARY]
    assert not decisions[("m", "region", "south")].suppressed


def test_a_cell_hidden_before_is_compared_through_what_could_be_worked_out():
    """v1 hid West and Midwest (published total: West + Midwest known); v2 publishes both. The
    pair changed by one observation of one practice: v2's West + Midwest minus v1's gives it
    away although neither cell was published in v1."""
    cells = [
        with_practices(200, {p: 10 for p in range(1, 21)}),
        with_practices(30, {p: 3 for p in range(1, 11)}, "region", "west"),
        with_practices(31, {**{p: 3 for p in range(11, 21)}, 11: 4}, "region", "midwest"),
        with_practices(139, {p: 7 for p in range(1, 21)}, "region", "south"),
    ]
    every = frozenset(c.key for c in cells)
    shown_before = every - {("m", "region", "west"), ("m", "region", "midwest")}
    moved_in = change(11, {"all": "all", "region": "south"}, {"all": "all", "region": "midwest"})
    decisions = decide(cells, FLOOR, [EarlierVersion(1, every, shown_before, (moved_in,))])
    hidden = {k for k, d in decisions.items() if d.suppressed}
    assert hidden & {("m", "region", "west"), ("m", "region", "midwest")}
    assert any(Reason.DIFFERENCING in decisions[k].reasons for k in hidden)
    # The total did not change (the observation only moved), so it stays published.
    assert not decisions[("m", "all", "all")].suppressed


def test_moves_between_published_siblings_do_not_hide_a_change_in_their_union():
    """Six practices each move one observation from breast to neuro (each cell's change passes)
    while one practice adds one to breast: breast + neuro, both published in both versions,
    changed by that one observation."""
    cells = [
        with_practices(301, {**{p: 15 for p in range(1, 21)}, 1: 16}),
        with_practices(101, {**{p: 5 for p in range(1, 21)}, 1: 6}, "sub", "breast"),
        with_practices(100, {p: 5 for p in range(1, 21)}, "sub", "neuro"),
        with_practices(100, {p: 5 for p in range(1, 21)}, "sub", "body"),
    ]
    every = frozenset(c.key for c in cells)
    moves = tuple(
        change(p, {"all": "all", "sub": "breast"}, {"all": "all", "sub": "neuro"})
        for p in range(2, 8)
    )
    added = change(1, None, {"all": "all", "sub": "breast"})
    decisions = decide(cells, FLOOR, [EarlierVersion(1, every, every, (*moves, added))])
    assert decisions[("m", "all", "all")].suppressed  # its own change is one observation
    breast, neuro = decisions[("m", "sub", "breast")], decisions[("m", "sub", "neuro")]
    assert breast.suppressed or neuro.suppressed


@st.composite
def histories(draw):
    """A coalition and one or two later versions of it, each changed by a few practices
    (observations added, removed, changed in value or moved to another subspecialty)."""
    observations, rules = draw(coalitions())
    versions = [observations]
    next_id = len(observations)
    practices = sorted({o["practice"] for o in observations})
    for _ in range(draw(st.integers(1, 2))):
        current = [dict(o) for o in versions[-1]]
        changed = draw(st.lists(st.sampled_from(practices), min_size=1, max_size=6, unique=True))
        for practice in changed:
            for _ in range(draw(st.integers(1, 3))):
                own = [o for o in current if o["practice"] == practice]
                action = draw(st.sampled_from(["add", "remove", "value", "move"]))
                if action == "add" or not own:
                    template = own[0] if own else observations[0]
                    current.append(
                        {
                            **template,
                            "practice": practice,
                            "id": next_id,
                            "value": draw(st.integers(0, 3)),
                            "subspecialty": draw(st.sampled_from(SUBSPECIALTIES)),
                            "partner_status": draw(st.sampled_from(STATUSES)),
                        }
                    )
                    next_id += 1
                    continue
                target = own[draw(st.integers(0, len(own) - 1))]
                if action == "remove":
                    current.remove(target)
                elif action == "value":
                    target["value"] += 1
                else:
                    target["subspecialty"] = draw(st.sampled_from(SUBSPECIALTIES))
        versions.append(current)
    return versions, rules


def changes_between(old, new) -> tuple[ObservationChange, ...]:
    """What the engine is given: the observations of each metric not the same in both."""
    found = []
    old_by_metric, new_by_metric = members_of(old), members_of(new)
    for metric in old_by_metric:
        before = {o["id"]: o for o in old_by_metric[metric]}
        after = {o["id"]: o for o in new_by_metric[metric]}
        for key in sorted(set(before) | set(after)):
            a, b = before.get(key), after.get(key)
            dims_a = {"all": "all", **{d: a[d] for d in DIMENSION_NAMES}} if a else None
            dims_b = {"all": "all", **{d: b[d] for d in DIMENSION_NAMES}} if b else None
            value_changed = bool(a and b and a["value"] != b["value"])
            if dims_a != dims_b or value_changed:
                found.append(
                    ObservationChange(metric, (a or b)["practice"], dims_a, dims_b, value_changed)
                )
    return tuple(found)


def attack_version(observations, cells, decisions) -> attack.Version:
    rows = [row for metric_rows in public(cells, decisions).values() for row in metric_rows]
    truth = {
        metric: {
            o["id"]: (o["practice"], o["value"], {d: o[d] for d in DIMENSION_NAMES})
            for o in members
        }
        for metric, members in members_of(observations).items()
    }
    return attack.Version(public=rows, observations=truth)


@settings(max_examples=200, deadline=None)
@given(coalitions())
def test_no_cell_or_group_of_hidden_siblings_breaks_a_rule(data):
    """Every figure one version lets members work out (a cell, a total minus its published
    siblings, any union of siblings) comes from enough practices and observations."""
    observations, rules = data
    cells = counts_of(observations, rules)
    decisions = decide(cells, rules)
    assert attack.leaks([attack_version(observations, cells, decisions)], rules) == []


@settings(max_examples=150, deadline=None)
@given(histories())
def test_no_difference_between_published_versions_breaks_a_rule(data):
    """Each version is decided against the earlier published ones; nothing members can work
    out from all of them together (cells, groups, and their changes between any two versions)
    breaks a rule."""
    history, rules = data
    published = []
    readable = []
    for observations in history:
        cells = counts_of(observations, rules)
        earlier = [
            EarlierVersion(
                number,
                frozenset(c.key for c in old_cells),
                frozenset(c.key for c in old_cells if not old_decisions[c.key].suppressed),
                changes_between(old_observations, observations),
            )
            for number, (old_observations, old_cells, old_decisions) in enumerate(published, 1)
        ]
        decisions = decide(cells, rules, earlier)
        published.append((observations, cells, decisions))
        readable.append(attack_version(observations, cells, decisions))
    assert attack.leaks(readable, rules) == []


def test_the_attacker_finds_a_difference_left_published():
    """The property above can fail: one added observation between two versions that both
    publish the total is reported."""
    rules = FLOOR
    old = [{"id": i, "practice": i % 10, "value": 1, "subspecialty": "breast"} for i in range(50)]
    new = [*old, {"id": 50, "practice": 0, "value": 2, "subspecialty": "breast"}]
    versions = []
    for observations in (old, new):
        rows = [
            {
                "metric": "m",
                "dimension": d,
                "value": v,
                "n_observations": len(observations),
                "mean": 1.0,
            }
            for d, v in (("all", "all"), ("subspecialty", "breast"))
        ]
        truth = {
            "m": {
                o["id"]: (o["practice"], o["value"], {"subspecialty": o["subspecialty"]})
                for o in observations
            }
        }
        versions.append(attack.Version(public=rows, observations=truth))
    found = attack.leaks(versions, rules)
    assert any("m all=all between versions 1 and 2: 1 differing" in x for x in found)
    assert any("subspecialty=breast between versions 1 and 2" in x for x in found)
