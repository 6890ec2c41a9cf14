"""The disclosure properties end to end: random coalitions go through the database, the SQL
engine and publication; what members can read (the public form of every cell) must obey every
rule against the true figures, no withheld count or sum may be recoverable, and no group
members can work out (a total minus its published siblings) may break a rule."""

from __future__ import annotations

import itertools
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from benchmarks import selectors
from benchmarks.models import BenchmarkCell
from practices.models import Practice
from tests.benchmarks import attack, expected, factories
from tests.benchmarks.attack import recoverable
from tests.benchmarks.conftest import publish_year

COUNTER = itertools.count()
SUBSPECIALTIES = ["breast", "neuro", "abdominal"]


class Rollback(Exception):
    pass


@st.composite
def shapes(draw):
    n = draw(st.integers(min_value=4, max_value=12))
    practices = []
    for _ in range(n):
        providers = []
        for _ in range(draw(st.integers(min_value=1, max_value=14))):
            providers.append(
                (
                    draw(st.sampled_from(SUBSPECIALTIES)),
                    draw(st.sampled_from(["partner", "employed", ""])),
                    draw(st.sampled_from(["0.4", "0.8", "1.0"])),
                    draw(st.integers(min_value=0, max_value=16000)),
                    draw(st.integers(min_value=200_000, max_value=900_000)),
                )
            )
        practices.append(
            (
                draw(st.sampled_from(["NY", "OH", "TX", "CA"])),
                draw(st.sampled_from(["12", "40", "80"])),
                providers,
            )
        )
    return practices


def build(shape) -> tuple[list[Practice], factories.YearData]:
    batch = next(COUNTER)
    data = factories.YearData(year=2023)
    members = []
    for index, (state, fte, providers) in enumerate(shape):
        practice = Practice.objects.create(
            name=f"P{batch}-{index}",
            slug=f"p{batch}-{index}",
            state=state,
            radiologist_fte=Decimal(fte),
        )
        members.append(practice)
        sub = factories.submission(practice, kind="provider_year", year=2023)
        rows = [
            {
                "local_id": f"L{n}",
                "subspecialty": s,
                "partner_status": p,
                "clinical_fte": f,
                "work_rvus": w,
                "total_compensation": c,
            }
            for n, (s, p, f, w, c) in enumerate(providers)
        ]
        data.providers += factories.provider_rows(practice, sub, rows, year=2023)
        fin = factories.submission(practice, kind="practice_financials", year=2023)
        data.financials.append(
            factories.financials_row(
                practice,
                fin,
                year=2023,
                total_revenue=20_000_000 + index,
                provider_expense=15_000_000,
                operating_expense=6_000_000,
                radiologist_fte=Decimal(fte),
            )
        )
    return members, data


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shape=shapes())
def test_published_cells_obey_the_rules_and_hide_what_they_withhold(db, shape):
    try:
        with transaction.atomic():
            members, data = build(shape)
            release = publish_year(2023)
            truth = expected.cells(
                data, {p.pk: {"region": p.region, "practice_size": p.size_band} for p in members}
            )
            cells = BenchmarkCell.objects.filter(release=release).select_related("release")
            public = [selectors.public_cell_row(c, year=2023) for c in cells]
            assert {(r["metric"], r["dimension"], r["value"]) for r in public} == set(truth)
            by_metric = defaultdict(list)
            for row in public:
                by_metric[row["metric"]].append(row)
                want = truth[(row["metric"], row["dimension"], row["value"])]
                if row["suppressed"]:
                    assert row["suppression_reason"]
                    assert all(
                        row[k] is None
                        for k in (
                            "n_practices",
                            "n_observations",
                            "mean",
                            "p10",
                            "p25",
                            "p50",
                            "p75",
                            "p90",
                        )
                    )
                    continue
                assert row["n_practices"] == want["n_practices"] >= 5
                assert want["max_practice_observations"] * 4 <= want["n_observations"]
                if row["p50"] is not None:
                    assert want["n_observations"] >= 5
                if row["p10"] is not None or row["p90"] is not None:
                    assert want["n_observations"] >= 10
            event(f"published cells: {min(sum(not r['suppressed'] for r in public), 10) // 5 * 5}+")
            for rows in by_metric.values():
                assert recoverable(rows, "count") == []
                assert recoverable(rows, "sum") == []
            # No cell, total minus published siblings or other union of siblings members can
            # work out comes from too few practices or observations.
            dims = {p.pk: {"region": p.region, "practice_size": p.size_band} for p in members}
            truth = attack.observations_of(expected.keyed_observations(data, dims))
            rules = release.rules
            assert attack.leaks([attack.Version(public=public, observations=truth)], rules) == []
            raise Rollback
    except Rollback:
        pass
