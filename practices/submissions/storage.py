"""Storing a validated file: pseudonymize the providers, then COPY the rows into the kind's
record table inside the caller's transaction (so a failure stores nothing).

Each kind names its store function in STORES. Row tables (provider_year, practice_financials)
get one database row per file row. rvu_detail rows are grouped per provider and month into
RvuDetailMonth arrays (see that model for why).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from django.db import connection
from psycopg import sql

from practices.submissions.models import (
    PracticeFinancialsRecord,
    Provider,
    ProviderYearRecord,
    RvuDetailMonth,
    Submission,
)
from practices.submissions.schemas import KindSchema

COPY_CHUNK_BYTES = 1 << 20
PSEUDONYM = "provider_pseudonym"


@dataclass
class Stored:
    rows: int
    frame: pl.DataFrame  # the stored rows, providers pseudonymized (for the warnings)
    providers: int = 0
    new_providers: int = 0


def pseudonymize(frame: pl.DataFrame, *, submission: Submission) -> tuple[pl.DataFrame, int, int]:
    """Replace provider_id by its pseudonym; record new providers (with their encrypted local
    id, readable by the practice alone). Returns (frame, providers, new providers)."""
    practice = submission.practice
    local_ids = frame["provider_id"].unique().to_list()
    pseudonyms = {local_id: practice.pseudonymize(local_id) for local_id in local_ids}
    known = set(
        Provider.objects.for_practice(practice)
        .filter(pseudonym__in=list(pseudonyms.values()))
        .values_list("pseudonym", flat=True)
    )
    new = [
        Provider(
            practice=practice,
            pseudonym=pseudonym,
            local_id_encrypted=practice.encrypt_local_id(local_id),
        )
        for local_id, pseudonym in pseudonyms.items()
        if pseudonym not in known
    ]
    Provider.objects.bulk_create(new, ignore_conflicts=True)
    frame = frame.with_columns(
        pl.col("provider_id").replace_strict(pseudonyms, return_dtype=pl.String).alias(PSEUDONYM)
    ).drop("provider_id")
    return frame, len(pseudonyms), len(new)


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


def _with_owner(frame: pl.DataFrame, submission: Submission) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(submission.practice_id, dtype=pl.Int64).alias("practice_id"),
        pl.lit(submission.pk, dtype=pl.Int64).alias("submission_id"),
    )


def store_provider_year(frame: pl.DataFrame, *, submission: Submission) -> Stored:
    frame, providers, new = pseudonymize(frame, submission=submission)
    frame = _with_owner(frame, submission).with_columns(pl.col("partner_status").fill_null(""))
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
    copy_rows(ProviderYearRecord._meta.db_table, columns, frame)
    return Stored(rows=frame.height, frame=frame, providers=providers, new_providers=new)


def store_practice_financials(frame: pl.DataFrame, *, submission: Submission) -> Stored:
    frame = _with_owner(frame, submission)
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
    copy_rows(PracticeFinancialsRecord._meta.db_table, columns, frame)
    return Stored(rows=frame.height, frame=frame)


def _array(column: str) -> pl.Expr:
    # PostgreSQL array literal; codes, vocabulary words and plain numbers need no quoting.
    return ("{" + pl.col(column).str.join(",") + "}").alias(column)


def store_rvu_detail(frame: pl.DataFrame, *, submission: Submission) -> Stored:
    rows = frame.height
    frame, providers, new = pseudonymize(frame, submission=submission)
    months = (
        frame.lazy()
        .group_by(PSEUDONYM, "service_month", maintain_order=True)
        .agg(
            pl.len().alias("row_count"),
            _array("cpt_code").alias("cpt_codes"),
            _array("modality").alias("modalities"),
            _array("units"),
            _array("work_rvus"),
            pl.col("work_rvus").cast(pl.Decimal(38, 4)).sum().alias("work_rvus_total"),
        )
        .collect()
    )
    months = _with_owner(months, submission)
    columns = [
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
    copy_rows(RvuDetailMonth._meta.db_table, columns, months)
    return Stored(rows=rows, frame=frame, providers=providers, new_providers=new)


STORES: dict[str, Callable[..., Stored]] = {
    "provider_year": store_provider_year,
    "rvu_detail": store_rvu_detail,
    "practice_financials": store_practice_financials,
}


def store(frame: pl.DataFrame, *, schema: KindSchema, submission: Submission) -> Stored:
    return STORES[schema.kind](frame, submission=submission)
