"""seed_demo's purchasing program: realistic, consistent with the rules, fast and idempotent."""

from __future__ import annotations

from datetime import date

from coalition.purchasing import demo, selectors, services
from coalition.purchasing.models import Alert, Contract, Enrollment, PurchaseRecord
from tests.factories import PracticeFactory


def test_demo_program(db):
    for index in range(8):
        PracticeFactory(radiologist_fte=12 + index * 30)
    today = date(2026, 6, 15)
    added = demo.seed(today=today)
    assert added == PurchaseRecord.objects.across_practices().count() > 500
    assert set(Contract.objects.values_list("category", flat=True)) == {
        "equipment",
        "it",
        "supplies",
        "contrast",
        "services",
        "insurance",
    }
    assert Contract.objects.filter(
        admin_fee_pct__gt=3, admin_fee_disclosed_amount__isnull=False
    ).exists()
    assert demo.seed(today=today) == 0  # idempotent
    rows = selectors.spend_report(
        purchases=PurchaseRecord.objects.across_practices(), by="category", year=2026
    )
    assert all(r.savings > 0 for r in rows)
    cells = selectors.price_benchmarks(year=2026)
    assert any(not c.suppressed for c in cells)
    statuses = selectors.tier_tracking(
        enrollments=Enrollment.objects.across_practices(), as_of=today
    )
    assert len(statuses) == Enrollment.objects.across_practices().count()
    services.alerts_refresh(today=today)
    assert Alert.objects.filter(kind="contract_expiring").exists()
