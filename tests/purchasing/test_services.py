"""Invariants in the database and the services: term order, fee disclosure above 3%, tier
order, no overlapping enrollments (exclusion constraint), enrollment dates inside the term,
purchase checks and warnings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coalition.purchasing import services
from coalition.purchasing.models import Contract, Enrollment, PurchaseRecord, Tier, Vendor
from tests.purchasing.factories import contract_with_tiers, enroll


@pytest.fixture
def vendor(db):
    return Vendor.objects.create(name="Contrastco")


def _contract(vendor, **overrides):
    values = {
        "number": "C-1",
        "vendor": vendor,
        "category": "contrast",
        "starts_on": date(2025, 1, 1),
        "ends_on": date(2025, 12, 31),
        "admin_fee_pct": Decimal("2"),
    }
    values.update(overrides)
    return values


def test_database_refuses_a_term_that_ends_before_it_starts(vendor):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(**_contract(vendor, ends_on=date(2024, 12, 31)))


def test_database_refuses_a_fee_above_3pct_without_the_disclosed_amount(vendor):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(**_contract(vendor, admin_fee_pct=Decimal("3.5")))
    Contract.objects.create(
        **_contract(vendor, admin_fee_pct=Decimal("3.5"), admin_fee_disclosed_amount=1000)
    )
    Contract.objects.create(**_contract(vendor, number="C-2", admin_fee_pct=Decimal("3")))


def test_service_explains_the_fee_rule(vendor):
    with pytest.raises(ValidationError) as caught:
        services.contract_create(**_contract(vendor, admin_fee_pct=Decimal("3.01")))
    assert "admin_fee_disclosed_amount" in caught.value.message_dict
    contract = services.contract_create(
        **_contract(vendor, admin_fee_pct=Decimal("3.01"), admin_fee_disclosed_amount=Decimal(5))
    )
    assert contract.fee_flagged


def test_a_tier_may_not_ask_less_than_the_one_before(vendor):
    contract = services.contract_create(**_contract(vendor))
    services.tier_create(
        contract=contract, name="Bronze", min_annual_commitment=Decimal(0), discount_pct=Decimal(3)
    )
    services.tier_create(
        contract=contract,
        name="Silver",
        min_annual_commitment=Decimal(1000),
        discount_pct=Decimal(5),
    )
    with pytest.raises(ValidationError) as caught:
        services.tier_create(
            contract=contract,
            name="Gold",
            min_annual_commitment=Decimal(999),
            discount_pct=Decimal(8),
        )
    assert "min_annual_commitment" in caught.value.message_dict
    silver = Tier.objects.get(name="Silver")
    with pytest.raises(ValidationError):
        services.tier_update(tier=silver, min_annual_commitment=Decimal(-1))
    assert list(contract.tiers.values_list("name", flat=True)) == ["Bronze", "Silver"]


def test_overlapping_enrollments_are_refused_by_the_database(practice_a):
    contract = contract_with_tiers()
    tier = contract.tiers.get(rank=1)
    Enrollment.objects.create(
        practice=practice_a,
        contract=contract,
        tier=tier,
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 6, 30),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(  # one shared day: June 30 (both ends included)
            practice=practice_a,
            contract=contract,
            tier=tier,
            starts_on=date(2025, 6, 30),
            ends_on=date(2025, 12, 31),
        )
    Enrollment.objects.create(
        practice=practice_a,
        contract=contract,
        tier=tier,
        starts_on=date(2025, 7, 1),
        ends_on=date(2025, 12, 31),
    )


def test_enrollment_service_errors(practice_a, practice_b):
    contract = contract_with_tiers()
    other = contract_with_tiers(number="OTHER")
    tier = contract.tiers.get(rank=1)
    services.enrollment_create(
        practice=practice_a,
        contract=contract,
        tier=tier,
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
    )
    cases = [
        ({"starts_on": date(2025, 5, 1), "ends_on": date(2026, 1, 31)}, "starts_on"),  # overlap
        ({"starts_on": date(2024, 12, 1), "ends_on": date(2024, 12, 31)}, "starts_on"),  # term
        ({"starts_on": date(2027, 1, 1), "ends_on": date(2028, 1, 31)}, "ends_on"),  # term
        (
            {
                "tier": other.tiers.get(rank=1),
                "starts_on": date(2026, 1, 1),
                "ends_on": date(2026, 2, 1),
            },
            "tier",
        ),
    ]
    for changes, field in cases:
        values = {"practice": practice_a, "contract": contract, "tier": tier, **changes}
        with pytest.raises(ValidationError) as caught:
            services.enrollment_create(**values)
        assert field in caught.value.message_dict, (changes, caught.value)
    # Another practice may be enrolled at the same time.
    services.enrollment_create(
        practice=practice_b,
        contract=contract,
        tier=tier,
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
    )
    assert Enrollment.objects.for_practice(practice_a).count() == 1


def test_purchase_entry_checks_and_warnings(practice_a):
    contract = contract_with_tiers()
    enroll(practice_a, contract, starts_on=date(2025, 1, 1), ends_on=date(2025, 3, 31))
    values = {
        "practice": practice_a,
        "contract": contract,
        "purchased_on": date(2025, 2, 1),
        "item": "Gadget",
        "quantity": Decimal(2),
        "list_price": Decimal(10),
        "price_paid": Decimal(9),
    }
    assert services.purchase_record_create(**values).warnings == []
    result = services.purchase_record_create(
        **{**values, "purchased_on": date(2025, 5, 1), "price_paid": Decimal(11)}
    )
    assert sorted(code for _, code, _ in result.warnings) == ["above_list_price", "not_enrolled"]
    for field, bad in (
        ("quantity", Decimal(-1)),
        ("quantity", Decimal(0)),
        ("price_paid", Decimal("-0.01")),
        ("list_price", Decimal(-5)),
        ("purchased_on", date(2030, 1, 1)),
    ):
        with pytest.raises(ValidationError) as caught:
            services.purchase_record_create(**{**values, field: bad})
        assert field in caught.value.message_dict
    assert PurchaseRecord.objects.for_practice(practice_a).count() == 2
