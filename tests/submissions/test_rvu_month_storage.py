"""How rvu_detail lines are stored (RvuDetailMonth): codes as comma-separated text, units and
work RVUs as exact integers of hundredths and ten-thousandths; the database refuses a month
whose columns disagree on its number of lines or hold a negative number, and the line view
gives back the file's codes and decimals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from django.db import IntegrityError, transaction

from practices.submissions.models import RvuDetailMonth, RvuDetailRecord
from practices.submissions.storage import _scaled
from tests.submissions.factories import RVU_HEADER, csv_bytes, upload


def test_decimals_become_exact_integers_whatever_form_validation_let_through():
    forms = ["35.7", "0.0001", "99999999.9999", "5.", ".5", "-0", "-0.00", "0", "12"]
    frame = pl.DataFrame({"v": forms})
    scaled = frame.select(_scaled("v", 4).alias("v"))["v"].to_list()
    assert scaled == [int(Decimal(f or "0") * 10_000) for f in forms]
    units = pl.DataFrame({"v": ["35.7", "99999999.99", ".5", "7"]})
    assert units.select(_scaled("v", 2).alias("v"))["v"].to_list() == [3570, 9999999999, 50, 700]


def test_the_line_view_gives_back_the_file(practice_a, open_period):
    rows = [
        ("A-1", "2025-01", "70553", "MR", Decimal("3.00"), Decimal("7.2500")),
        ("A-1", "2025-01", "71046", "XR", Decimal("99999999.99"), Decimal("99999999.9999")),
        ("A-1", "2025-02", "0001F", "CT", Decimal("0.5"), Decimal("0.0001")),
    ]
    submission = upload(practice_a, "rvu_detail", csv_bytes(RVU_HEADER, rows))
    assert submission.status == "validated", submission.progress_message
    stored = sorted(
        RvuDetailRecord.objects.for_practice(practice_a)
        .filter(submission=submission)
        .values_list("service_month", "cpt_code", "modality", "units", "work_rvus")
    )
    assert stored == [
        (date(2025, 1, 1), "70553", "MR", Decimal("3.00"), Decimal("7.2500")),
        (date(2025, 1, 1), "71046", "XR", Decimal("99999999.99"), Decimal("99999999.9999")),
        (date(2025, 2, 1), "0001F", "CT", Decimal("0.50"), Decimal("0.0001")),
    ]
    january = RvuDetailMonth.objects.for_practice(practice_a).get(
        submission=submission, service_month=date(2025, 1, 1)
    )
    assert (january.cpt_codes, january.modalities) == ("70553,71046", "MR,XR")
    assert january.units == [300, 9999999999]
    assert january.work_rvus == [72500, 999999999999]
    assert january.work_rvus_total == Decimal("100000007.2499")


@pytest.mark.parametrize(
    "change",
    [
        {"cpt_codes": "70553"},  # one code for two lines
        {"modalities": "MR,XR,CT"},
        {"units": [300]},
        {"work_rvus": [72500, 1, 2]},
        {"units": [300, -1]},
        {"work_rvus": [-72500, 999999999999]},
    ],
)
def test_the_database_refuses_a_month_whose_columns_disagree(practice_a, open_period, change):
    rows = [
        ("A-1", "2025-01", "70553", "MR", Decimal("3.00"), Decimal("7.2500")),
        ("A-1", "2025-01", "71046", "XR", Decimal("1"), Decimal("1")),
    ]
    submission = upload(practice_a, "rvu_detail", csv_bytes(RVU_HEADER, rows))
    months = RvuDetailMonth.objects.for_practice(practice_a).filter(submission=submission)
    with pytest.raises(IntegrityError), transaction.atomic():
        months.update(**change)
