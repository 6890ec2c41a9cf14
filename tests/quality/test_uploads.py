"""The three quality kinds through the pipeline: what is stored, date-times and time zones, and
bad input (each error names its row and column; nothing is stored)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from practices.submissions import kinds
from practices.submissions.models import Submission, SubmissionIssue
from quality.models import (
    ExamTags,
    PeerReviewRecord,
    PeerReviewYear,
    QualityMeasureRecord,
    TurnaroundClassYear,
    TurnaroundGroup,
)
from tests.quality.helpers import TAT_HEADER, csv_bytes
from tests.submissions.factories import upload

pytestmark = pytest.mark.django_db

PEER_HEADER = ["provider_id", "service_month", "modality", "score", "count"]
MEASURE_HEADER = ["year", "measure_code", "numerator", "denominator"]


def _errors(submission) -> set[tuple[int | None, str, str]]:
    return {
        (i.row_number, i.column, i.code)
        for i in SubmissionIssue.objects.for_practice(submission.practice).filter(
            submission=submission, severity="error"
        )
    }


def _nothing_stored(submission) -> None:
    practice = submission.practice
    for model in (TurnaroundGroup, TurnaroundClassYear, ExamTags, PeerReviewRecord):
        assert not model.objects.for_practice(practice).filter(submission=submission).exists()
    assert not QualityMeasureRecord.objects.for_practice(practice).exists()
    assert submission.row_count == 0


def test_the_three_kinds_are_registered_with_their_templates():
    assert {"exam_turnaround", "peer_review", "quality_measure"} <= set(kinds.codes())
    assert kinds.get("exam_turnaround").keep_file is False
    assert Submission._meta.get_field("kind") is not None


def test_turnaround_is_real_elapsed_time_across_daylight_saving(practice_a):
    assert practice_a.time_zone == "America/New_York"  # Ohio's default
    rows = [
        # Spring forward: 01:30 to 03:30 local is one hour.
        ["E1", "CT", "ED", "stat", "2025-03-09T01:30:00", "2025-03-09T03:30:00"],
        # Fall back: 00:30 to 01:30 (the first 01:30) is one hour.
        ["E2", "CT", "ED", "stat", "2025-11-02T00:30:00", "2025-11-02T01:30:00"],
        # Offsets and Z: 10:00-05:00 is 15:00Z; finalized 15:22:10Z.
        ["e3", "ct", "ed", "STAT", "2025-03-14T10:00:00-05:00", "2025-03-14T15:22:10Z"],
        ["E4", "MR", "inpatient", "routine", "2025-06-01 10:00", "2025-06-01 14:00:30.9"],
    ]
    submission = upload(practice_a, "exam_turnaround", csv_bytes(TAT_HEADER, rows))
    assert submission.status == "validated", _errors(submission)
    assert submission.row_count == 4
    groups = {
        (g.month, g.patient_class, g.modality, g.priority): (g.seconds, g.counts)
        for g in TurnaroundGroup.objects.for_practice(practice_a)
    }
    assert groups[(3, "ED", "CT", "stat")] == ([1330, 3600], [1, 1])
    assert groups[(11, "ED", "CT", "stat")] == ([3600], [1])
    assert groups[(6, "inpatient", "MR", "routine")] == ([14430], [1])
    ed = TurnaroundClassYear.objects.for_practice(practice_a).get(patient_class="ED")
    assert ed.exam_count == 3 and ed.median_seconds == Decimal(3600)
    # within_by_minute[k] counts exams read within k minutes.
    assert ed.within_by_minute[22] == 0 and ed.within_by_minute[23] == 1
    assert ed.within_by_minute[59] == 1 and ed.within_by_minute[60] == 3


def test_an_exam_belongs_to_the_year_of_completion_in_the_practice_time_zone(practice_a):
    # 03:00Z on January 1 is still December 31 in New York.
    rows = [
        ["E1", "XR", "outpatient", "routine", "2025-01-01T03:00:00Z", "2025-01-01T05:00:00Z"],
        ["E2", "XR", "outpatient", "routine", "2025-05-01T03:00:00Z", "2025-05-01T05:00:00Z"],
    ]
    submission = upload(practice_a, "exam_turnaround", csv_bytes(TAT_HEADER, rows))
    assert submission.status == "rejected"
    assert (2, "completed_at", "wrong_year") in _errors(submission)
    assert (None, "completed_at", "mixed_years") in _errors(submission)
    _nothing_stored(submission)


def test_a_practice_elsewhere_reads_naive_times_in_its_own_zone(practice_b):
    assert practice_b.time_zone == "America/Los_Angeles"
    rows = [["E1", "US", "ED", "stat", "2025-03-09T01:30:00", "2025-03-09T03:30:00"]]
    submission = upload(practice_b, "exam_turnaround", csv_bytes(TAT_HEADER, rows))
    assert submission.status == "validated"
    # 2025-03-09 02:00 in Los Angeles is also spring forward.
    assert TurnaroundGroup.objects.for_practice(practice_b).get().seconds == [3600]


BAD_EXAMS = [
    (
        ["E1", "CT", "ED", "stat", "2025-13-01T10:00:00Z", "2025-03-01T10:00:00Z"],
        "completed_at",
        "impossible_datetime",
    ),
    (
        ["E1", "CT", "ED", "stat", "2025-02-30T10:00:00Z", "2025-03-01T10:00:00Z"],
        "completed_at",
        "impossible_datetime",
    ),
    (
        ["E1", "CT", "ED", "stat", "2025-03-01T25:00:00Z", "2025-03-01T10:00:00Z"],
        "completed_at",
        "impossible_datetime",
    ),
    (
        ["E1", "CT", "ED", "stat", "yesterday", "2025-03-01T10:00:00Z"],
        "completed_at",
        "bad_datetime",
    ),
    (
        ["E1", "CT", "ED", "stat", "2025-03-01T10:00:00Z", "03/01/2025 10:30"],
        "finalized_at",
        "bad_datetime",
    ),
    (
        ["E1", "CT", "ED", "stat", "2025-03-09T02:30:00", "2025-03-09T04:00:00"],
        "completed_at",
        "nonexistent_time",
    ),
    (
        ["E1", "CT", "ED", "stat", "2025-03-01T10:00:00Z", "2025-03-01T09:59:59Z"],
        "finalized_at",
        "finalized_before_completed",
    ),
    (["E1", "CT", "ED", "stat", "2025-03-01T10:00:00Z", ""], "finalized_at", "required"),
    (
        ["E1", "CT", "hallway", "stat", "2025-03-01T10:00:00Z", "2025-03-01T11:00:00Z"],
        "patient_class",
        "not_in_vocabulary",
    ),
    (
        ["E1", "CT", "ED", "urgent", "2025-03-01T10:00:00Z", "2025-03-01T11:00:00Z"],
        "priority",
        "not_in_vocabulary",
    ),
    (
        ["E1", "XRAY", "ED", "stat", "2025-03-01T10:00:00Z", "2025-03-01T11:00:00Z"],
        "modality",
        "not_in_vocabulary",
    ),
    (
        ["E 1!", "CT", "ED", "stat", "2025-03-01T10:00:00Z", "2025-03-01T11:00:00Z"],
        "exam_id",
        "bad_code",
    ),
]


@pytest.mark.parametrize(("row", "column", "code"), BAD_EXAMS)
def test_bad_exam_rows_are_rejected_naming_row_and_column(practice_a, row, column, code):
    good = ["E0", "CT", "ED", "stat", "2025-03-01T10:00:00Z", "2025-03-01T10:20:00Z"]
    submission = upload(practice_a, "exam_turnaround", csv_bytes(TAT_HEADER, [good, row]))
    assert submission.status == "rejected"
    assert (3, column, code) in _errors(submission)
    _nothing_stored(submission)
    # Messages never repeat the value.
    for issue in SubmissionIssue.objects.for_practice(practice_a).filter(submission=submission):
        assert (
            row[TAT_HEADER.index(column)] not in issue.message or not row[TAT_HEADER.index(column)]
        )


def test_duplicate_exam_and_second_year_are_errors(practice_a):
    rows = [
        ["A-1", "CT", "ED", "stat", "2025-03-01T10:00:00Z", "2025-03-01T10:20:00Z"],
        ["a-1", "CT", "ED", "stat", "2025-03-02T10:00:00Z", "2025-03-02T10:20:00Z"],
        ["A-3", "CT", "ED", "stat", "2024-06-02T10:00:00Z", "2024-06-02T10:20:00Z"],
        ["A-4", "CT", "ED", "stat", "2025-07-02T10:00:00Z", "2025-07-02T10:20:00Z"],
    ]
    submission = upload(practice_a, "exam_turnaround", csv_bytes(TAT_HEADER, rows))
    errors = _errors(submission)
    assert (3, "exam_id", "duplicate_key") in errors  # ids compare without regard to case
    assert (4, "completed_at", "wrong_year") in errors
    _nothing_stored(submission)


def test_exam_tags_find_an_exam_in_another_year_without_keeping_ids(practice_a, practice_b):
    first = [["X-1", "CT", "ED", "stat", "2025-03-01T10:00:00Z", "2025-03-01T10:20:00Z"]]
    done = upload(practice_a, "exam_turnaround", csv_bytes(TAT_HEADER, first))
    from practices.submissions import services

    services.submission_submit(submission=done)
    services.submission_approve(submission=done)
    again = [["x-1", "CT", "ED", "stat", "2024-03-01T10:00:00Z", "2024-03-01T10:20:00Z"]]
    later = upload(practice_a, "exam_turnaround", csv_bytes(TAT_HEADER, again), year=2024)
    assert later.status == "validated"
    warnings = SubmissionIssue.objects.for_practice(practice_a).filter(
        submission=later, severity="warning"
    )
    assert [w.code for w in warnings] == ["exam_in_other_year"]
    assert "X-1" not in warnings[0].message
    # Tags are per practice: the same id at another practice has another tag.
    other = upload(practice_b, "exam_turnaround", csv_bytes(TAT_HEADER, first))
    tag_a = ExamTags.objects.for_practice(practice_a).get(submission=done).tags
    tag_b = ExamTags.objects.for_practice(practice_b).get(submission=other).tags
    assert bytes(tag_a) != bytes(tag_b) and len(bytes(tag_a)) == 8


def test_peer_review_is_pseudonymous_and_totals_the_year(practice_a):
    rows = [
        ["RAD-1", "2025-01", "CT", "1", "40"],
        ["RAD-1", "2025-01", "CT", "2B", "2"],
        ["RAD-1", "2025-02", "MR", "3a", "1"],
        ["RAD-2", "2025-02", "MR", "2a", "3"],
        ["RAD-2", "2025-03", "XR", "3b", "0"],
    ]
    submission = upload(practice_a, "peer_review", csv_bytes(PEER_HEADER, rows))
    assert submission.status == "validated", _errors(submission)
    records = PeerReviewRecord.objects.for_practice(practice_a)
    assert records.count() == 5
    assert {r.provider_pseudonym for r in records} == {
        practice_a.pseudonymize("RAD-1"),
        practice_a.pseudonymize("RAD-2"),
    }
    year = PeerReviewYear.objects.for_practice(practice_a).get()
    assert (year.total_scores, year.major_discrepancies) == (46, 3)


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        (["RAD-1", "2025-01", "CT", "4", "3"], "score", "not_in_vocabulary"),
        (["RAD-1", "2025-01", "CT", "1", "-3"], "count", "out_of_range"),
        (["RAD-1", "2025-01", "CAT", "1", "3"], "modality", "not_in_vocabulary"),
        (["RAD-1", "2024-12", "CT", "2a", "3"], "service_month", "wrong_year"),
        (["RAD-1", "2025-01", "CT", "1", "2.5"], "count", "not_an_integer"),
    ],
)
def test_bad_peer_review_rows(practice_a, row, column, code):
    good = ["RAD-1", "2025-01", "CT", "1", "40"]
    submission = upload(practice_a, "peer_review", csv_bytes(PEER_HEADER, [good, row]))
    assert submission.status == "rejected"
    assert (3, column, code) in _errors(submission)
    _nothing_stored(submission)


def test_quality_measures_and_their_bad_input(practice_a):
    good = [
        ["2025", "critical_result_10min", "95", "100"],
        ["2025", "Mammography_Recall", "90", "1000"],
        ["2025", "patient_experience", "700", "1000"],
    ]
    submission = upload(practice_a, "quality_measure", csv_bytes(MEASURE_HEADER, good))
    assert submission.status == "validated", _errors(submission)
    assert set(
        QualityMeasureRecord.objects.for_practice(practice_a).values_list("measure_code", flat=True)
    ) == {"critical_result_10min", "mammography_recall", "patient_experience"}
    bad = [
        ["2025", "critical_result_10min", "101", "100"],
        ["2025", "door_to_needle", "1", "2"],
        ["2025", "mammography_recall", "-1", "2"],
        ["2024", "patient_experience", "1", "2"],
        ["2025", "patient_experience", "1", "2"],
    ]
    rejected = upload(practice_a, "quality_measure", csv_bytes(MEASURE_HEADER, bad))
    errors = _errors(rejected)
    assert (2, "numerator", "numerator_over_denominator") in errors
    assert (3, "measure_code", "not_in_vocabulary") in errors
    assert (4, "numerator", "out_of_range") in errors
    assert (5, "year", "wrong_year") in errors or (6, "year", "wrong_year") in errors
    assert (
        QualityMeasureRecord.objects.for_practice(practice_a).filter(submission=rejected).count()
        == 0
    )


def test_import_data_imports_rejects_and_deletes_the_exam_file(
    practice_a, tmp_path, capsys, django_capture_on_commit_callbacks
):
    path = Path(tmp_path) / "tat.csv"
    rows = [["E1", "CT", "ED", "stat", "2025-03-01T10:00:00Z", "2025-03-01T10:20:00Z"]]
    path.write_bytes(csv_bytes(TAT_HEADER, rows))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_data", "--practice", "alpha", "--kind", "exam_turnaround", str(path))
    submission = Submission.objects.for_practice(practice_a).get()
    assert submission.status == "approved" and submission.is_current
    assert not submission.file  # the accepted exam file is not kept
    bad = Path(tmp_path) / "bad.csv"
    rows = [["E1", "CT", "ED", "stat", "2025-03-01T10:00:00Z", "2025-03-01T09:20:00Z"]]
    bad.write_bytes(csv_bytes(TAT_HEADER, rows))
    with pytest.raises(CommandError) as raised:
        call_command("import_data", "--practice", "alpha", "--kind", "exam_turnaround", str(bad))
    assert raised.value.returncode == 2
    assert "2,finalized_at,finalized_before_completed" in capsys.readouterr().err
    assert Submission.objects.for_practice(practice_a).count() == 1


def test_histogram_median_matches_numpy():
    from quality.storage import median_of_histogram, within_by_minute

    rng = np.random.default_rng(5)
    for size in (1, 2, 3, 10, 101, 1000):
        values = rng.integers(0, 5000, size=size)
        seconds, counts = np.unique(values, return_counts=True)
        assert float(median_of_histogram(seconds, counts)) == float(np.median(values))
        cumulative = within_by_minute(seconds, counts)
        for k in (0, 1, 5, 30, len(cumulative) - 1):
            assert cumulative[k] == int((values <= 60 * k).sum())


def test_year_of_naive_time_zone_change(practice_a):
    # The practice moves west: the same naive times are read in its new zone.
    practice_a.time_zone = "America/Los_Angeles"
    practice_a.save()
    rows = [["E1", "CT", "ED", "stat", "2024-12-31T22:30:00", "2024-12-31T23:30:00"]]
    submission = upload(practice_a, "exam_turnaround", csv_bytes(TAT_HEADER, rows), year=2024)
    assert submission.status == "validated"
    assert datetime(2025, 1, 1, tzinfo=UTC).year == 2025
