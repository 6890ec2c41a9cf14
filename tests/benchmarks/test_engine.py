"""The SQL engine against an independent numpy computation on generated data."""

from __future__ import annotations

import math
import random
from decimal import Decimal

import numpy as np
import pytest

from benchmarks import engine, selectors, services
from benchmarks.models import BenchmarkCell, PracticeObservation
from benchmarks.rules import RuleSet
from tests.benchmarks import expected, factories

YEAR = 2023


def practice_dims(members):
    return {p.pk: {"region": p.region, "practice_size": p.size_band} for p in members}


def close(stored: Decimal | None, reference: float) -> bool:
    # Stored statistics are rounded to 4 decimal places.
    return stored is not None and math.isclose(
        float(stored), reference, abs_tol=6e-5, rel_tol=1e-12
    )


@pytest.fixture
def computed(db):
    members = factories.practices(14)
    sizes = [3, 25, 8, 14, 2, 30, 11, 9, 17, 6, 22, 13, 5, 19]
    data = factories.coalition_year(members, year=YEAR, providers_per_practice=sizes, seed=7)
    release = services.release_request(year=YEAR, enqueue=False)
    release = services.release_compute(release_id=release.pk)
    return members, data, release


def test_every_cell_matches_numpy_linear_percentiles(computed):
    members, data, release = computed
    truth = expected.cells(data, practice_dims(members))
    stored = {
        (c.metric, c.dimension, c.value): c for c in BenchmarkCell.objects.filter(release=release)
    }
    assert set(stored) == set(truth)
    published_statistics = 0
    for key, cell in stored.items():
        want = truth[key]
        assert cell.n_observations == want["n_observations"], key
        assert cell.n_practices == want["n_practices"], key
        assert cell.max_practice_observations == want["max_practice_observations"], key
        for name in ("p10", "p25", "p50", "p75", "p90"):
            value = getattr(cell, name)
            if value is not None:
                published_statistics += 1
                assert close(value, want[name]), (key, name, value, want[name])
        if cell.mean is not None:
            assert abs(cell.mean - want["mean"]) <= Decimal("0.00005"), key
    # Enough statistics are published (and thus checked) for the test to mean something.
    assert published_statistics > 100


def test_raw_statistics_of_every_cell_match_numpy_without_rules(computed):
    """With every threshold at 1 nothing is withheld, so every statistic of every cell,
    small ones included, is compared (the engine's arithmetic, apart from the rules)."""
    members, data, release = computed
    truth = expected.cells(data, practice_dims(members))
    permissive = RuleSet(
        min_practices=1,
        max_practice_share=Decimal(1),
        min_observations_central=1,
        min_observations_tails=1,
    )
    inputs = selectors.release_inputs(release=release)
    cells = engine.compute_cells(year=YEAR, inputs=inputs, rules=permissive)
    assert {c.key for c in cells} == set(truth)
    for cell in cells:
        want = truth[cell.key]
        assert not cell.decision.suppressed
        for name in ("p10", "p25", "p50", "p75", "p90"):
            assert close(cell.statistics[name], want[name]), (cell.key, name)
        assert abs(cell.statistics["mean"] - want["mean"]) <= Decimal("0.00005")


def test_percentile_ranks_match_numpy(computed):
    members, data, release = computed
    truth = expected.cells(data, practice_dims(members))
    practice = members[1]
    rows = list(
        PracticeObservation.objects.for_practice(practice).filter(
            release=release, metric="wrvu_per_fte"
        )
    )
    assert rows
    values = truth[("wrvu_per_fte", "all", "all")]["values"]
    for row in rows:
        below = np.sum(values < float(row.value) - 1e-9)
        want = 100 * below / (len(values) - 1)
        assert abs(row.percentile_ranks["all"] - want) <= 0.05 + 1e-9
        sub = row.dimension_values["subspecialty"]
        cell = BenchmarkCell.objects.get(
            release=release, metric="wrvu_per_fte", dimension="subspecialty", value=sub
        )
        if cell.p10 is None:
            assert "subspecialty" not in row.percentile_ranks
        else:
            sub_values = truth[("wrvu_per_fte", "subspecialty", sub)]["values"]
            below = np.sum(sub_values < float(row.value) - 1e-9)
            assert (
                abs(row.percentile_ranks["subspecialty"] - 100 * below / (len(sub_values) - 1))
                <= 0.05 + 1e-9
            )


def test_low_fte_providers_are_left_out_and_fte_normalizes(db):
    members = factories.practices(5)
    for i, practice in enumerate(members):
        sub = factories.submission(practice, kind="provider_year", year=YEAR)
        factories.provider_rows(
            practice,
            sub,
            [
                {
                    "local_id": "full",
                    "subspecialty": "neuro",
                    "clinical_fte": "1.0",
                    "work_rvus": 10000 + i,
                    "total_compensation": 500000,
                },
                {
                    "local_id": "half",
                    "subspecialty": "neuro",
                    "clinical_fte": "0.5",
                    "work_rvus": 5000,
                    "total_compensation": 250000,
                },
                {
                    "local_id": "part",
                    "subspecialty": "neuro",
                    "clinical_fte": "0.4",
                    "work_rvus": 1,
                    "total_compensation": 1,
                },
            ],
            year=YEAR,
        )
    release = services.release_compute(
        release_id=services.release_request(year=YEAR, enqueue=False).pk
    )
    cell = BenchmarkCell.objects.get(release=release, metric="wrvu_per_fte", dimension="all")
    assert cell.n_observations == 10  # the 0.4 FTE providers are out
    assert cell.p10 == Decimal("10000.0000")  # 0.5 FTE x 5000 wRVU is 10,000 per FTE
    comp = BenchmarkCell.objects.get(release=release, metric="comp_per_wrvu", dimension="all")
    assert comp.p50 == Decimal("50.0000")


def test_only_current_approved_submissions_feed_the_release(db):
    members = factories.practices(6)
    data = factories.coalition_year(
        members, year=YEAR, providers_per_practice=4, financials=False, version=2
    )
    # An older version and a submitted-but-not-approved upload must be ignored.
    rng = random.Random(1)
    old = factories.submission(
        members[0],
        kind="provider_year",
        year=YEAR,
        version=1,
        status="superseded",
        is_current=False,
    )
    factories.provider_rows(
        members[0],
        old,
        [factories.random_provider(rng, "OLD-1", clinical_fte=Decimal(1))],
        year=YEAR,
    )
    pending = factories.submission(
        members[1], kind="provider_year", year=YEAR, version=3, status="submitted", is_current=False
    )
    factories.provider_rows(
        members[1],
        pending,
        [factories.random_provider(rng, "NEW-1", clinical_fte=Decimal(1))],
        year=YEAR,
    )
    release = services.release_compute(
        release_id=services.release_request(year=YEAR, enqueue=False).pk
    )
    inputs = selectors.release_inputs(release=release)
    assert {row.submission_id for row in inputs} == {s.pk for s in data.submissions}
    eligible = [p for p in data.providers if p.clinical_fte >= Decimal("0.5")]
    cell = BenchmarkCell.objects.get(release=release, metric="comp_per_fte", dimension="all")
    assert cell.n_observations == len(eligible)
