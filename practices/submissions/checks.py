# ruff: noqa: S608 - SQL is assembled from the metric registry's fixed fragments; values are parameters.
"""Warnings (SPEC section 3): shown for review, never blocking.

- outliers against the coalition: a per-observation metric outside the coalition's p1-p99
  range, or more than 3.5 modified z-scores (Iglewicz-Hoaglin) from the coalition median. The
  coalition is the current data of the other practices for the year (all years when the year
  has too few), and only when enough practices contribute; the coalition's own figures are
  never quoted in a message;
- a provider whose rvu_detail total differs from its provider_year work RVUs by more than 5%;
- a year-over-year change above 50% against the practice's current data of the year before.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from django.conf import settings
from django.db import connection
from django.db.models import Sum

from practices.submissions import issues as I
from practices.submissions import selectors
from practices.submissions.models import ProviderYearRecord, RvuDetailMonth, Submission
from practices.submissions.reading import ROW

MODIFIED_Z_LIMIT = 3.5
CROSS_CHECK_TOLERANCE = 0.05
YEAR_OVER_YEAR_LIMIT = 0.5

WarningCheck = Callable[..., list[I.Issue]]


def _fmt(value: float) -> str:
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


@dataclass(frozen=True)
class Reference:
    low: float  # 1st percentile
    high: float  # 99th percentile
    median: float
    mad: float  # median absolute deviation from the median


def _ratio_sql(metric) -> tuple[str, str]:
    """The metric's per-observation ratio and its eligibility, exactly as the benchmark engine
    declares them (benchmarks/metrics.py), over record rows `r`."""
    source = metric.source
    return (
        f"({metric.numerator_sql})::float8 / nullif(({metric.denominator_sql})::float8, 0)",
        f"({source.eligibility_sql}) AND ({metric.condition_sql})",
    )


def _coalition_reference(metric, *, submission: Submission, min_clinical_fte) -> Reference | None:
    """The metric's distribution over the other practices' current data: the year's, or every
    year's when the year alone is too thin; None when too few practices contribute to say
    anything. Computed by the database (percentile_cont): no rows travel. This reads across
    practices on purpose (only the four summary figures come back, never quoted to members)."""
    ratio, eligible = _ratio_sql(metric)
    for same_year in (True, False):
        sql = f"""
            WITH v AS (
                SELECT r.practice_id, {ratio} AS x
                FROM {metric.source.table} r
                JOIN submissions_submission s ON s.id = r.submission_id
                JOIN submissions_reportingperiod p ON p.id = s.period_id
                WHERE s.kind = %(kind)s AND s.is_current AND s.practice_id <> %(practice)s
                  AND (%(year)s::int IS NULL OR p.year = %(year)s::int) AND {eligible}
            ), cuts AS (
                SELECT count(x) AS n, count(DISTINCT practice_id) AS practices,
                       percentile_cont(ARRAY[0.01, 0.5, 0.99]) WITHIN GROUP (ORDER BY x) AS c
                FROM v WHERE x IS NOT NULL AND x = x
            )
            SELECT n, practices, c,
                   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(v.x - cuts.c[2]))
                    FROM v WHERE v.x IS NOT NULL) AS mad
            FROM cuts
        """
        params = {
            "kind": submission.kind,
            "practice": submission.practice_id,
            "year": submission.period.year if same_year else None,
            "min_clinical_fte": min_clinical_fte,
        }
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            n, practices, cuts, mad = cursor.fetchone()
        if (
            practices >= settings.SUBMISSION_OUTLIER_MIN_PRACTICES
            and n >= settings.SUBMISSION_OUTLIER_MIN_OBSERVATIONS
        ):
            low, median, high = cuts
            return Reference(low=low, high=high, median=median, mad=mad or 0.0)
    return None


def _own_values(metric, *, submission: Submission, min_clinical_fte) -> list[tuple[str, float]]:
    """(observation key, ratio) of the submission's stored rows (inside the import's
    transaction), for the eligible observations with a finite ratio."""
    ratio, eligible = _ratio_sql(metric)
    sql = (
        f"SELECT ({metric.source.key_sql})::text, {ratio} FROM {metric.source.table} r "
        f"WHERE r.submission_id = %(submission)s AND r.practice_id = %(practice)s AND {eligible}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "submission": submission.pk,
                "practice": submission.practice_id,
                "min_clinical_fte": min_clinical_fte,
            },
        )
        return [
            (key, value)
            for key, value in cursor.fetchall()
            if value is not None and math.isfinite(value)
        ]


def _metrics_of(kind: str) -> list:
    """The benchmark metrics fed by a kind that name the upload column a warning points at."""
    from benchmarks.metrics import METRICS

    return [m for m in METRICS.values() if m.source.submission_kind == kind and m.input_column]


def _row_of_key(frame: pl.DataFrame, key_column: str | None) -> dict[str, int]:
    """{observation key: its row in the file}; a practice-year's key is ''."""
    if not key_column:
        return {"": frame[ROW].min()}
    return dict(frame.group_by(key_column).agg(pl.col(ROW).min()).iter_rows())


