"""Validation of a file's rows against its kind's schema, one column at a time (vectorized).

Checks (SPEC section 3): required values, types, vocabularies, ranges, decimal places, the one
year of the file (it must be the reporting period's), duplicate keys, and identifier patterns
(PHI) in any cell. A typed cell that is valid (a number, a month, a vocabulary word, a code)
cannot hold an identifier, so the identifier patterns run over every text cell and every cell
that failed its type, which is every cell that could hold one.

The result is the normalized table ready to store (numbers without "$" and separators,
vocabulary words in their canonical spelling, months as the first day of the month, empty
optional cells as null) and the list of errors, each naming row, column and reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import polars as pl
from django.conf import settings

from practices.submissions import issues as I
from practices.submissions.phi import phi_kind_expression, phi_message
from practices.submissions.reading import ROW
from practices.submissions.schemas import MAX_YEAR, MIN_YEAR, Column, ColumnType, KindSchema

_NUMBER = r"^[+-]?(?:(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]*)?|\.[0-9]+)$"
_MONEY = r"^[+-]?\$?(?:(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]*)?|\.[0-9]+)$"
_INTEGER = r"^[+-]?[0-9]+$"
_MONTH = r"^([0-9]{4})-(0[1-9]|1[0-2])(?:-01)?$"
_YEAR = r"^[0-9]{4}$"


@dataclass
class Validated:
    frame: pl.DataFrame  # ROW plus normalized columns
    errors: list[I.Issue] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # exact counts per error code
    years: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.counts


@dataclass
class _Check:
    code: str
    column: str
    message: str
    mask: pl.Expr


def _type_valid(column: Column, c: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(is the non-empty cell valid, normalized value) for a column whose text is `c`."""
    if column.type == ColumnType.TEXT:
        valid = (c.str.len_chars() <= column.max_length) & ~c.str.contains(r"[\x00-\x1f\x7f]")
        return valid, c
    if column.type == ColumnType.CHOICE:
        canonical = {choice.lower(): choice for choice in column.choices}
        variants = {v: choice for choice in column.choices for v in (choice, choice.lower())}
        # Most files spell the vocabulary exactly: look the word up as is, lower-case it only
        # when that fails.
        exact = c.replace_strict(variants, default=None, return_dtype=pl.String)
        value = pl.coalesce(
            exact,
            c.str.to_lowercase().replace_strict(canonical, default=None, return_dtype=pl.String),
        )
        return value.is_not_null(), value
    if column.type == ColumnType.CODE:
        upper = c.str.to_uppercase()
        return upper.str.contains(column.pattern), upper
    if column.type == ColumnType.MONTH:
        return c.str.contains(_MONTH), c.str.slice(0, 7) + "-01"
    if column.type == ColumnType.YEAR:
        return c.str.contains(_YEAR), c
    if column.type == ColumnType.INTEGER:
        return c.str.contains(_INTEGER), c.str.strip_prefix("+")
    if column.type == ColumnType.MONEY:
        return c.str.contains(_MONEY), c.str.replace_all(r"[$,+]", "")
    return c.str.contains(_NUMBER), c.str.replace_all(r"[,+]", "")


def _type_message(column: Column) -> tuple[str, str]:
    if column.type == ColumnType.TEXT:
        return (
            "bad_text",
            f"is longer than {column.max_length} characters or has control characters",
        )
    if column.type == ColumnType.CHOICE:
        return "not_in_vocabulary", "is not one of " + ", ".join(column.choices)
    if column.type == ColumnType.CODE:
        return "bad_code", f"is not a valid code ({column.pattern_help})"
    if column.type == ColumnType.MONTH:
        return "bad_month", "is not a month in the form YYYY-MM"
    if column.type == ColumnType.YEAR:
        return "bad_year", "is not a four-digit year"
    if column.type == ColumnType.INTEGER:
        return "not_an_integer", "is not a whole number"
    return "not_a_number", "is not a number (use a point for decimals, e.g. 1234.5)"


