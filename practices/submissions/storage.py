"""Storing a validated file: pseudonymize the providers, then COPY the rows into the kind's
record table inside the caller's transaction (so a failure stores nothing).

Each kind names its store function in its declaration (kinds.py). Row tables (provider_year, practice_financials)
get one database row per file row. rvu_detail rows are grouped per provider and month into
RvuDetailMonth arrays (see that model for why); the grouping is done on the raw ids and months
and the few thousand groups are pseudonymized and normalized afterwards.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl
from django.db import connection
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from practices.submissions.models import (
    PracticeFinancialsRecord,
    Provider,
    ProviderYearRecord,
    RvuDetailMonth,
    Submission,
)
from practices.submissions.reading import ROW
from practices.submissions.validation import Validated

COPY_CHUNK_BYTES = 1 << 20
PSEUDONYM = "provider_pseudonym"


@dataclass
class Stored:
    rows: int
    # What the warnings read: the stored rows (or, for rvu_detail, one row per provider with
    # its first row number and total work RVUs), providers pseudonymized.
    frame: pl.DataFrame
    providers: int = 0
    new_providers: int = 0


def pseudonyms_for(
    raw_ids: list[str], *, submission: Submission, local: dict[str, str | None] | None = None
) -> tuple[dict[str, str], int]:
    """{raw provider id: pseudonym} for the distinct ids of a file (`local` maps a raw id to
    the practice's id as validated, e.g. without surrounding spaces). Providers new to the
    practice are recorded with their encrypted local id, readable by the practice alone.
    Returns the mapping and the number of new providers."""
    practice = submission.practice
    local = local or {}
    by_raw = {raw: local.get(raw) or raw for raw in raw_ids}
    pseudonym_of = {value: practice.pseudonymize(value) for value in set(by_raw.values())}
    known = set(
        Provider.objects.for_practice(practice)
        .filter(pseudonym__in=list(pseudonym_of.values()))
        .values_list("pseudonym", flat=True)
    )
    new = [
        Provider(
            practice=practice,
            pseudonym=pseudonym,
            local_id_encrypted=practice.encrypt_local_id(value),
        )
        for value, pseudonym in pseudonym_of.items()
        if pseudonym not in known
    ]
    Provider.objects.bulk_create(new, ignore_conflicts=True)
    return {raw: pseudonym_of[value] for raw, value in by_raw.items()}, len(new)


def copy_rows(table: str, columns: list[str], frame: pl.DataFrame) -> None:
    """COPY the frame (columns in that order) into the table, through Django's connection so
    that it belongs to the surrounding transaction."""
    buffer = io.BytesIO()
    frame.select(columns).write_csv(buffer, include_header=False)
    payload = buffer.getbuffer()
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for start in range(0, len(payload), COPY_CHUNK_BYTES):
            copy.write(payload[start : start + COPY_CHUNK_BYTES])
    del payload
    buffer.close()


def copy_binary_rows(table: str, columns: dict[str, str], rows: Iterable[tuple]) -> None:
    """COPY rows (tuples in the order of `columns`, which maps each column to its PostgreSQL
    type) into the table in binary form, through Django's connection (inside the surrounding
    transaction). For few rows with long values: PostgreSQL then reads each value as it is."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary)").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        copy.set_types(list(columns.values()))
        for row in rows:
            copy.write_row(row)


def owned(frame: pl.DataFrame, submission: Submission) -> pl.DataFrame:
    """The frame with the practice_id and submission_id columns every record row carries."""
    return frame.with_columns(
        pl.lit(submission.practice_id, dtype=pl.Int64).alias("practice_id"),
        pl.lit(submission.pk, dtype=pl.Int64).alias("submission_id"),
    )


