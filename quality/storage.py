"""Storing validated quality files, inside the pipeline's transaction (COPY, like the other
kinds). Everything is computed over whole columns (polars, numpy); no loop runs per exam."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl
import psycopg
from django.db import connection
from psycopg import sql

from practices.submissions import datetimes
from practices.submissions import issues as I
from practices.submissions.models import Submission
from practices.submissions.reading import ROW
from practices.submissions.storage import PSEUDONYM, Stored, copy_rows, owned, pseudonyms_for
from practices.submissions.validation import Validated
from quality import exam_keys
from quality.models import (
    MAX_TARGET_MINUTES,
    MAX_TURNAROUND_SECONDS,
    ExamTags,
    PeerReviewRecord,
    PeerReviewYear,
    QualityMeasureRecord,
    TurnaroundClassYear,
    TurnaroundGroup,
)
from quality.schemas import MAJOR_DISCREPANCY_SCORES

GROUP_KEYS = ["month", "patient_class", "modality", "priority"]


# --- extra validation (UploadKind.validate) ----------------------------------------------------
def _row_errors(rows: pl.DataFrame, column: str, code: str, message: str) -> list[I.Issue]:
    return [I.error(code, message, row=row, column=column) for row in rows[ROW].to_list()]


def validate_exam_turnaround(validated: Validated, *, practice) -> list[I.Issue]:
    frame = validated.frame
    elapsed = pl.col("finalized_at") - pl.col("completed_at")
    # Only the row numbers are filtered (filtering the frame would copy its other columns).
    before = frame.select(pl.col(ROW).filter(elapsed < 0))
    too_long = frame.select(pl.col(ROW).filter(elapsed > MAX_TURNAROUND_SECONDS * 1_000_000))
    found = _row_errors(
        before, "finalized_at", "finalized_before_completed", "is before completed_at"
    )
    found += _row_errors(
        too_long,
        "finalized_at",
        "out_of_range",
        f"is more than {MAX_TURNAROUND_SECONDS // 86400} days after completed_at",
    )
    return sorted(found, key=lambda issue: issue.row_number or 0)


def validate_quality_measure(validated: Validated, *, practice) -> list[I.Issue]:
    frame = validated.frame.with_columns(
        pl.col("numerator").cast(pl.Int64, strict=False),
        pl.col("denominator").cast(pl.Int64, strict=False),
    )
    over = frame.filter(pl.col("numerator") > pl.col("denominator")).select(ROW)
    return _row_errors(
        over, "numerator", "numerator_over_denominator", "is greater than the denominator"
    )


# --- exam_turnaround ---------------------------------------------------------------------------
def _array_text(values: pl.Expr) -> pl.Expr:
    return pl.format("{{{}}}", values.cast(pl.List(pl.String)).list.join(","))


def _codes(validated: Validated, column: str) -> tuple[list[str], dict[str, int]]:
    """(the column's normalized values, sorted; {raw value: index of its normalized value})."""
    raw = validated.frame[column].unique().to_list()
    mapping = validated.mappings.get(column)
    normalized = {value: (mapping.get(value) if mapping is not None else value) for value in raw}
    values = sorted({value for value in normalized.values() if value is not None})
    index = {value: i for i, value in enumerate(values)}
    codes = {value: index[normal] for value, normal in normalized.items() if normal is not None}
    return values, codes


def _row_codes(rows: pl.DataFrame, column: str, codes: dict[str, int]) -> np.ndarray:
    """Each row's code, found by the hash of its text among the hashes of the few distinct
    values (a hash per cell is far cheaper than a lookup of the text); by the text itself in
    the unlikely case that two distinct values share a hash."""
    raw = list(codes)
    hashes = pl.Series(raw, dtype=pl.String).hash().to_numpy()
    order = np.argsort(hashes)
    known = hashes[order]
    cells = rows[column].hash().to_numpy()
    position = np.minimum(np.searchsorted(known, cells), known.size - 1)
    if np.unique(hashes).size != hashes.size or not (known[position] == cells).all():
        return rows[column].replace_strict(codes, return_dtype=pl.Int64).to_numpy()
    return np.array([codes[value] for value in raw], dtype=np.int64)[order][position]


def turnaround_frame(validated: Validated, *, time_zone: str) -> pl.DataFrame:
    """One row per exam: month (practice's zone), class, modality, priority, seconds."""
    frame = validated.frame
    _, month = datetimes.local_parts(pl.col("completed_at"), time_zone=time_zone)
    return frame.select(
        month.cast(pl.Int16).alias("month"),
        validated.expr("patient_class").alias("patient_class"),
        validated.expr("modality").alias("modality"),
        validated.expr("priority").alias("priority"),
        ((pl.col("finalized_at") - pl.col("completed_at")) // 1_000_000)
        .cast(pl.Int32)
        .alias("seconds"),
    )


SECONDS_BITS = 32  # MAX_TURNAROUND_SECONDS < 2**32
SLICE_ROWS = 1_000_000


def turnaround_histograms(validated: Validated, *, time_zone: str) -> pl.DataFrame:
    """histograms(turnaround_frame(...)), without a row of text per exam: each exam becomes one
    integer, its group's code (month, class, modality, priority, each numbered in the order of
    its values) above its seconds, computed SLICE_ROWS exams at a time; equal integers are
    counted (numpy sorts integers fast). The same table, groups and seconds in the same order."""
    codes = {column: _codes(validated, column) for column in GROUP_KEYS[1:]}
    _, month = datetimes.local_parts(pl.col("completed_at"), time_zone=time_zone)
    keys = []
    for start in range(0, validated.frame.height, SLICE_ROWS):
        rows = validated.frame.slice(start, SLICE_ROWS)
        numbers = rows.select(
            (month - 1).alias("month"),
            ((pl.col("finalized_at") - pl.col("completed_at")) // 1_000_000).alias("seconds"),
        )
        group = numbers["month"].to_numpy().astype(np.int64)
        for column in GROUP_KEYS[1:]:
            values, mapping = codes[column]
            group = group * len(values) + _row_codes(rows, column, mapping)
        keys.append((group << SECONDS_BITS) | numbers["seconds"].to_numpy())
        del rows, numbers, group
    distinct, counts = np.unique(np.concatenate(keys), return_counts=True)
    del keys
    decoded = pl.DataFrame(
        {
            "group": distinct >> SECONDS_BITS,
            "seconds": (distinct & ((1 << SECONDS_BITS) - 1)).astype(np.int32),
            "counts": counts.astype(np.int32),
        }
    )
    rest = pl.col("group")
    parts = {}
    for column in reversed(GROUP_KEYS[1:]):
        values, _ = codes[column]
        parts[column] = (rest % len(values)).replace_strict(
            dict(enumerate(values)), return_dtype=pl.String
        )
        rest = rest // len(values)
    parts["month"] = (rest + 1).cast(pl.Int16)
    return (
        decoded.group_by("group", maintain_order=True)
        .agg(
            pl.col("counts").sum().cast(pl.Int64).alias("exam_count"),
            pl.col("seconds"),
            pl.col("counts"),
        )
        .select(*[parts[column].alias(column) for column in GROUP_KEYS], pl.exclude("group"))
    )


def histograms(exams: pl.DataFrame) -> pl.DataFrame:
    """Per group: exam_count and the (seconds, counts) arrays, seconds ascending (from a frame
    of one row per exam; the store uses turnaround_histograms, which gives the same table)."""
    return (
        exams.group_by([*GROUP_KEYS, "seconds"])
        .len(name="n")
        .sort([*GROUP_KEYS, "seconds"])
        .group_by(GROUP_KEYS, maintain_order=True)
        .agg(
            pl.col("n").sum().cast(pl.Int64).alias("exam_count"),
            pl.col("seconds"),
            pl.col("n").cast(pl.Int32).alias("counts"),
        )
    )


def median_of_histogram(seconds: np.ndarray, counts: np.ndarray) -> Decimal:
    """The median (linear interpolation between closest ranks) of the exams a histogram holds."""
    cumulative = np.cumsum(counts, dtype=np.int64)
    total = int(cumulative[-1])
    low_rank, high_rank = (total - 1) // 2, total // 2  # 0-based ranks of the middle exam(s)
    low = int(seconds[np.searchsorted(cumulative, low_rank, side="right")])
    high = int(seconds[np.searchsorted(cumulative, high_rank, side="right")])
    return (Decimal(low) + Decimal(high)) / 2


def within_by_minute(seconds: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """[exams with turnaround <= k minutes for k = 0, 1, ...] up to the longest turnaround's
    minute or MAX_TARGET_MINUTES."""
    minutes = -((-seconds.astype(np.int64)) // 60)  # ceil: s <= 60k exactly when ceil(s/60) <= k
    last = int(min(minutes.max(), MAX_TARGET_MINUTES))
    per_minute = np.bincount(np.minimum(minutes, last + 1), weights=counts, minlength=last + 2)
    return np.cumsum(per_minute[: last + 1]).astype(np.int64)


def class_years(groups: pl.DataFrame) -> list[dict]:
    """Per patient class (in order): exam_count, median_seconds and within_by_minute, from the
    groups' histograms merged (the counts of equal seconds added, with numpy)."""
    rows = []
    for patient_class in sorted(groups["patient_class"].unique().to_list()):
        part = groups.filter(pl.col("patient_class") == patient_class)
        seconds, position = np.unique(part["seconds"].explode().to_numpy(), return_inverse=True)
        weights = part["counts"].explode().to_numpy().astype(np.int64)
        counts = np.bincount(position.ravel(), weights=weights).astype(np.int64)
        rows.append(
            {
                "patient_class": patient_class,
                "exam_count": int(counts.sum()),
                "median_seconds": median_of_histogram(seconds, counts),
                "within_by_minute": within_by_minute(seconds, counts),
            }
        )
    return rows


def _insert_exam_tags(*, practice_id: int, submission_id: int, tags: np.ndarray) -> None:
    """The ExamTags row, its tags (8 bytes per exam) sent as a binary parameter through the
    transaction's connection: Django binds parameters into the SQL text, where the bytes would
    travel as hex text twice their size for the server to parse."""
    connection.ensure_connection()
    statement = sql.SQL(
        "INSERT INTO {} (practice_id, submission_id, exam_count, tags) VALUES (%s, %s, %s, %b)"
    ).format(sql.Identifier(ExamTags._meta.db_table))
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(statement, [practice_id, submission_id, len(tags), exam_keys.pack(tags)])


def store_exam_turnaround(validated: Validated, *, submission: Submission) -> Stored:
    practice = submission.practice
    year = submission.period.year
    rows = validated.frame.height
    groups = turnaround_histograms(validated, time_zone=practice.time_zone)
    tags = exam_keys.tags(
        validated.frame["exam_id"],
        key=practice.exam_key(),
        normalized="exam_id" not in validated.mappings,
    )
    # This run owns the rows, and nothing reads them any more: they go before the rest.
    validated.frame = validated.frame.clear()
    table = owned(groups, submission).with_columns(
        pl.lit(year, dtype=pl.Int64).alias("year"),
        _array_text(pl.col("seconds")).alias("seconds"),
        _array_text(pl.col("counts")).alias("counts"),
    )
    copy_rows(
        TurnaroundGroup._meta.db_table,
        ["practice_id", "submission_id", "year", *GROUP_KEYS, "exam_count", "seconds", "counts"],
        table,
    )
    summaries = class_years(groups)
    TurnaroundClassYear.objects.bulk_create(
        TurnaroundClassYear(
            practice=practice,
            submission=submission,
            year=year,
            patient_class=row["patient_class"],
            exam_count=row["exam_count"],
            median_seconds=row["median_seconds"],
            within_by_minute=row["within_by_minute"].tolist(),
        )
        for row in summaries
    )
    _insert_exam_tags(practice_id=practice.pk, submission_id=submission.pk, tags=tags)
    # What the warnings read: the file's tags (no ids, no times).
    frame = pl.DataFrame({"tag": tags})
    return Stored(rows=rows, frame=frame)


def exams_in_other_years(frame: pl.DataFrame, *, submission: Submission) -> list[I.Issue]:
    """An exam belongs to one year (of its completion): a warning when exams of this file are
    also in the current file of the year before or after (the count only)."""
    from practices.submissions import selectors

    found = []
    mine = np.sort(frame["tag"].to_numpy())
    for year in (submission.period.year - 1, submission.period.year + 1):
        other = selectors.current_submission(
            practice=submission.practice, kind=submission.kind, year=year
        )
        if other is None:
            continue
        stored = ExamTags.objects.for_practice(submission.practice).filter(submission=other).first()
        if stored is None:
            continue
        both = np.intersect1d(mine, exam_keys.unpack(stored.tags), assume_unique=True).size
        if both:
            found.append(
                I.warning(
                    "exam_in_other_year",
                    f"{both:,} exam(s) of this file are also in the current {year} file; an "
                    "exam belongs to the year it was completed in.",
                    column="exam_id",
                )
            )
    return found


# --- peer_review -------------------------------------------------------------------------------
def store_peer_review(validated: Validated, *, submission: Submission) -> Stored:
    frame = validated.frame
    mapping, new = pseudonyms_for(
        frame["provider_id"].unique().to_list(),
        submission=submission,
        local=validated.mappings.get("provider_id"),
    )
    rows = validated.normalized().with_columns(
        frame["provider_id"].replace_strict(mapping, return_dtype=pl.String).alias(PSEUDONYM),
        pl.lit(submission.period.year, dtype=pl.Int64).alias("year"),
        pl.col("count").cast(pl.Int64),
    )
    copy_rows(
        PeerReviewRecord._meta.db_table,
        [
            "practice_id",
            "submission_id",
            "year",
            PSEUDONYM,
            "service_month",
            "modality",
            "score",
            "count",
        ],
        owned(rows, submission),
    )
    totals = rows.select(
        pl.col("count").sum().alias("total"),
        pl.col("count")
        .filter(pl.col("score").is_in(MAJOR_DISCREPANCY_SCORES))
        .sum()
        .alias("major"),
    ).row(0, named=True)
    PeerReviewYear.objects.create(
        practice=submission.practice,
        submission=submission,
        year=submission.period.year,
        total_scores=int(totals["total"] or 0),
        major_discrepancies=int(totals["major"] or 0),
    )
    return Stored(rows=rows.height, frame=rows, providers=len(mapping), new_providers=new)


# --- quality_measure ---------------------------------------------------------------------------
def store_quality_measure(validated: Validated, *, submission: Submission) -> Stored:
    rows = validated.normalized()
    copy_rows(
        QualityMeasureRecord._meta.db_table,
        ["practice_id", "submission_id", "year", "measure_code", "numerator", "denominator"],
        owned(rows, submission),
    )
    return Stored(rows=rows.height, frame=rows)