def validate(frame: pl.DataFrame, *, schema: KindSchema, year: int | None) -> Validated:
    """Validate every row. `year` is the reporting period's year (None: take the file's)."""
    if frame.height == 0:
        return _file_error("header_only", "The file has column names but no rows of data.")
    if schema.max_rows is not None and frame.height > schema.max_rows:
        return _file_error(
            "too_many_rows",
            f"A {schema.kind} file has {schema.max_rows} row(s) of data; this one has "
            f"{frame.height:,}.",
        )
    # One lazy query: polars evaluates shared sub-expressions once and columns in parallel.
    stripped = frame.lazy().with_columns([pl.col(c.name).str.strip_chars() for c in schema.columns])
    staged_exprs: list[pl.Expr] = []
    for column in schema.columns:
        valid, value = _type_valid(column, pl.col(column.name))
        staged_exprs += [value.alias(f"v:{column.name}"), valid.alias(f"ok:{column.name}")]
        if column.is_numeric or column.type == ColumnType.YEAR:
            staged_exprs.append(value.cast(pl.Float64, strict=False).alias(f"n:{column.name}"))
    staged = stripped.with_columns(staged_exprs).collect()

    checks: list[_Check] = []
    phi_candidates: list[Column] = []
    for column in schema.columns:
        name = column.name
        empty = pl.col(name) == ""
        value, valid = pl.col(f"v:{name}"), pl.col(f"ok:{name}")
        if column.required:
            checks.append(_Check("required", name, "is required but empty", empty))
        code, message = _type_message(column)
        invalid = ~empty & ~valid
        phi_candidates.append(column)
        checks.append(_Check(code, name, message, invalid))
        good = ~empty & valid
        if column.type == ColumnType.YEAR:
            number = pl.col(f"n:{name}")
            checks.append(
                _Check(
                    "out_of_range",
                    name,
                    f"is not between {MIN_YEAR} and {MAX_YEAR}",
                    good & ((number < MIN_YEAR) | (number > MAX_YEAR)),
                )
            )
        if column.is_numeric:
            number = pl.col(f"n:{name}")
            if column.type != ColumnType.INTEGER:
                too_precise = value.str.contains(rf"\.[0-9]{{{column.decimal_places + 1},}}")
                checks.append(
                    _Check(
                        "too_many_decimals",
                        name,
                        f"has more than {column.decimal_places} decimal places",
                        good & too_precise,
                    )
                )
            bounds = []
            if column.minimum is not None:
                word = "greater than" if column.minimum_exclusive else "at least"
                bounds.append(f"{word} {column.minimum}")
            if column.maximum is not None:
                bounds.append(f"at most {column.maximum}")
            unit = f" ({column.unit})" if column.unit else ""
            out = pl.lit(False)
            if column.minimum is not None:
                low = float(column.minimum)
                out = out | (number <= low if column.minimum_exclusive else number < low)
            if column.maximum is not None:
                out = out | (number > float(column.maximum))
            if bounds:
                checks.append(
                    _Check(
                        "out_of_range", name, f"must be {' and '.join(bounds)}{unit}", good & out
                    )
                )
    masks = (
        staged.lazy()
        .select([check.mask.fill_null(True).alias(f"m{i}") for i, check in enumerate(checks)])
        .collect()
    )
    normalized = staged.select(
        pl.col(ROW),
        *[
            pl.when(pl.col(c.name) == "").then(None).otherwise(pl.col(f"v:{c.name}")).alias(c.name)
            for c in schema.columns
        ],
    )
    frame = staged.select(ROW, *schema.column_names)  # the stripped text, for identifier scans
    # Rows whose year (or month) and key cells are valid take part in the file-wide checks
    # even when other cells of theirs have errors, so that one report lists everything.
    year_ok = staged[f"ok:{schema.year_column}"] & (staged[schema.year_column] != "")
    key_ok = staged.select(
        pl.all_horizontal([pl.col(f"ok:{k}") & (pl.col(k) != "") for k in schema.key])
    ).to_series()
    del staged
    result = Validated(frame=normalized)
    rows = frame[ROW]
    cap = settings.SUBMISSION_MAX_STORED_ISSUES
    phi_rows = _phi_cells(frame, masks, checks, phi_candidates)
    phi_keys = {(row, column) for row, column, _ in phi_rows}
    for row, column, code in phi_rows:
        result.counts[code] += 1
        if len(result.errors) < cap:
            result.errors.append(I.error(code, phi_message(code), row=row, column=column))
    for i, check in enumerate(checks):
        mask = masks[f"m{i}"]
        if not mask.any():
            continue
        flagged = rows.filter(mask).to_list()
        if phi_keys:  # an identifier is reported as such, not also as a bad value
            flagged = [r for r in flagged if (r, check.column) not in phi_keys]
        if not flagged:
            continue
        result.counts[check.code] += len(flagged)
        for row in flagged[: max(cap - len(result.errors), 0)]:
            result.errors.append(I.error(check.code, check.message, row=row, column=check.column))
    _check_year(result, schema=schema, year=year, rows=year_ok)
    _check_duplicates(result, schema=schema, rows=key_ok)
    result.errors.sort(
        key=lambda issue: (issue.row_number or 0, _column_order(schema, issue.column))
    )
    return result


