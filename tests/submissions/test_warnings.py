"""Warnings: outliers against the coalition, rvu_detail vs provider_year, year over year."""

from __future__ import annotations

from decimal import Decimal

import pytest

from practices.submissions.models import SubmissionIssue
from tests.factories import PracticeFactory
from tests.submissions.factories import (
    FINANCIALS_HEADER,
    PROVIDER_YEAR_HEADER,
    RVU_HEADER,
    approved,
    csv_bytes,
    financials_rows,
    period,
    provider_year_rows,
    rvu_rows,
    upload,
)


def _warnings(submission):
    return list(
        SubmissionIssue.objects.for_practice(submission.practice)
        .filter(submission=submission, severity="warning")
        .order_by("row_number", "id")
    )


@pytest.fixture
def coalition(open_period):
    """Six other practices with ordinary radiologists (10 each), approved and current."""
    for i in range(6):
        practice = PracticeFactory()
        approved(
            practice,
            "provider_year",
            csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(10, seed=100 + i)),
        )


def test_outliers_against_the_coalition_warn_without_blocking(practice_a, coalition):
    rows = provider_year_rows(3, seed=7)
    rows[1][3] = "1.0"
    rows[1][4] = "31000"  # wRVU per FTE far above anyone's
    submission = upload(practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, rows))
    assert submission.status == "validated"
    found = _warnings(submission)
    outliers = [w for w in found if w.code == "outlier"]
    assert outliers and {w.row_number for w in outliers} == {3}
    message = next(w.message for w in outliers if w.column == "work_rvus")
    assert message.startswith("Work RVUs per clinical FTE of 31,000 is above the coalition's 99th")
    assert "modified z-scores above the coalition median" in message
    assert submission.warning_count == len(found)


def test_no_outlier_check_with_too_few_practices(practice_a, open_period):
    other = PracticeFactory()
    approved(other, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(40)))
    rows = provider_year_rows(2)
    rows[0][4] = "90000"
    submission = upload(practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, rows))
    assert not [w for w in _warnings(submission) if w.code == "outlier"]


def test_rvu_detail_total_against_provider_year(practice_a, open_period):
    py_rows = [
        ["RAD-001", "2025", "neuro", "1.0", "100.00", "500000", "partner"],
        ["RAD-002", "2025", "neuro", "1.0", "100.00", "500000", "partner"],
    ]
    upload(practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, py_rows))
    rvu = [
        ["RAD-001", "2025-01", "70450", "CT", "10", "60"],
        ["RAD-001", "2025-02", "70450", "CT", "10", "43"],  # 103: within 5%
        ["RAD-002", "2025-01", "70450", "CT", "10", "80"],  # 80: 20% below
    ]
    submission = upload(practice_a, "rvu_detail", csv_bytes(RVU_HEADER, rvu))
    found = _warnings(submission)
    assert [(w.code, w.row_number, w.column) for w in found] == [
        ("rvu_total_mismatch", 4, "provider_id")
    ]
    assert "20% below" in found[0].message


def test_provider_year_against_existing_rvu_detail(practice_a, open_period):
    upload(
        practice_a,
        "rvu_detail",
        csv_bytes(RVU_HEADER, [["RAD-9", "2025-01", "70450", "CT", "1", "50"]]),
    )
    rows = [["RAD-9", "2025", "neuro", "1.0", "100", "500000", "partner"]]
    submission = upload(practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, rows))
    assert [(w.code, w.column) for w in _warnings(submission)] == [
        ("rvu_total_mismatch", "work_rvus")
    ]


def test_year_over_year_change_above_half(practice_a, db):
    period(2024)
    period(2025)
    last_year = [["RAD-1", "2024", "neuro", "1.0", "10000", "500000", "partner"]]
    approved(practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, last_year), year=2024)
    this_year = [["RAD-1", "2025", "neuro", "1.0", "16000", "520000", "partner"]]
    submission = upload(practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, this_year))
    found = _warnings(submission)
    assert [(w.code, w.row_number, w.column) for w in found] == [("year_over_year", 2, "work_rvus")]
    assert "60% above the 2024 figure" in found[0].message


def test_practice_financials_year_over_year(practice_a, db):
    period(2024)
    period(2025)
    approved(
        practice_a,
        "practice_financials",
        csv_bytes(FINANCIALS_HEADER, financials_rows(year=2024)),
        year=2024,
    )
    rows = financials_rows()
    rows[0][1] = str(Decimal(rows[0][1]) * 2)
    submission = upload(practice_a, "practice_financials", csv_bytes(FINANCIALS_HEADER, rows))
    assert [(w.code, w.column) for w in _warnings(submission)] == [
        ("year_over_year", "total_revenue")
    ]


def test_rvu_detail_year_over_year(practice_a, db):
    period(2024)
    period(2025)
    approved(
        practice_a,
        "rvu_detail",
        csv_bytes(RVU_HEADER, rvu_rows(providers=("RAD-1",), year=2024)),
        year=2024,
    )
    rows = rvu_rows(providers=("RAD-1",))
    for row in rows:
        row[5] = str(Decimal(row[5]) * 3)
    submission = upload(practice_a, "rvu_detail", csv_bytes(RVU_HEADER, rows))
    assert [w.code for w in _warnings(submission)] == ["year_over_year"]
