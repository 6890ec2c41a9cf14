"""A large plain CSV is read and checked in batches (reading.BATCH_BYTES at a time); the result
must be the whole-file read's exactly: the checked rows, every error with its row and column,
the counts, the normalization mappings and the years. Batches are made tiny here so that small
files span many of them."""

from __future__ import annotations

import io
import random

import polars as pl
import pytest

from practices.submissions import kinds, reading, validation
from tests.submissions.factories import PROVIDER_YEAR_HEADER, provider_year_rows

TAT_HEADER = "exam_id,modality,patient_class,priority,completed_at,finalized_at"


def _exam_lines(count: int, *, seed: int, bad: bool) -> list[str]:
    """Exam rows in every accepted time form (Z, offset, naive local around the daylight-saving
    changes), with values that need normalizing; with `bad`, about 1% of rows break a rule."""
    rng = random.Random(seed)
    lines = []
    for i in range(count):
        exam_id = f"A{i:07d}" if i % 5 else f"a-{i}"
        modality = rng.choice(["CT", "MR", "XR", "ct", " US"])
        patient_class = rng.choice(["ED", "inpatient", "outpatient", "Ed"])
        priority = rng.choice(["stat", "routine", "STAT"])
        month, day = rng.choice([(3, 10), (11, 3), (rng.randint(1, 12), rng.randint(1, 28))])
        hour = rng.randint(4, 20)
        completed = f"2019-{month:02d}-{day:02d}T{hour:02d}:{rng.randint(0, 59):02d}:00"
        finalized = f"2019-{month:02d}-{day:02d}T{hour + 2:02d}:{rng.randint(0, 59):02d}:30"
        style = i % 3
        if style == 1:
            completed, finalized = completed + "Z", finalized + "Z"
        elif style == 2:
            completed, finalized = completed + "-05:00", finalized.replace("T", " ") + "-05:00"
        if bad:
            roll = rng.random()
            if roll < 0.002:
                exam_id = f"A{rng.randint(1, max(i - 1, 1)):07d}"  # a repeated id
            elif roll < 0.004:
                modality = "PETCT"
            elif roll < 0.006:
                completed = "2019-02-30T10:00:00Z"
            elif roll < 0.008:
                completed = "2019-03-10T02:30:00"  # skipped by the clocks in New York
            elif roll < 0.010:
                completed = "2020-01-05T10:00:00Z"
            elif roll < 0.012:
                finalized = "garbage"
            elif roll < 0.014:
                completed = ""
            elif roll < 0.016:
                exam_id = "123-45-6789 x"  # not an id; looks like a social security number
        lines.append(",".join([exam_id, modality, patient_class, priority, completed, finalized]))
    return lines


def _read_and_validate(data: bytes, kind: str, *, batched: bool, zone="America/New_York"):
    schema = kinds.schema_for(kind)
    source = io.BytesIO(data)
    result = reading.read_file(source, schema=schema, size=len(data), batched=batched)
    checked = validation.validate(
        result.frame if result.frame is not None else result.batches,
        schema=schema,
        year=None,
        header_issues=result.header_issues,
        unchecked=result.unchecked,
        time_zone=zone,
    )
    return result, checked


def _same(whole: validation.Validated, batched: validation.Validated) -> None:
    assert batched.counts == whole.counts
    assert batched.years == whole.years
    assert batched.mappings == whole.mappings
    key = lambda issue: (issue.row_number or 0, issue.column, issue.code, issue.message)  # noqa: E731
    assert sorted(map(key, batched.errors)) == sorted(map(key, whole.errors))
    if whole.frame is None:
        assert batched.frame is None
    else:
        assert batched.frame.equals(whole.frame)


@pytest.fixture
def small_batches(monkeypatch, settings):
    settings.SUBMISSION_MAX_STORED_ISSUES = 100_000
    monkeypatch.setattr(reading, "BATCH_BYTES", 4096)


@pytest.mark.parametrize("bad", [False, True])
def test_a_file_read_in_batches_checks_as_the_whole_file(small_batches, bad):
    data = ("\n".join([TAT_HEADER, *_exam_lines(3000, seed=bad, bad=bad)]) + "\n").encode()
    batched_read, batched = _read_and_validate(data, "exam_turnaround", batched=True)
    whole_read, whole = _read_and_validate(data, "exam_turnaround", batched=False)
    assert batched_read.frame is None and batched_read.lines == 3000
    assert whole_read.frame is not None
    _same(whole, batched)
    assert bool(whole.counts) == bad
    if bad:
        for code in ("duplicate_key", "not_in_vocabulary", "impossible_datetime"):
            assert whole.counts[code] > 0
        assert {"nonexistent_time", "bad_datetime", "required", "wrong_year"} <= set(whole.counts)
    else:
        assert set(whole.mappings) == {"exam_id", "modality", "patient_class", "priority"}


