"""The exam_turnaround import's fast paths against plain computations on generated exams: the
integer-keyed histograms against grouping the text columns, the class summaries against numpy
over every exam, the exam tags against CBC-MAC computed id by id, and an import read in batches
against the same file read whole (stored groups and summaries alike, the file deleted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import polars as pl
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from practices.submissions import reading
from practices.submissions.models import Submission
from practices.submissions.validation import Validated
from quality import exam_keys, storage
from quality.models import ExamTags, TurnaroundClassYear, TurnaroundGroup
from tests.quality.helpers import TAT_HEADER, csv_bytes, exam_rows
from tests.submissions.factories import upload

ZONE = "America/New_York"


def _exams(count: int, *, seed: int) -> pl.DataFrame:
    """Validated-like exams (UTC microseconds), many around the daylight-saving changes and the
    ends of months, with raw values that normalization maps."""
    rng = np.random.default_rng(seed)
    start = datetime(2019, 1, 1, 5, tzinfo=UTC).timestamp()
    edges = [datetime(2019, 3, 10, 6, tzinfo=UTC), datetime(2019, 11, 3, 5, tzinfo=UTC)]
    edges += [datetime(2019, month, 1, 4, 30, tzinfo=UTC) for month in range(2, 13)]
    near = np.array([edge.timestamp() for edge in edges])[rng.integers(0, len(edges), count)]
    anywhere = rng.integers(int(start), int(start) + 364 * 86400, count)
    completed = np.where(rng.random(count) < 0.4, near + rng.integers(-7200, 7200, count), anywhere)
    seconds = rng.integers(1, 40_000, count) * (rng.random(count) < 0.9) + rng.integers(
        0, 90, count
    )
    return pl.DataFrame(
        {
            "exam_id": [f"A{i}" for i in range(count)],
            "modality": rng.choice(["CT", "ct", "MR", "XR"], count),
            "patient_class": rng.choice(["ED", "inpatient", "outpatient", "Ed"], count),
            "priority": rng.choice(["stat", "routine", "STAT"], count),
            "completed_at": (completed * 1_000_000).astype(np.int64),
            "finalized_at": ((completed + seconds) * 1_000_000).astype(np.int64),
        }
    )


def _validated(frame: pl.DataFrame) -> Validated:
    mappings = {
        "modality": {v: v.upper() for v in ["CT", "ct", "MR", "XR"]},
        "patient_class": {
            "ED": "ED",
            "Ed": "ED",
            "inpatient": "inpatient",
            "outpatient": "outpatient",
        },
        "priority": {"stat": "stat", "STAT": "stat", "routine": "routine"},
    }
    return Validated(frame=frame, mappings=mappings)


@pytest.mark.parametrize("zone", [ZONE, "Australia/Lord_Howe"])
def test_integer_keyed_histograms_equal_grouping_the_exams(zone, monkeypatch):
    monkeypatch.setattr(storage, "SLICE_ROWS", 7_000)  # several slices
    validated = _validated(_exams(30_000, seed=1))
    expected = storage.histograms(storage.turnaround_frame(validated, time_zone=zone))
    assert storage.turnaround_histograms(validated, time_zone=zone).equals(expected)


def test_class_summaries_equal_numpy_over_every_exam():
    validated = _validated(_exams(20_000, seed=2))
    exams = storage.turnaround_frame(validated, time_zone=ZONE)
    summaries = storage.class_years(storage.turnaround_histograms(validated, time_zone=ZONE))
    assert [row["patient_class"] for row in summaries] == ["ED", "inpatient", "outpatient"]
    for row in summaries:
        seconds = exams.filter(pl.col("patient_class") == row["patient_class"])["seconds"]
        seconds = np.sort(seconds.to_numpy())
        assert row["exam_count"] == seconds.size
        middle = (seconds[(seconds.size - 1) // 2] + seconds[seconds.size // 2]) / 2
        assert row["median_seconds"] == Decimal(str(middle))
        within = row["within_by_minute"]
        for minute in (0, 1, 29, 30, 240, len(within) - 1):
            assert within[minute] == int((seconds <= 60 * minute).sum())


def _cbc_mac_tag(exam_id: str, key: bytes) -> int:
    message = exam_id.strip().upper().encode("ascii").ljust(exam_keys.MESSAGE_BYTES, b"\0")
    encryptor = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
    last_block = (encryptor.update(message) + encryptor.finalize())[-16:]
    return int.from_bytes(last_block[:8], "big")


def test_exam_tags_are_the_cbc_mac_of_each_id(monkeypatch):
    monkeypatch.setattr(exam_keys, "CHUNK_ROWS", 333)  # several chunks
    rng = np.random.default_rng(3)
    alphabet = list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ._:/-")
    ids = ["".join(rng.choice(alphabet, rng.integers(1, 41))) for _ in range(1000)]
    ids += ["a1", " b-2 ", "X" * 40]
    key = bytes(range(32))
    tags = exam_keys.tags(pl.Series(ids), key=key)
    assert tags.tolist() == [_cbc_mac_tag(exam_id, key) for exam_id in ids]
    normalized = pl.Series(ids).str.strip_chars().str.to_uppercase()
    assert exam_keys.tags(normalized, key=key, normalized=True).tolist() == tags.tolist()


def _stored(practice, submission):
    groups = sorted(
        (g.month, g.patient_class, g.modality, g.priority, g.exam_count, g.seconds, g.counts)
        for g in TurnaroundGroup.objects.for_practice(practice).filter(submission=submission)
    )
    years = sorted(
        (c.patient_class, c.exam_count, c.median_seconds, c.within_by_minute)
        for c in TurnaroundClassYear.objects.for_practice(practice).filter(submission=submission)
    )
    return groups, years


def test_an_import_read_in_batches_stores_what_the_whole_file_does(
    practice_a, practice_b, monkeypatch, django_capture_on_commit_callbacks
):
    rng = np.random.default_rng(4)
    first = datetime(2025, 1, 2, 12, tzinfo=UTC)
    exams = [
        (
            f"E{i}",
            ["CT", "mr", "XR"][i % 3],
            ["ED", "inpatient", "outpatient"][i % 3],
            ["stat", "routine"][i % 2],
            first + timedelta(seconds=int(rng.integers(0, 360 * 86400))),
            int(rng.integers(1, 30_000)),
            ["z", "offset", "naive"][i % 3],
        )
        for i in range(2000)
    ]
    content = csv_bytes(TAT_HEADER, exam_rows(exams))
    practice_b.time_zone = practice_a.time_zone  # the naive times read alike
    practice_b.save(update_fields=["time_zone"])
    whole = upload(practice_b, "exam_turnaround", content)
    monkeypatch.setattr(reading, "BATCH_BYTES", 8192)
    with django_capture_on_commit_callbacks(execute=True):
        batched = upload(practice_a, "exam_turnaround", content)
    batched.refresh_from_db()
    assert whole.status == batched.status == Submission.Status.VALIDATED
    assert batched.row_count == whole.row_count == 2000
    assert _stored(practice_a, batched) == _stored(practice_b, whole)
    assert ExamTags.objects.for_practice(practice_a).get(submission=batched).exam_count == 2000
    assert not batched.file  # deleted once imported, as the whole-file import does


def test_import_data_reports_progress_batch_by_batch(practice_a, tmp_path, monkeypatch):
    from practices.submissions import services

    monkeypatch.setattr(reading, "BATCH_BYTES", 8192)
    first = datetime(2025, 2, 1, 12, tzinfo=UTC)
    exams = [
        (f"E{i}", "CT", "ED", "stat", first + timedelta(minutes=i), 600, "z") for i in range(3000)
    ]
    path = tmp_path / "exam_turnaround_2025.csv"
    path.write_bytes(csv_bytes(TAT_HEADER, exam_rows(exams)))
    heard = []
    outcome = services.submission_import(
        practice=practice_a,
        kind="exam_turnaround",
        path=path,
        on_progress=lambda percent, message: heard.append((percent, message)),
    )
    assert outcome.ok, outcome.errors
    checked = [(p, m) for p, m in heard if m.startswith("Checked")]
    assert len(checked) > 10  # one step per batch, before the store
    assert checked[-1] == (45, "Checked 3,000 of 3,000 rows")
    percents = [p for p, _ in heard]
    assert percents == sorted(percents) and percents[-1] == 97


def test_the_page_hears_each_batch_checked(practice_a, monkeypatch):
    from practices.submissions import services

    monkeypatch.setattr(reading, "BATCH_BYTES", 8192)
    first = datetime(2025, 2, 1, 12, tzinfo=UTC)
    exams = [
        (f"E{i}", "MR", "inpatient", "routine", first + timedelta(minutes=i), 900, "naive")
        for i in range(3000)
    ]
    messages = []
    real_progress = services._progress

    def recorded(submission, percent, message, beat=None):
        messages.append((percent, message))
        real_progress(submission, percent, message, beat)

    monkeypatch.setattr(services, "_progress", recorded)
    submission = upload(practice_a, "exam_turnaround", csv_bytes(TAT_HEADER, exam_rows(exams)))
    assert submission.status == Submission.Status.VALIDATED
    checked = [p for p, m in messages if m.startswith("Checked")]
    assert len(checked) > 10 and checked == sorted(checked) and checked[-1] == 65
