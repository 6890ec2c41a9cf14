"""A small coalition with published benchmarks for two years, practice A among its members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from benchmarks import selectors, services
from benchmarks.models import BenchmarkRelease
from tests.benchmarks import factories

TODAY = date(2025, 6, 1)  # 2023 and 2024 are publishable, 2025 is not


@dataclass
class Coalition:
    members: list
    data: dict
    releases: dict[int, BenchmarkRelease]


def publish_year(year: int, *, today: date = TODAY) -> BenchmarkRelease:
    release = services.release_request(year=year, enqueue=False)
    release = services.release_compute(release_id=release.pk)
    return services.release_publish(release=release, user=None, today=today)


@pytest.fixture(autouse=True)
def fresh_cells_cache():
    """Each test's database starts over (rolled back), so the cells API's in-process page cache
    must too."""
    selectors.published_stamp_reset()
    yield
    selectors.published_stamp_reset()


@pytest.fixture
def celery_results_dir(settings):
    """Eager tasks still report to the result backend, a directory in development (scripts/run.sh
    creates it the same way)."""
    (settings.CELERY_DIR / "results").mkdir(parents=True, exist_ok=True)


@pytest.fixture
def coalition(practice_a, practice_b):
    members = [practice_a, practice_b, *factories.practices(10)]
    sizes = [14, 9, 12, 20, 7, 16, 11, 5, 18, 13, 8, 10]
    data = {}
    releases = {}
    for seed, year in enumerate((2023, 2024), start=3):
        data[year] = factories.coalition_year(
            members, year=year, providers_per_practice=sizes, seed=seed
        )
        releases[year] = publish_year(year)
    return Coalition(members=members, data=data, releases=releases)


@pytest.fixture
def draft(coalition):
    """A draft for 2025 (too recent to publish on TODAY)."""
    factories.coalition_year(coalition.members, year=2025, providers_per_practice=6, seed=9)
    release = services.release_request(year=2025, enqueue=False)
    return services.release_compute(release_id=release.pk)
