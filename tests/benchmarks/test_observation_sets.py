"""The storage of a release's observations as sets (benchmarks.models.ObservationSet) and the
view that reads them back one observation per row (PracticeObservation)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from benchmarks.models import NO_RANK, BenchmarkRelease, ObservationSet, PracticeObservation
from tests.benchmarks import factories

PSEUDONYMS = ["ab" * 32, "0f" * 32]


def _ranks(*tenths: int | None) -> bytes:
    return b"".join((NO_RANK if t is None else t).to_bytes(2, "big") for t in tenths)


@pytest.fixture
def release(db):
    return BenchmarkRelease.objects.create(year=2023, version=1, status="draft")


def test_the_view_reads_every_position_metric_value_and_rank(release):
    practice = factories.practices(1)[0]
    # Two providers (digest keys), two metrics: the second has no value for the first provider;
    # ranks by `all` and subspecialty, one of them withheld.
    ObservationSet.objects.create(
        release=release,
        practice=practice,
        source="provider_year",
        size=2,
        observation_digests=bytes.fromhex("".join(PSEUDONYMS)),
        dimensions=["subspecialty"],
        dimension_dictionaries=[["breast", "neuro"]],
        dimension_indexes="1,0",
        metrics=["wrvu_per_fte", "comp_per_wrvu"],
        metric_values="96369400,-12500,,1234567",
        rank_dimensions=["all", "subspecialty"],
        # metric 1: all (p1, p2), subspecialty (p1, p2); metric 2: all, subspecialty
        ranks=_ranks(341, 1000, 0, None, None, 505, None, None),
    )
    rows = {
        (o.metric, o.provider_pseudonym): o
        for o in PracticeObservation.objects.for_practice(practice).filter(release=release)
    }
    assert set(rows) == {
        ("wrvu_per_fte", PSEUDONYMS[0]),
        ("wrvu_per_fte", PSEUDONYMS[1]),
        ("comp_per_wrvu", PSEUDONYMS[1]),
    }
    first = rows[("wrvu_per_fte", PSEUDONYMS[0])]
    assert first.value == Decimal("9636.9400")
    assert first.dimension_values == {"subspecialty": "neuro"}
    assert first.percentile_ranks == {"all": 34.1, "subspecialty": 0.0}
    second = rows[("wrvu_per_fte", PSEUDONYMS[1])]
    assert second.value == Decimal("-1.2500")
    assert second.dimension_values == {"subspecialty": "breast"}
    assert second.percentile_ranks == {"all": 100.0}
    other = rows[("comp_per_wrvu", PSEUDONYMS[1])]
    assert other.value == Decimal("123.4567")
    assert other.percentile_ranks == {"all": 50.5}


def test_text_keys_and_one_position(release):
    practice = factories.practices(1)[0]
    factories.practice_observations(
        release, practice, {"revenue_per_fte": "812345.6700"}, source="practice_year"
    )
    (row,) = PracticeObservation.objects.for_practice(practice).filter(release=release)
    assert (row.metric, row.provider_pseudonym, row.value) == (
        "revenue_per_fte",
        "",
        Decimal("812345.6700"),
    )
    assert row.dimension_values == {"region": practice.region, "practice_size": practice.size_band}
    assert row.percentile_ranks == {}


@pytest.mark.parametrize(
    "change",
    [
        {"metric_values": "1,2,3"},  # three values for two metrics x one position
        {"ranks": _ranks(1, 2, 3)},  # three ranks for two metrics x three rank dimensions
        {"observation_keys": "a,b"},  # two keys for one position
        {"dimension_indexes": "0"},  # one index for two dimensions
        {"rank_dimensions": ["all"]},  # not `all` and each dimension
        {"size": 0},
    ],
)
def test_the_database_refuses_lists_out_of_line(release, change):
    practice = factories.practices(1)[0]
    fields = {
        "release": release,
        "practice": practice,
        "source": "practice_year",
        "size": 1,
        "observation_keys": "",
        "dimensions": ["region", "practice_size"],
        "dimension_dictionaries": [[practice.region], [practice.size_band]],
        "dimension_indexes": "0,0",
        "metrics": ["revenue_per_fte", "expense_per_fte"],
        "metric_values": "1,2",
        "rank_dimensions": ["all", "region", "practice_size"],
        "ranks": _ranks(*([None] * 6)),
    }
    ObservationSet.objects.create(**{**fields, "source": "other"})  # as given, it is accepted
    with pytest.raises(IntegrityError), transaction.atomic():
        ObservationSet.objects.create(**{**fields, **change})


def test_a_set_is_refused_where_the_view_could_not_number_its_rows(release):
    """The view's row ids are set id x 10^7 + metric x 10^5 + position: a set with 100,000
    positions, otherwise well formed, is refused."""
    practice = factories.practices(1)[0]
    size = 100_000
    fields = {
        "release": release,
        "practice": practice,
        "source": "provider_year",
        "observation_digests": bytes(32) * size,
        "dimensions": [],
        "dimension_dictionaries": [],
        "dimension_indexes": "",
        "metrics": ["wrvu_per_fte"],
        "rank_dimensions": ["all"],
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        ObservationSet.objects.create(
            **fields,
            size=size,
            metric_values=",".join(["1"] * size),
            ranks=_ranks(*([None] * size)),
        )
    smaller = size - 1
    ObservationSet.objects.create(
        **{**fields, "observation_digests": bytes(32) * smaller},
        size=smaller,
        metric_values=",".join(["1"] * smaller),
        ranks=_ranks(*([None] * smaller)),
    )
