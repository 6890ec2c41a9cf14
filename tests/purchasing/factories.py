"""Purchasing test data: contracts with tiers, enrollments and purchases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from coalition.purchasing.models import Contract, Enrollment, PurchaseRecord, Tier, Vendor

TERM_START = date(2025, 1, 1)
TERM_END = date(2027, 12, 31)


def contract_with_tiers(
    *,
    number: str = "GPO-1",
    vendor: str = "Acme Imaging Supply",
    category: str = "supplies",
    fee: str = "2.5",
    tiers: tuple[tuple[str, str, str], ...] = (
        ("Bronze", "0", "5"),
        ("Silver", "50000", "8"),
        ("Gold", "100000", "12"),
    ),
    starts_on: date = TERM_START,
    ends_on: date = TERM_END,
    disclosed: str | None = None,
) -> Contract:
    contract = Contract.objects.filter(number=number).first()
    if contract is not None:
        return contract
    vendor_row, _ = Vendor.objects.get_or_create(name=vendor)
    contract = Contract.objects.create(
        number=number,
        vendor=vendor_row,
        category=category,
        starts_on=starts_on,
        ends_on=ends_on,
        admin_fee_pct=Decimal(fee),
        admin_fee_disclosed_amount=Decimal(disclosed) if disclosed else None,
    )
    for rank, (name, minimum, discount) in enumerate(tiers, start=1):
        Tier.objects.create(
            contract=contract,
            rank=rank,
            name=name,
            min_annual_commitment=Decimal(minimum),
            discount_pct=Decimal(discount),
        )
    return contract


def enroll(practice, contract: Contract, *, tier_rank: int = 1, starts_on=None, ends_on=None):
    return Enrollment.objects.create(
        practice=practice,
        contract=contract,
        tier=contract.tiers.get(rank=tier_rank),
        starts_on=starts_on or contract.starts_on,
        ends_on=ends_on or contract.ends_on,
    )


def purchase(
    practice,
    contract: Contract,
    *,
    on: date,
    item: str = "Contrast syringe 150 mL",
    quantity: str = "10",
    list_price: str = "20.00",
    price_paid: str = "15.00",
) -> PurchaseRecord:
    return PurchaseRecord.objects.create(
        practice=practice,
        contract=contract,
        purchased_on=on,
        item=item,
        quantity=Decimal(quantity),
        list_price=Decimal(list_price),
        price_paid=Decimal(price_paid),
    )