def outlier_warnings(frame: pl.DataFrame, *, submission: Submission) -> list[I.Issue]:
    """Outliers of every benchmark metric the kind feeds, computed with the metric's own
    declaration and the benchmark rule settings (the minimum clinical FTE)."""
    from benchmarks.selectors import rule_settings_current

    metrics = _metrics_of(submission.kind)
    if not metrics:
        return []
    min_clinical_fte = rule_settings_current().min_clinical_fte
    found: list[I.Issue] = []
    rows = _row_of_key(frame, metrics[0].source.key_column)
    for metric in metrics:
        reference = _coalition_reference(
            metric, submission=submission, min_clinical_fte=min_clinical_fte
        )
        if reference is None:
            continue
        low, high = reference.low, reference.high
        median, mad = reference.median, reference.mad
        values = _own_values(metric, submission=submission, min_clinical_fte=min_clinical_fte)
        for key, value in values:
            reasons = []
            if value < low:
                reasons.append("below the coalition's 1st percentile")
            elif value > high:
                reasons.append("above the coalition's 99th percentile")
            if mad > 0:
                z = 0.6745 * (value - median) / mad
                if abs(z) > MODIFIED_Z_LIMIT:
                    side = "above" if z > 0 else "below"
                    reasons.append(f"{abs(z):.1f} modified z-scores {side} the coalition median")
            if reasons:
                found.append(
                    I.warning(
                        "outlier",
                        f"{metric.label} of {_fmt(value)} is {' and '.join(reasons)}.",
                        row=rows.get(key),
                        column=metric.input_column,
                    )
                )
    return found


# --- rvu_detail against provider_year ------------------------------------------------------------
def _provider_year_work_rvus(submission: Submission | None) -> dict[str, float]:
    if submission is None:
        return {}
    return {
        pseudonym: float(value)
        for pseudonym, value in ProviderYearRecord.objects.for_practice(submission.practice)
        .filter(submission=submission)
        .values_list("provider_pseudonym", "work_rvus")
    }


def _rvu_detail_totals(submission: Submission | None) -> dict[str, float]:
    if submission is None:
        return {}
    return {
        pseudonym: float(total)
        for pseudonym, total in RvuDetailMonth.objects.for_practice(submission.practice)
        .filter(submission=submission)
        .values("provider_pseudonym")
        .annotate(total=Sum("work_rvus_total"))
        .values_list("provider_pseudonym", "total")
    }


def _differs(a: float, b: float, tolerance: float) -> float | None:
    """The relative difference of a from b when above the tolerance, else None."""
    if b == 0:
        return None if a == 0 else float("inf")
    change = (a - b) / b
    return change if abs(change) > tolerance else None


def _first_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.group_by("provider_pseudonym").agg(pl.col(ROW).min())


def rvu_detail_cross_check(frame: pl.DataFrame, *, submission: Submission) -> list[I.Issue]:
    """Each provider's rvu_detail total against its provider_year work RVUs of the year."""
    year = submission.period.year
    other = selectors.reference_submission(
        practice=submission.practice, kind="provider_year", year=year
    )
    expected = _provider_year_work_rvus(other)
    found: list[I.Issue] = []
    if not expected:
        return found
    totals = (
        frame.group_by("provider_pseudonym")
        .agg(pl.col(ROW).min(), pl.col("work_rvus").cast(pl.Float64).sum().alias("total"))
        .sort(ROW)
    )
    for pseudonym, row, total in totals.select("provider_pseudonym", ROW, "total").iter_rows():
        if pseudonym not in expected:
            continue
        change = _differs(total, expected[pseudonym], CROSS_CHECK_TOLERANCE)
        if change is not None:
            found.append(
                I.warning(
                    "rvu_total_mismatch",
                    f"This provider's work RVUs in the file total {_fmt(total)}, "
                    f"{_percent(change)} from the {_fmt(expected[pseudonym])} of the "
                    f"{year} provider_year data (more than 5%).",
                    row=row,
                    column="provider_id",
                )
            )
    return found


