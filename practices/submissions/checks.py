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

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db.models import Aggregate, Count, F, FloatField, Sum
from django.db.models.functions import Abs, Cast

from practices.submissions import issues as I
from practices.submissions import selectors
from practices.submissions.models import (
    PracticeFinancialsRecord,
    ProviderYearRecord,
    RvuDetailMonth,
    Submission,
)
from practices.submissions.reading import ROW

MODIFIED_Z_LIMIT = 3.5
CROSS_CHECK_TOLERANCE = 0.05
YEAR_OVER_YEAR_LIMIT = 0.5
MIN_FTE_FOR_PER_FTE = 0.5


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    column: str  # the column the warning points at
    expression: pl.Expr  # over the validated frame (numbers as text)
    reference: Callable  # (submissions) -> their records, annotated with the metric as "ratio"


def _num(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Float64)


def _provider_reference(numerator: str, denominator: str, *, per_fte: bool):
    def values(submissions):
        records = ProviderYearRecord.objects.across_practices().filter(submission__in=submissions)
        if per_fte:
            records = records.filter(clinical_fte__gte=MIN_FTE_FOR_PER_FTE)
        records = records.filter(**{f"{denominator}__gt": 0})
        return records.annotate(ratio=Cast(F(numerator), FloatField()) / F(denominator))

    return values


def _financial_reference(numerator_fields: tuple[str, ...]):
    def values(submissions):
        records = PracticeFinancialsRecord.objects.across_practices().filter(
            submission__in=submissions, radiologist_fte__gt=0
        )
        total = Cast(F(numerator_fields[0]), FloatField())
        for field in numerator_fields[1:]:
            total = total + F(field)
        return records.annotate(ratio=total / F("radiologist_fte"))

    return values


PER_FTE = pl.col("clinical_fte").cast(pl.Float64) >= MIN_FTE_FOR_PER_FTE

OUTLIER_METRICS: dict[str, list[tuple[Metric, pl.Expr]]] = {
    "provider_year": [
        (
            Metric(
                "wrvu_per_fte",
                "wRVU per clinical FTE",
                "work_rvus",
                _num("work_rvus") / _num("clinical_fte"),
                _provider_reference("work_rvus", "clinical_fte", per_fte=True),
            ),
            PER_FTE,
        ),
        (
            Metric(
                "comp_per_fte",
                "Compensation per clinical FTE",
                "total_compensation",
                _num("total_compensation") / _num("clinical_fte"),
                _provider_reference("total_compensation", "clinical_fte", per_fte=True),
            ),
            PER_FTE,
        ),
        (
            Metric(
                "comp_per_wrvu",
                "Compensation per wRVU",
                "total_compensation",
                _num("total_compensation") / _num("work_rvus"),
                _provider_reference("total_compensation", "work_rvus", per_fte=False),
            ),
            _num("work_rvus") > 0,
        ),
    ],
    "practice_financials": [
        (
            Metric(
                "revenue_per_fte",
                "Revenue per radiologist FTE",
                "total_revenue",
                _num("total_revenue") / _num("radiologist_fte"),
                _financial_reference(("total_revenue",)),
            ),
            pl.lit(True),
        ),
        (
            Metric(
                "expense_per_fte",
                "Expense per radiologist FTE",
                "operating_expense",
                (_num("provider_expense") + _num("operating_expense")) / _num("radiologist_fte"),
                _financial_reference(("provider_expense", "operating_expense")),
            ),
            pl.lit(True),
        ),
    ],
}


def _fmt(value: float) -> str:
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


class _Percentiles(Aggregate):
    """PostgreSQL's percentile_cont over an expression, for several fractions at once."""

    function = "percentile_cont"
    template = "%(function)s(%(fractions)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fractions: tuple[float, ...]):
        array = "ARRAY[" + ", ".join(f"{float(f)!r}::float8" for f in fractions) + "]"
        super().__init__(expression, fractions=array, output_field=ArrayField(FloatField()))


@dataclass(frozen=True)
class Reference:
    low: float  # 1st percentile
    high: float  # 99th percentile
    median: float
    mad: float  # median absolute deviation from the median


