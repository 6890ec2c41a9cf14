"""Demo group purchasing for seed_demo: vendors, contracts across the six categories with their
tiers (one fee above 3%, disclosed; one contract ending within 90 days), enrollments of every
demo practice and a year of purchases (list and paid unit prices around each tier's discount,
a few above list). Written with bulk inserts, so it takes a second or two. Idempotent: nothing
is added once the demo contracts exist."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from coalition.purchasing.models import Contract, Enrollment, PurchaseRecord, Tier, Vendor
from practices.models import Practice

CENT = Decimal("0.01")

# (number, vendor, category, title, fee %, disclosed amount, days the term still runs,
#  tiers [(name, minimum a year, discount %)], items [(item, list price, units a month)])
CONTRACTS = [
    (
        "GPO-CT-24",
        "Meridian Contrast",
        "contrast",
        "Iodinated and gadolinium contrast",
        "2.5",
        None,
        640,
        [("Bronze", 0, 6), ("Silver", 60000, 9), ("Gold", 150000, 12)],
        [("Iohexol 350 mg/mL 100 mL", "48.00", 60), ("Gadobutrol 1 mmol/mL 15 mL", "112.00", 20)],
    ),
    (
        "GPO-EQ-23",
        "Northfield Imaging Systems",
        "equipment",
        "CT and MR service and parts",
        "2",
        None,
        900,
        [("Standard", 0, 4), ("Preferred", 250000, 7)],
        [("CT tube replacement", "68000.00", 0.1), ("MR coil, 16-channel", "14500.00", 0.15)],
    ),
    (
        "GPO-IT-25",
        "ClearView PACS",
        "it",
        "PACS, reporting and AI triage licences",
        "3.5",
        "40000",
        1100,
        [("Tier 1", 0, 5), ("Tier 2", 80000, 10), ("Tier 3", 200000, 15)],
        [("PACS reading seat, monthly", "420.00", 12), ("AI triage studies (1,000)", "900.00", 2)],
    ),
    (
        "GPO-SU-24",
        "Allied Medical Supply",
        "supplies",
        "Injector syringes, drapes and linens",
        "3",
        None,
        75,
        [("Basic", 0, 5), ("Plus", 25000, 8)],
        [("Power injector syringe 200 mL", "14.50", 120), ("Sterile drape kit", "9.80", 80)],
    ),
    (
        "GPO-SV-24",
        "Summit Transcription Services",
        "services",
        "Transcription and coding",
        "1.5",
        None,
        500,
        [("Standard", 0, 3), ("Volume", 40000, 6)],
        [("Coding review hour", "85.00", 30)],
    ),
    (
        "GPO-IN-25",
        "Harbor Mutual",
        "insurance",
        "Professional liability",
        "1",
        None,
        700,
        [("Member", 0, 5)],
        [("Malpractice premium, radiologist month", "1650.00", 4)],
    ),
]


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def seed(*, stdout=None, today: date | None = None, seed: int = 2026) -> int:
    """Returns the number of purchase records added."""
    today = today or timezone.localdate()
    if Contract.objects.filter(number=CONTRACTS[0][0]).exists():
        return 0
    rng = random.Random(seed)
    practices = list(Practice.objects.filter(is_active=True).order_by("name"))
    contracts = []
    for number, vendor_name, category, title, fee, disclosed, runs, tiers, items in CONTRACTS:
        vendor, _ = Vendor.objects.get_or_create(name=vendor_name)
        contract = Contract.objects.create(
            number=number,
            vendor=vendor,
            category=category,
            title=title,
            starts_on=today.replace(month=1, day=1) - timedelta(days=730),
            ends_on=today + timedelta(days=runs),
            admin_fee_pct=Decimal(fee),
            admin_fee_disclosed_amount=Decimal(disclosed) if disclosed else None,
            description=f"{title}. Negotiated by the coalition for its members.",
        )
        tier_rows = Tier.objects.bulk_create(
            Tier(
                contract=contract,
                rank=rank,
                name=name,
                min_annual_commitment=Decimal(minimum),
                discount_pct=Decimal(discount),
            )
            for rank, (name, minimum, discount) in enumerate(tiers, start=1)
        )
        contracts.append((contract, tier_rows, items))
    enrollments = []
    records = []
    start = today - timedelta(days=364)
    for index, practice in enumerate(practices):
        size = float(practice.radiologist_fte) / 50  # purchases scale with the practice
        for number, (contract, tiers, items) in enumerate(contracts):
            if (index + number) % 5 == 4:  # not every practice joins every contract
                continue
            tier = tiers[min(int(size * len(tiers) / 3), len(tiers) - 1)]
            enrollments.append(
                Enrollment(
                    practice=practice,
                    contract=contract,
                    tier=tier,
                    starts_on=contract.starts_on,
                    ends_on=contract.ends_on,
                )
            )
            for item, list_price, per_month in items:
                listed = Decimal(list_price)
                for month in range(12):
                    quantity = per_month * size * rng.uniform(0.6, 1.4)
                    if quantity < 1:
                        if rng.random() > quantity:
                            continue
                        quantity = 1
                    discount = float(tier.discount_pct) / 100 + rng.uniform(-0.02, 0.03)
                    paid = listed * Decimal(str(1 - discount))
                    if rng.random() < 0.02:
                        paid = listed * Decimal("1.03")  # the odd invoice above list
                    day = start + timedelta(days=month * 30 + rng.randrange(28))
                    records.append(
                        PurchaseRecord(
                            practice=practice,
                            contract=contract,
                            purchased_on=min(day, today),
                            item=item,
                            quantity=Decimal(round(quantity)),
                            list_price=listed,
                            price_paid=_money(paid),
                        )
                    )
    Enrollment.objects.bulk_create(enrollments)
    PurchaseRecord.objects.bulk_create(records, batch_size=2000)
    if stdout is not None:
        stdout.write(
            f"Group purchasing: {len(contracts)} contracts, {len(enrollments)} enrollments, "
            f"{len(records):,} purchase records.\n"
        )
    return len(records)
