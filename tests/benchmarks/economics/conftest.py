"""A coalition with published 2023 and 2024 releases in which practice A reports the SPEC 5
worked example for 2024: revenue $25,174,696, expenses $31,493,305 (provider $23,493,305,
operating $8,000,000), 32.33 radiologist FTE."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from benchmarks.models import BenchmarkRelease
from practices.submissions.models import PracticeFinancialsRecord
from tests.benchmarks import factories
from tests.benchmarks.conftest import publish_year

WORKED = {
    "total_revenue": Decimal("25174696"),
    "provider_expense": Decimal("23493305"),
    "operating_expense": Decimal("8000000"),
    "radiologist_fte": Decimal("32.33"),
}
DEFICIT = "6318609.00"
SUPPORT_PER_FTE = "195441.05"


@dataclass
class EconCoalition:
    members: list
    data: dict
    releases: dict[int, BenchmarkRelease]


def set_financials(practice, year: int, **values) -> None:
    PracticeFinancialsRecord.objects.for_practice(practice).filter(
        submission__period__year=year, submission__is_current=True
    ).update(**values)


@pytest.fixture
def econ(practice_a, practice_b):
    return build_coalition(practice_a, practice_b)


def build_coalition(practice_a, practice_b) -> EconCoalition:
    members = [practice_a, practice_b, *factories.practices(10)]
    sizes = [14, 9, 12, 20, 7, 16, 11, 5, 18, 13, 8, 10]
    data, releases = {}, {}
    for seed, year in enumerate((2023, 2024), start=3):
        data[year] = factories.coalition_year(
            members, year=year, providers_per_practice=sizes, seed=seed
        )
        if year == 2024:
            set_financials(practice_a, 2024, **WORKED)
            for row in data[year].financials:
                if row.practice_id == practice_a.pk:
                    row.total_revenue = WORKED["total_revenue"]
                    row.provider_expense = WORKED["provider_expense"]
                    row.operating_expense = WORKED["operating_expense"]
                    row.radiologist_fte = WORKED["radiologist_fte"]
        releases[year] = publish_year(year)
    return EconCoalition(members=members, data=data, releases=releases)


@pytest.fixture
def typical_range(db):
    from benchmarks.economics import services

    services.typical_range_seed()