def _coalition_values(metric: Metric, *, submission: Submission) -> Reference | None:
    """The metric's distribution over the other practices' current data: the year's, or every
    year's when the year alone is too thin; None when too few practices contribute to say
    anything. Computed by the database (percentile_cont): no rows travel."""
    year = submission.period.year
    for same_year in (True, False):
        others = selectors.current_submissions_of_others(
            kind=submission.kind, practice=submission.practice, year=year if same_year else None
        )
        records = metric.reference(others)
        summary = records.aggregate(
            n=Count("pk"),
            practices=Count("practice_id", distinct=True),
            cuts=_Percentiles(F("ratio"), (0.01, 0.5, 0.99)),
        )
        if (
            summary["practices"] >= settings.SUBMISSION_OUTLIER_MIN_PRACTICES
            and summary["n"] >= settings.SUBMISSION_OUTLIER_MIN_OBSERVATIONS
        ):
            low, median, high = summary["cuts"]
            spread = records.annotate(deviation=Abs(F("ratio") - median)).aggregate(
                mad=_Percentiles(F("deviation"), (0.5,))
            )["mad"][0]
            return Reference(low=low, high=high, median=median, mad=spread)
    return None


def outlier_warnings(frame: pl.DataFrame, *, submission: Submission) -> list[I.Issue]:
    found: list[I.Issue] = []
    for metric, applies in OUTLIER_METRICS.get(submission.kind, []):
        reference = _coalition_values(metric, submission=submission)
        if reference is None:
            continue
        low, high = reference.low, reference.high
        median, mad = reference.median, reference.mad
        values = frame.select(ROW, metric.expression.alias("x"), applies.alias("applies")).filter(
            pl.col("applies") & pl.col("x").is_finite()
        )
        for row, value in values.select(ROW, "x").iter_rows():
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
                        row=row,
                        column=metric.column,
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


def cross_check_warnings(frame: pl.DataFrame, *, submission: Submission) -> list[I.Issue]:
    year = submission.period.year
    practice = submission.practice
    found: list[I.Issue] = []
    if submission.kind == "rvu_detail":
        other = selectors.reference_submission(practice=practice, kind="provider_year", year=year)
        expected = _provider_year_work_rvus(other)
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
    elif submission.kind == "provider_year":
        other = selectors.reference_submission(practice=practice, kind="rvu_detail", year=year)
        totals = _rvu_detail_totals(other)
        if not totals:
            return found
        for pseudonym, row, value in frame.select(
            "provider_pseudonym", ROW, _num("work_rvus")
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
YEAR_OVER_YEAR_FIELDS = {
    "provider_year": ("work_rvus", "total_compensation", "clinical_fte"),
    "practice_financials": (
        "total_revenue",
        "provider_expense",
        "operating_expense",
        "radiologist_fte",
    ),
}


def year_over_year_warnings(frame: pl.DataFrame, *, submission: Submission) -> list[I.Issue]:
    year = submission.period.year
    practice = submission.practice
    previous = selectors.current_submission(practice=practice, kind=submission.kind, year=year - 1)
    if previous is None:
        return []
    found: list[I.Issue] = []
    if submission.kind == "rvu_detail":
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
    fields = YEAR_OVER_YEAR_FIELDS[submission.kind]
    if submission.kind == "provider_year":
        before_rows = {
            row["provider_pseudonym"]: row
            for row in ProviderYearRecord.objects.for_practice(practice)
            .filter(submission=previous)
            .values("provider_pseudonym", *fields)
        }
        key = "provider_pseudonym"
    else:
        record = (
            PracticeFinancialsRecord.objects.for_practice(practice)
            .filter(submission=previous)
            .values(*fields)
            .first()
        )
        before_rows = {None: record} if record else {}
        key = None
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


def _yoy_warning(what: str, change: float, year: int, row: int, column: str) -> I.Issue:
    return I.warning(
        "year_over_year",
        f"{what} changed {_percent(change)} the {year - 1} figure (more than 50%).",
        row=row,
        column=column,
    )


def warnings_for(frame: pl.DataFrame, *, submission: Submission) -> list[I.Issue]:
    """Every warning for a validated, pseudonymized frame."""
    found = (
        outlier_warnings(frame, submission=submission)
        + cross_check_warnings(frame, submission=submission)
        + year_over_year_warnings(frame, submission=submission)
    )
    found.sort(key=lambda issue: (issue.row_number or 0, issue.column))
    return found