def _column_order(schema: KindSchema, column: str) -> int:
    try:
        return schema.column_names.index(column)
    except ValueError:
        return -1


def _file_error(code: str, message: str) -> Validated:
    result = Validated(frame=pl.DataFrame())
    result.errors.append(I.error(code, message))
    result.counts[code] += 1
    return result


def _phi_cells(
    frame: pl.DataFrame,
    masks: pl.DataFrame,
    checks: list[_Check],
    candidates: list[Column],
) -> list[tuple[int, str, str]]:
    """(row, column, code) of every candidate cell that matches an identifier pattern."""
    found: list[tuple[int, str, str]] = []
    for column in candidates:
        if column.type == ColumnType.TEXT:
            # Few distinct values (providers) among many rows: scan each distinct value once.
            distinct = frame.select(pl.col(column.name).unique()).filter(pl.col(column.name) != "")
            flagged = distinct.with_columns(phi_kind_expression(column.name).alias("code")).filter(
                pl.col("code").is_not_null()
            )
            if flagged.height == 0:
                continue
            hits = frame.select(ROW, column.name).join(flagged, on=column.name).sort(ROW)
        else:
            # The cells that failed their type: the mask of that column's type check.
            index = next(
                i
                for i, check in enumerate(checks)
                if check.column == column.name and check.code not in ("required",)
            )
            cells = frame.filter(masks[f"m{index}"]).select(ROW, column.name)
            if cells.height == 0:
                continue
            hits = cells.with_columns(phi_kind_expression(column.name).alias("code")).filter(
                pl.col("code").is_not_null()
            )
        found.extend((row, column.name, code) for row, code in hits.select(ROW, "code").iter_rows())
    return found


def _check_year(
    result: Validated, *, schema: KindSchema, year: int | None, rows: pl.Series
) -> None:
    frame = result.frame if rows.all() else result.frame.filter(rows)
    if frame.height == 0:
        return
    column = schema.column_map[schema.year_column]
    # A file has few distinct years or months: look at those, not at every row.
    distinct_values = frame[column.name].unique()
    distinct = sorted({int(value[:4]) for value in distinct_values.to_list()})
    result.years = distinct
    if year is None:
        if len(distinct) == 1:
            return
        year = int(
            frame.select(pl.col(column.name).str.slice(0, 4).cast(pl.Int64).mode().min()).item()
        )
    if distinct == [year]:
        return
    if len(distinct) > 1:
        listed = ", ".join(str(y) for y in distinct[:10])
        result.errors.append(
            I.error(
                "mixed_years",
                f"The file holds more than one year ({listed}); one year per file.",
                column=column.name,
            )
        )
        result.counts["mixed_years"] += 1
    wrong = frame.filter(pl.col(column.name).str.slice(0, 4).cast(pl.Int64) != year)[ROW]
    if wrong.len():
        what = "month is" if column.type == ColumnType.MONTH else "year is"
        message = f"{what} not in the reporting year {year}"
        result.counts["wrong_year"] += wrong.len()
        cap = settings.SUBMISSION_MAX_STORED_ISSUES
        for row in wrong.head(max(cap - len(result.errors), 0)).to_list():
            result.errors.append(I.error("wrong_year", message, row=row, column=column.name))


def _check_duplicates(result: Validated, *, schema: KindSchema, rows: pl.Series) -> None:
    key = list(schema.key)
    frame = result.frame if rows.all() else result.frame.filter(rows)
    # Hashes first (cheap); rows sharing a hash are then compared on the values themselves.
    suspects = frame.filter(pl.struct(key).hash().is_duplicated())
    if suspects.height == 0:
        return
    rows = (
        suspects.filter(pl.struct(key).is_duplicated())
        .with_columns(pl.col(ROW).min().over(key).alias("first"))
        .filter(pl.col(ROW) != pl.col("first"))
        .sort(ROW)
    )
    if rows.height == 0:
        return
    what = ", ".join(key)
    result.counts["duplicate_key"] += rows.height
    cap = settings.SUBMISSION_MAX_STORED_ISSUES
    for row, first in rows.select(ROW, "first").head(max(cap - len(result.errors), 0)).iter_rows():
        result.errors.append(
            I.error(
                "duplicate_key", f"repeats row {first} (the same {what})", row=row, column=key[0]
            )
        )