def provider_year_cross_check(frame: pl.DataFrame, *, submission: Submission) -> list[I.Issue]:
    """Each provider's work RVUs against its rvu_detail total of the year."""
    year = submission.period.year
    other = selectors.reference_submission(
        practice=submission.practice, kind="rvu_detail", year=year
    )
    totals = _rvu_detail_totals(other)
    found: list[I.Issue] = []
    if not totals:
        return found
    for pseudonym, row, value in frame.select(
        "provider_pseudonym", ROW, pl.col("work_rvus").cast(pl.Float64)
    ).iter_rows():
        if pseudonym not in totals:
            continue
        change = _differs(totals[pseudonym], value, CROSS_CHECK_TOLERANCE)
        if change is not None:
            found.append(
                I.warning(
                    "rvu_total_mismatch",
                    f"work_rvus of {_fmt(value)} differs by more than 5% from the "
                    f"{_fmt(totals[pseudonym])} of this provider's {year} rvu_detail data.",
                    row=row,
                    column="work_rvus",
                )
            )
    return found


def _percent(change: float) -> str:
    if change == float("inf"):
        return "all of it away"
    return f"{abs(change) * 100:.0f}% {'above' if change > 0 else 'below'}"


# --- year over year ------------------------------------------------------------------------------
def rvu_detail_year_over_year(frame: pl.DataFrame, *, submission: Submission) -> list[I.Issue]:
    """Each provider's total work RVUs against its total of the year before."""
    year = submission.period.year
    previous = selectors.current_submission(
        practice=submission.practice, kind=submission.kind, year=year - 1
    )
    if previous is None:
        return []
    found: list[I.Issue] = []
    before = _rvu_detail_totals(previous)
    totals = (
        frame.group_by("provider_pseudonym")
        .agg(pl.col(ROW).min(), pl.col("work_rvus").cast(pl.Float64).sum().alias("total"))
        .sort(ROW)
    )
    for pseudonym, row, total in totals.select("provider_pseudonym", ROW, "total").iter_rows():
        if pseudonym in before:
            change = _differs(total, before[pseudonym], YEAR_OVER_YEAR_LIMIT)
            if change is not None:
                found.append(_yoy_warning("total work RVUs", change, year, row, "provider_id"))
    return found


def year_over_year(*, fields: tuple[str, ...], key: str | None) -> WarningCheck:
    """A warning check comparing the given fields of each row with the same row (matched on
    `key`, or the file's single row when None) of the practice's current data of the year
    before, read from the kind's record model."""

    def check(frame: pl.DataFrame, *, submission: Submission) -> list[I.Issue]:
        from practices.submissions import kinds

        year = submission.period.year
        practice = submission.practice
        previous = selectors.current_submission(
            practice=practice, kind=submission.kind, year=year - 1
        )
        if previous is None:
            return []
        model = kinds.get(submission.kind).model()
        earlier = model.objects.for_practice(practice).filter(submission=previous)
        if key:
            before_rows = {row[key]: row for row in earlier.values(key, *fields)}
        else:
            record = earlier.values(*fields).first()
            before_rows = {None: record} if record else {}
        found: list[I.Issue] = []
        columns = [ROW, *fields] + ([key] if key else [])
        for record in frame.select(columns).iter_rows(named=True):
            old = before_rows.get(record[key] if key else None)
            if old is None:
                continue
            for field in fields:
                if record[field] is None or old[field] is None:
                    continue
                change = _differs(float(record[field]), float(old[field]), YEAR_OVER_YEAR_LIMIT)
                if change is not None:
                    found.append(_yoy_warning(field, change, year, record[ROW], field))
        return found

    return check


provider_year_year_over_year = year_over_year(
    fields=("work_rvus", "total_compensation", "clinical_fte"), key="provider_pseudonym"
)
practice_financials_year_over_year = year_over_year(
    fields=("total_revenue", "provider_expense", "operating_expense", "radiologist_fte"),
    key=None,
)


def _yoy_warning(what: str, change: float, year: int, row: int, column: str) -> I.Issue:
    return I.warning(
        "year_over_year",
        f"{what} changed {_percent(change)} the {year - 1} figure (more than 50%).",
        row=row,
        column=column,
    )


def warnings_for(frame: pl.DataFrame, *, submission: Submission) -> list[I.Issue]:
    """Every warning of the submission's kind (kinds.py) for its stored, pseudonymized frame."""
    from practices.submissions import kinds

    return kinds.get(submission.kind).run_warnings(frame, submission=submission)
