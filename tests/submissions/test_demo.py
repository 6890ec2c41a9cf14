"""The demo data: realistic, approved, current, and loaded once however often seed runs."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone

from practices import services as practice_services
from practices.submissions import demo
from practices.submissions.models import (
    PracticeFinancialsRecord,
    ProviderYearRecord,
    ReportingPeriod,
    RvuDetailMonth,
    Submission,
)


def _practices():
    return [
        practice_services.practice_create(
            name=name, slug=name.lower().replace(" ", "-"), state=state, radiologist_fte=fte
        )
        for name, state, fte in [
            ("Magnolia Radiology", "MS", Decimal("12.0")),
            ("Granite Peak Radiology", "NH", Decimal("14.0")),
            ("Buckeye Radiology Partners", "OH", Decimal("58.0")),
        ]
    ]


def test_demo_periods_submissions_and_idempotence(db):
    practices = _practices()
    out = io.StringIO()
    imported = demo.seed(stdout=out)
    this_year = timezone.localdate().year
    periods = dict(ReportingPeriod.objects.values_list("year", "status"))
    assert periods == {
        **{year: "closed" for year in range(this_year - 5, this_year)},
        this_year: "open",
    }
    # 3 practices x 5 years x (provider_year + practice_financials) + 2 rvu_detail files.
    assert imported == 3 * 5 * 2 + 2
    current = Submission.objects.across_practices().filter(is_current=True)
    assert current.count() == imported
    assert not Submission.objects.across_practices().exclude(status="approved").exists()

    records = ProviderYearRecord.objects.across_practices().filter(clinical_fte__gte=1)
    wrvu_per_fte = sorted(float(r.work_rvus / r.clinical_fte) for r in records)
    comp_per_fte = sorted(float(r.total_compensation / r.clinical_fte) for r in records)
    middle = len(wrvu_per_fte) // 2
    assert 9_000 < wrvu_per_fte[middle] < 12_500
    assert 420_000 < comp_per_fte[middle] < 700_000
    assert {r.partner_status for r in records} == {"partner", "employed", "contractor"}
    assert len({r.subspecialty for r in records}) >= 6
    assert PracticeFinancialsRecord.objects.across_practices().count() == 15
    assert RvuDetailMonth.objects.across_practices().exists()
    # The rvu_detail lines agree with provider_year: no cross-check warning.
    rvu = Submission.objects.across_practices().filter(kind="rvu_detail")
    assert not rvu.filter(issues__code="rvu_total_mismatch").exists()

    assert demo.seed() == 0
    assert Submission.objects.across_practices().count() == imported
    assert practices[0].providers.exists()
