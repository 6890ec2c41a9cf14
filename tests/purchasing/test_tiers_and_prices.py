"""Tier tracking (spend to date, projection, flags) and price benchmarks under the disclosure
rules, against independent computations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from coalition.purchasing import selectors
from coalition.purchasing.models import Enrollment
from tests.factories import PracticeFactory
from tests.purchasing.factories import contract_with_tiers, enroll, purchase

D = Decimal


def test_tier_tracking_by_hand(practice_a, settings):
    settings.PURCHASING_TIER_NEAR_SHARE = "0.10"
    contract = contract_with_tiers(
        tiers=(("Bronze", "36500", "5"), ("Silver", "73000", "8"), ("Gold", "146000", "12"))
    )
    enroll(
        practice_a, contract, tier_rank=1, starts_on=date(2025, 1, 1), ends_on=date(2027, 12, 31)
    )
    # 66,000 spent by March 1 (60 days of 365): projected 66,000 x 365 / 60 = 401,500.
    purchase(
        practice_a,
        contract,
        on=date(2025, 1, 15),
        quantity="1",
        list_price="70000",
        price_paid="66000",
    )
    purchase(
        practice_a, contract, on=date(2025, 3, 2), quantity="1", list_price="9", price_paid="9"
    )  # after as_of
    purchase(
        practice_a, contract, on=date(2024, 12, 31), quantity="1", list_price="9", price_paid="9"
    )  # last year
    [status] = selectors.tier_tracking(
        enrollments=Enrollment.objects.for_practice(practice_a), as_of=date(2025, 3, 1)
    )
    assert status.spend_to_date == D("66000.00")
    assert status.projected == D("401500.00")
    assert status.commitment == D("36500.00")
    assert status.next_tier.name == "Silver" and status.next_commitment == D("73000.00")
    assert status.to_next_tier == D("7000.00")
    assert status.near_next_tier  # 66,000 >= 0.9 x 73,000 = 65,700
    assert not status.commitment_at_risk


def test_commitment_at_risk_and_partial_year(practice_a):
    contract = contract_with_tiers(tiers=(("Bronze", "0", "3"), ("Silver", "36500", "6")))
    # Enrolled at Silver from July 1: 184 days of 365 -> commitment 36,500 x 184/365 = 18,400.
    enroll(
        practice_a, contract, tier_rank=2, starts_on=date(2025, 7, 1), ends_on=date(2027, 12, 31)
    )
    purchase(
        practice_a,
        contract,
        on=date(2025, 7, 10),
        quantity="1",
        list_price="1000",
        price_paid="920",
    )
    [status] = selectors.tier_tracking(
        enrollments=Enrollment.objects.for_practice(practice_a), as_of=date(2025, 7, 31)
    )
    assert status.commitment == D("18400.00")
    assert status.projected == (D(920) * 184 / 31).quantize(D("0.01"))  # 31 days elapsed
    assert status.commitment_at_risk
    assert status.next_tier is None and not status.near_next_tier


def _buy(practices, contract, prices, item="Syringe"):
    for practice, price in zip(practices, prices, strict=True):
        purchase(
            practice,
            contract,
            on=date(2025, 5, 1),
            item=item,
            price_paid=str(price),
            list_price="99",
        )


def test_price_quartiles_published_under_the_rules_equal_numpy(db):
    contract = contract_with_tiers()
    practices = [PracticeFactory() for _ in range(5)]
    prices = [
        D("10.00"),
        D("12.50"),
        D("11.00"),
        D("9.75"),
        D("14.20"),
        D("10.40"),
        D("13.10"),
        D("12.00"),
    ]
    owners = [*practices, practices[0], practices[1], practices[2]]
    for index, (practice, price) in enumerate(zip(owners, prices, strict=True)):
        purchase(
            practice,
            contract,
            on=date(2025, 5, index + 1),
            item="Syringe",
            price_paid=str(price),
            list_price="99",
        )
    [cell] = selectors.price_benchmarks(year=2025, practice=practices[0])
    assert not cell.suppressed and cell.n_practices == 5 and cell.n_observations == 8
    expected = np.percentile([float(p) for p in prices], [25, 50, 75], method="linear")
    assert [float(cell.p25), float(cell.p50), float(cell.p75)] == pytest.approx(expected, abs=0.005)
    assert cell.own_median == D("10.20")  # practice 0 paid 10.00 and 10.40
    assert cell.p25 == D("10.30")  # 10.00 + 0.75 x (10.40 - 10.00)
    assert cell.position == "below p25 (lower than most members)"


def test_four_practices_are_not_enough(db):
    contract = contract_with_tiers()
    _buy([PracticeFactory() for _ in range(4)] * 2, contract, [10, 11, 12, 13, 14, 15, 16, 17])
    [cell] = selectors.price_benchmarks(year=2025)
    assert cell.suppressed and "min_practices" in cell.reasons
    assert (cell.p25, cell.p50, cell.p75) == (None, None, None)


def test_a_dominant_practice_suppresses(db):
    contract = contract_with_tiers()
    practices = [PracticeFactory() for _ in range(5)]
    # 8 observations, the first practice has 3 of them: 37.5% > 25%.
    _buy([practices[0]] * 3 + practices[1:] + [practices[1]], contract, range(10, 18))
    [cell] = selectors.price_benchmarks(year=2025)
    assert cell.suppressed and cell.reasons == ["dominance"]


def test_items_group_case_insensitively_and_only_own_items_are_listed(db):
    contract = contract_with_tiers()
    practices = [PracticeFactory() for _ in range(5)]
    _buy(practices, contract, [10, 11, 12, 13, 14], item="Syringe 150")
    _buy(practices[1:], contract, [1, 2, 3, 4], item="other")
    purchase(
        practices[0],
        contract,
        on=date(2025, 6, 1),
        item=" syringe 150 ",
        price_paid="10",
        list_price="99",
    )
    cells = selectors.price_benchmarks(year=2025, practice=practices[0], only_own=True)
    assert [c.item_key for c in cells] == ["syringe 150"]
    assert cells[0].n_observations == 6 and cells[0].own_observations == 2
