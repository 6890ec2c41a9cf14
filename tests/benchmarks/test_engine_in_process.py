"""The in-process summary (engine.compute) against the SQL formulation it replaces
(engine.compute_cells_sql, and the observation rows the recompute check builds in SQL) and
against PostgreSQL's own arithmetic, on generated data with ties, halves and tiny cells."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.db import connection

from benchmarks import engine, selectors, services
from benchmarks.rules import RuleSet
from tests.benchmarks import factories

YEAR = 2023
PERMISSIVE = RuleSet(
    min_practices=1,
    max_practice_share=Decimal(1),
    min_observations_central=1,
    min_observations_tails=1,
)


def awkward_rows(rng: random.Random, practice_slug: str, count: int) -> list[dict]:
    """Providers whose ratios tie (equal records), end in a 5 at the 5th decimal (FTE 0.32,
    0.64: ratios with 5 decimals), are zero, or come from free-text dimension values."""
    rows = []
    for n in range(count):
        fte = rng.choice([Decimal("0.32"), Decimal("0.64"), Decimal("0.8"), Decimal("1.0")])
        rvus = Decimal(rng.choice([10000, 10001, 12345, rng.randint(1, 20000)])) + Decimal(
            rng.choice(["0.01", "0.05", "0.00", "0.99"])
        )
        row = factories.random_provider(
            rng,
            f"{practice_slug.upper()}-{n:03d}",
            clinical_fte=fte,
            work_rvus=rvus if rng.random() > 0.05 else Decimal(0),
            total_compensation=Decimal(rng.choice([500000, 500001, rng.randint(1, 900000)])),
        )
        if rng.random() < 0.1:
            row["subspecialty"] = rng.choice([" Neuro ", "", 'odd "quoted", text'])
        rows.append(row)
    return rows


@pytest.fixture
def awkward_year(db):
    rng = random.Random(11)
    members = factories.practices(9)
    # Small and large practices, none above the largest share in `all` (so ranks are kept).
    sizes = [1, 9, 30, 18, 25, 3, 33, 21, 28]
    for practice, size in zip(members, sizes, strict=True):
        sub = factories.submission(practice, kind="provider_year", year=YEAR)
        factories.provider_rows(practice, sub, awkward_rows(rng, practice.slug, size), year=YEAR)
        fin = factories.submission(practice, kind="practice_financials", year=YEAR)
        factories.financials_row(
            practice,
            fin,
            year=YEAR,
            total_revenue=rng.choice([10_000_000, 20_000_000]),
            provider_expense=rng.choice([12_000_000, 9_000_000]),
            operating_expense=3_000_000,
            radiologist_fte=rng.choice([Decimal("12.5"), Decimal("30"), Decimal("0.32")]),
        )
    return members


@pytest.mark.parametrize("rules", [PERMISSIVE, RuleSet()], ids=["permissive", "default"])
def test_cells_equal_the_sql_formulation(awkward_year, rules):
    inputs = selectors.current_inputs(year=YEAR)
    in_process = engine.compute_cells(year=YEAR, inputs=inputs, rules=rules)
    in_sql = engine.compute_cells_sql(year=YEAR, inputs=inputs, rules=rules)
    assert len(in_sql) > 50
    assert [c.key for c in in_process] == [c.key for c in in_sql]  # the rules' visiting order
    for new, old in zip(in_process, in_sql, strict=True):
        assert new.counts == old.counts, new.key
        assert new.counts.practice_counts == old.counts.practice_counts, new.key
        assert new.statistics == old.statistics, new.key
        assert new.decision == old.decision, new.key


def test_stored_observations_equal_the_sql_formulation(awkward_year):
    release = services.release_compute(
        release_id=services.release_request(year=YEAR, enqueue=False).pk
    )
    stored = engine.observation_differences(
        release_id=release.pk,
        year=YEAR,
        inputs=selectors.release_inputs(release=release),
        rules=release.rules,
    )
    assert stored == 0
    assert selectors.release_recompute_check(release=release).identical
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE percentile_ranks <> '{}'::jsonb) "
            "FROM benchmarks_practiceobservation WHERE release_id = %s",
            [release.pk],
        )
        rows, ranked = cursor.fetchone()
    assert rows > 300 and ranked > 100  # the comparison covered ranks, not just empty ones


def test_mean_is_postgresql_avg_rounded(db):
    """numeric_mean against `round(avg(v), 4)` on quotients of every size and scale."""
    rng = random.Random(5)
    groups = []
    for _ in range(300):
        size = rng.choice([1, 2, 3, 7, 40])
        scale = rng.choice([0, 2, 4])
        values = []
        for _ in range(size):
            numerator = Decimal(rng.randint(-(10**9), 10**9)).scaleb(-scale)
            denominator = Decimal(rng.choice([3, 7, 32, 625, 1, 100_000])).scaleb(
                -rng.choice([0, 2, 3])
            )
            values.append((numerator, denominator))
        groups.append(values)
    with connection.cursor() as cursor:
        for values in groups:
            cursor.execute(
                "SELECT array_agg((n / d)::text), round(avg(n / d), 4) "
                "FROM unnest(%s::numeric[], %s::numeric[]) AS v(n, d)",
                [[n for n, _ in values], [d for _, d in values]],
            )
            texts, want = cursor.fetchone()
            quotients = [Decimal(text) for text in texts]
            scale = max(-q.as_tuple().exponent for q in quotients)
            assert engine.numeric_mean(sum(quotients), scale, len(quotients)) == want, texts


def test_rank_rounding_is_postgresql_float_to_numeric(db):
    """Percent ranks k / (n - 1) rounded to a tenth as `round((100 * r)::numeric, 1)`,
    halves included (n - 1 = 2000, 40, 8, ...)."""
    pairs = [(k, m) for m in (2, 3, 7, 8, 40, 200, 2000, 4001) for k in range(0, m + 1)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (round((100 * (k::float8 / m::float8))::numeric, 1) * 10)::int "
            "FROM unnest(%s::int[], %s::int[]) WITH ORDINALITY AS x(k, m, i) ORDER BY i",
            [[k for k, _ in pairs], [m for _, m in pairs]],
        )
        want = [row[0] for row in cursor.fetchall()]
    assert [engine._tenths(100 * (k / m)) for k, m in pairs] == want


def test_a_tie_of_floats_is_ranked_by_the_exact_values(db):
    """7105.33 / 0.6 and 14210.66 / 1.2 are the same number, which numeric division rounds at
    two scales (11842.2166666666666667 and 11842.216666666667): equal as float8, not as
    numerics. Inside a cell of other values, only that run is ranked by the exact values."""
    rng = random.Random(5)
    for number, practice in enumerate(factories.practices(6)):
        sub = factories.submission(practice, kind="provider_year", year=YEAR)
        rows = [
            factories.random_provider(rng, f"P{number}-{n:02d}", clinical_fte=Decimal("1.0"))
            for n in range(10)
        ]
        if number == 0:
            rows[0].update(clinical_fte=Decimal("0.6"), work_rvus=Decimal("7105.33"))
            rows[1].update(clinical_fte=Decimal("1.2"), work_rvus=Decimal("14210.66"))
        factories.provider_rows(practice, sub, rows, year=YEAR)
    release = services.release_compute(
        release_id=services.release_request(year=YEAR, enqueue=False).pk
    )
    inputs = selectors.release_inputs(release=release)
    differences = engine.observation_differences(
        release_id=release.pk, year=YEAR, inputs=inputs, rules=release.rules
    )
    assert differences == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (percentile_ranks ->> 'all')::numeric FROM benchmarks_practiceobservation "
            "WHERE release_id = %s AND metric = 'wrvu_per_fte' AND value = 11842.2167",
            [release.pk],
        )
        ranks = sorted(rank for (rank,) in cursor.fetchall())
    # Both ranked, in their cell of 60, one place apart (not tied, not the cell's ends).
    assert len(ranks) == 2 and Decimal(0) < ranks[0] < ranks[1] < Decimal(100)
    assert abs(ranks[1] - ranks[0] - Decimal(100) / 59) <= Decimal("0.1")


def test_a_value_too_large_to_store_fails_the_computation(db):
    """Observation sets keep values as 64-bit ten-thousandths (up to about 9.2 x 10^14): a
    larger ratio is refused with an error, never stored wrong. (The upload maxima and the
    default minimum clinical FTE keep ratios far below it.)"""
    practices = factories.practices(5)
    for number, practice in enumerate(practices):
        sub = factories.submission(practice, kind="provider_year", year=YEAR)
        row = factories.random_provider(random.Random(number), f"P{number}")
        if number == 0:
            row.update(clinical_fte=Decimal("0.001"), total_compensation=Decimal("999999999999.99"))
        factories.provider_rows(practice, sub, [row], year=YEAR)
    inputs = selectors.current_inputs(year=YEAR)
    rules = RuleSet(min_clinical_fte=Decimal("0.001"))
    with pytest.raises(ValueError, match="too large to store: 999999999999990"):
        engine.compute(year=YEAR, inputs=inputs, rules=rules)
    # Within the limit, the same provider is stored.
    rules = RuleSet(min_clinical_fte=Decimal("0.5"))
    assert engine.compute(year=YEAR, inputs=inputs, rules=rules).cells