def test_batches_keep_row_numbers_and_need_no_final_line_end(small_batches):
    lines = _exam_lines(1500, seed=4, bad=False)
    lines[1234] = lines[1234].replace("CT,", "PETCT,", 1).replace("MR,", "PETCT,", 1)
    data = "\n".join([TAT_HEADER, *lines]).encode()  # no line end after the last row
    _, batched = _read_and_validate(data, "exam_turnaround", batched=True)
    _, whole = _read_and_validate(data, "exam_turnaround", batched=False)
    _same(whole, batched)
    assert [(i.row_number, i.column) for i in batched.errors] == [(1236, "modality")]


def test_other_kinds_check_alike_in_batches(small_batches):
    rows = provider_year_rows(400, year=2024)
    rows[17][0] = rows[3][0]  # a repeated provider
    rows[200][2] = "Neuro "  # normalized
    text = ",".join(PROVIDER_YEAR_HEADER) + "\n"
    text += "".join(",".join(str(v) for v in row) + "\n" for row in rows)
    batched_read, batched = _read_and_validate(text.encode(), "provider_year", batched=True)
    _, whole = _read_and_validate(text.encode(), "provider_year", batched=False)
    assert batched_read.frame is None
    _same(whole, batched)
    assert whole.counts["duplicate_key"] == 1


def _with_field(line: str, position: int, value: str) -> str:
    fields = line.split(",")
    fields[position] = value
    return ",".join(fields)


@pytest.mark.parametrize(
    ("change", "in_batches"),
    [
        (lambda lines: lines.__setitem__(700, lines[700] + ",extra"), False),  # a ragged row
        (lambda lines: lines.__setitem__(10, _with_field(lines[10], 1, '"CT"')), False),
        (lambda lines: lines.insert(900, ""), False),  # a blank line
        (lambda lines: lines.__setitem__(60, _with_field(lines[60], 2, "E\rD")), False),
        (lambda lines: lines.__setitem__(50, lines[50] + "\r"), True),  # a CRLF line end
        (lambda lines: lines.__setitem__(70, _with_field(lines[70], 2, "\u00c9D")), True),
    ],
)
def test_files_that_are_not_plain_are_read_whole(small_batches, change, in_batches):
    lines = _exam_lines(1200, seed=5, bad=False)
    change(lines)
    data = ("\n".join([TAT_HEADER, *lines]) + "\n").encode()
    try:
        batched_read, batched = _read_and_validate(data, "exam_turnaround", batched=True)
    except reading.I.FileRejected as rejected:
        assert not in_batches
        with pytest.raises(reading.I.FileRejected) as whole_rejected:
            _read_and_validate(data, "exam_turnaround", batched=False)
        assert [(i.row_number, i.code) for i in rejected.issues] == [
            (i.row_number, i.code) for i in whole_rejected.value.issues
        ]
        return
    _, whole = _read_and_validate(data, "exam_turnaround", batched=False)
    _same(whole, batched)
    assert (batched_read.frame is None) == in_batches


def test_a_windows_1252_file_is_read_whole_as_before(small_batches):
    lines = _exam_lines(800, seed=6, bad=False)
    lines[5] = _with_field(lines[5], 2, "\u00c9D")
    data = ("\n".join([TAT_HEADER, *lines]) + "\n").encode("cp1252")
    batched_read, batched = _read_and_validate(data, "exam_turnaround", batched=True)
    _, whole = _read_and_validate(data, "exam_turnaround", batched=False)
    assert batched_read.frame is not None and "Windows-1252" in batched_read.detail
    _same(whole, batched)
    assert [(i.row_number, i.column) for i in whole.errors] == [(7, "patient_class")]


def test_a_small_file_is_read_whole(settings):
    data = ("\n".join([TAT_HEADER, *_exam_lines(50, seed=7, bad=False)]) + "\n").encode()
    result, _ = _read_and_validate(data, "exam_turnaround", batched=True)
    assert result.frame is not None and result.batches is None
    assert pl.Series(result.frame[reading.ROW]).to_list() == list(range(2, 52))