def store_provider_year(validated: Validated, *, submission: Submission) -> Stored:
    frame = validated.frame
    mapping, new = pseudonyms_for(
        frame["provider_id"].unique().to_list(),
        submission=submission,
        local=validated.mappings.get("provider_id"),
    )
    rows = validated.normalized().with_columns(
        frame["provider_id"].replace_strict(mapping, return_dtype=pl.String).alias(PSEUDONYM),
        pl.col("partner_status").fill_null(""),
    )
    columns = [
        "practice_id",
        "submission_id",
        "year",
        PSEUDONYM,
        "subspecialty",
        "clinical_fte",
        "work_rvus",
        "total_compensation",
        "total_fte",
        "base_compensation",
        "incentive_compensation",
        "benefits",
        "partner_status",
        "years_in_practice",
        "call_shifts",
    ]
    copy_rows(ProviderYearRecord._meta.db_table, columns, owned(rows, submission))
    return Stored(rows=rows.height, frame=rows, providers=len(mapping), new_providers=new)


def store_practice_financials(validated: Validated, *, submission: Submission) -> Stored:
    rows = validated.normalized()
    columns = [
        "practice_id",
        "submission_id",
        "year",
        "total_revenue",
        "provider_expense",
        "operating_expense",
        "radiologist_fte",
        "hospital_support_received",
    ]
    copy_rows(PracticeFinancialsRecord._meta.db_table, columns, owned(rows, submission))
    return Stored(rows=rows.height, frame=rows)


RVU_MONTH_COLUMNS = [
    "practice_id",
    "submission_id",
    PSEUDONYM,
    "service_month",
    "row_count",
    "cpt_codes",
    "modalities",
    "units",
    "work_rvus",
    "work_rvus_total",
]


def store_rvu_detail(validated: Validated, *, submission: Submission) -> Stored:
    frame = validated.frame
    # Values inside the arrays must be normalized before grouping (a no-op when the file
    # already spells codes and modalities canonically); the group keys are mapped after.
    inner = {c: validated.expr(c) for c in ("cpt_code", "modality") if c in validated.mappings}
    if inner:
        frame = frame.with_columns([expr.alias(c) for c, expr in inner.items()])
    for key in ("provider_id", "service_month"):
        # Two spellings of one provider or month (" RAD-1" and "RAD-1", "2025-03" and
        # "2025-03-01") must land in one month row: normalize the key first (rare).
        spelled = validated.mappings.get(key)
        if spelled and len(set(spelled.values())) < len(spelled):
            frame = frame.with_columns(validated.expr(key).alias(key))
    runs = _runs(frame)
    if runs["provider_id"].len() != runs.select("provider_id", "service_month").n_unique():
        # Some provider-month is split over several places in the file: bring its lines
        # together (stable, so each month keeps the file's order of lines).
        frame = frame.sort("provider_id", "service_month", maintain_order=True)
        runs = _runs(frame)
    mapping, new = pseudonyms_for(
        runs["provider_id"].unique().to_list(),
        submission=submission,
        local=validated.mappings.get("provider_id"),
    )
    month_of = validated.mappings.get("service_month") or {}
    starts = runs["start"].to_numpy()
    ends = np.append(starts[1:], frame.height)
    runs_list = runs.select("provider_id", "service_month").rows()
    owner = f"{submission.practice_id},{submission.pk}"
    totals = np.zeros(len(starts), dtype=np.int64)

    def parts():
        # A few providers' months at a time: while the server stores one part, the next is
        # being built here (the COPY writer sends from a thread of its own).
        for run_range in np.array_split(np.arange(len(starts)), RVU_COPY_PARTS):
            if len(run_range) == 0:
                continue
            first, last = int(run_range[0]), int(run_range[-1])
            offset = int(starts[first])
            piece = frame.slice(offset, int(ends[last]) - offset)
            yield _month_lines(
                piece,
                starts[first : last + 1] - offset,
                ends[first : last + 1] - offset,
                runs_list[first : last + 1],
                totals[first : last + 1],
                owner=owner,
                mapping=mapping,
                month_of=month_of,
            )

    copy_stream(RvuDetailMonth._meta.db_table, RVU_MONTH_COLUMNS, parts())
    scale = WORK_RVU_SCALE
    per_provider = (
        runs.with_columns(
            pl.col("provider_id").replace_strict(mapping, return_dtype=pl.String).alias(PSEUDONYM),
            pl.Series("work_rvus", totals / scale, dtype=pl.Float64),
        )
        .group_by(PSEUDONYM)
        .agg(pl.col(ROW).min(), pl.col("work_rvus").sum())
    )
    return Stored(rows=frame.height, frame=per_provider, providers=len(mapping), new_providers=new)


_ARRAY_COLUMNS = ("cpt_code", "modality", "units", "work_rvus")
RVU_COPY_PARTS = 8
# Stored as exact integers of these fractions (RvuDetailMonth): the schema allows at most two
# decimals of units and four of work RVUs.
UNITS_DIGITS = 2
WORK_RVU_DIGITS = 4
WORK_RVU_SCALE = 10**WORK_RVU_DIGITS


def _scaled(column: str, digits: int) -> pl.Expr:
    """The exact integer of 10**-digits of a validated decimal ("35.7" is 357000 for four
    digits; ".5", "5." and "-0" are forms validation lets through), through polars' decimal
    type, which holds the scaled integer itself."""
    return (pl.col(column).cast(pl.Decimal(20, digits)) * 10**digits).cast(pl.Int64)


def _month_lines(
    piece: pl.DataFrame,
    starts: np.ndarray,
    ends: np.ndarray,
    runs: list[tuple[str, str]],
    totals: np.ndarray,
    *,
    owner: str,
    mapping: dict[str, str],
    month_of: dict[str, str | None],
) -> bytes:
    """CSV lines of RvuDetailMonth rows for consecutive runs of a piece of the file; fills
    `totals` (a view into the caller's array) with each month's exact work RVUs."""
    scale = WORK_RVU_SCALE
    # The codes as they are, the numbers as exact integers (RvuDetailMonth); each column is
    # joined whole once, and a month's items are cut out of the join where they end.
    scaled_rvus = _scaled("work_rvus", WORK_RVU_DIGITS)
    texts = piece.select(
        "cpt_code",
        "modality",
        _scaled("units", UNITS_DIGITS).cast(pl.String).alias("units"),
        scaled_rvus.cast(pl.String).alias("work_rvus"),
        scaled_rvus.alias("scaled"),
    )
    joined = texts.select(pl.col(c).str.join(",") for c in _ARRAY_COLUMNS).row(0)
    scan = texts.select((pl.col(c).str.len_chars() + 1).cum_sum().alias(c) for c in _ARRAY_COLUMNS)
    codes, modalities, units, work_rvus = (
        _slices(joined[i], scan[c].to_numpy(), starts, ends) for i, c in enumerate(_ARRAY_COLUMNS)
    )
    totals[:] = np.add.reduceat(texts["scaled"].to_numpy(), starts)
    lines = []
    for index, (provider, month) in enumerate(runs):
        whole, fraction = divmod(int(totals[index]), scale)
        lines.append(
            f"{owner},{mapping[provider]},{month_of.get(month) or month},"
            f'{ends[index] - starts[index]},"{codes[index]}","{modalities[index]}",'
            f'"{{{units[index]}}}","{{{work_rvus[index]}}}",{whole}.{fraction:04d}\n'
        )
    return "".join(lines).encode()


def _runs(frame: pl.DataFrame) -> pl.DataFrame:
    """The first row of each run of lines with the same provider and month."""
    changes = (pl.col("provider_id") != pl.col("provider_id").shift()) | (
        pl.col("service_month") != pl.col("service_month").shift()
    )
    return (
        frame.select(pl.col("provider_id"), pl.col("service_month"), pl.col(ROW))
        .with_row_index("start")
        .filter(changes.fill_null(True))
    )


def _slices(joined: str, value_ends: np.ndarray, starts: np.ndarray, ends: np.ndarray):
    """For each run of rows [start, end), its values joined by commas, cut out of the whole
    column's join; value_ends[i] is where value i ends (plus its comma). Values here are ASCII
    codes and numbers, so characters and bytes agree."""
    positions = np.concatenate([[0], value_ends])
    begin, end = positions[starts], positions[ends] - 1
    return [joined[b:e] for b, e in zip(begin.tolist(), end.tolist(), strict=True)]


def copy_stream(table: str, columns: list[str], parts: Iterable[bytes]) -> None:
    """COPY parts of CSV text into the table, in the caller's transaction. A thread sends
    each part while the next one is made."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with connection.cursor() as cursor:
        writer = QueuedLibpqWriter(cursor.cursor)
        with cursor.cursor.copy(statement, writer=writer) as copy:
            for part in parts:
                copy.write(part)
