"""Validation of a file's rows against its kind's schema, vectorized.

Checks (SPEC section 3): required values, types, vocabularies, ranges, decimal places, the one
year of the file (it must be the reporting period's), duplicate keys, and identifier patterns
(PHI) in any cell. A cell that is valid for a typed column (a number, a month, a vocabulary
word, a code) cannot hold an identifier, so the identifier patterns run over every text cell
and every cell that failed its type: every cell that could hold one.

How it stays fast on a million rows:
- text-like columns (ids, vocabularies, codes, months, years) have few distinct values, so each
  distinct value is checked once and rows are found again by a join only when one is wrong;
  their normalization (case, spaces, the first day of a month) is kept as a mapping from raw
  value to normalized value, applied by the store where it is cheapest (after grouping);
- numeric columns first try one pattern for plain numbers with the allowed decimals, plus one
  min/max scan; only a column that fails takes the row-by-row path.

Messages name the row, the column and the reason, never the value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import polars as pl
from django.conf import settings

from practices.submissions import datetimes
from practices.submissions import issues as I
from practices.submissions.phi import phi_kind_expression, phi_message
from practices.submissions.reading import ROW
from practices.submissions.schemas import MAX_YEAR, MIN_YEAR, Column, ColumnType, KindSchema

_NUMBER = r"^[+-]?(?:(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]*)?|\.[0-9]+)$"
_MONEY = r"^[+-]?\$?(?:(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]*)?|\.[0-9]+)$"
_INTEGER = r"^[+-]?[0-9]+$"
_MONTH = r"^([0-9]{4})-(0[1-9]|1[0-2])(?:-01)?$"
_YEAR = r"^[0-9]{4}$"
DISTINCT_TYPES = {
    ColumnType.TEXT,
    ColumnType.CHOICE,
    ColumnType.CODE,
    ColumnType.MONTH,
    ColumnType.YEAR,
}
RAW = "raw"
VALUE = "value"
YEAR_SLICE_ROWS = 1_000_000


@dataclass
class Validated:
    """The checked rows. `frame` holds ROW and every column; a column listed in `mappings` is
    still raw there and maps {raw: normalized} (None for an empty optional cell)."""

    frame: pl.DataFrame | None
    mappings: dict[str, dict[str, str | None]] = field(default_factory=dict)
    errors: list[I.Issue] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # exact counts per error code
    years: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.counts

    def expr(self, column: str) -> pl.Expr:
        """The normalized values of a column."""
        mapping = self.mappings.get(column)
        if mapping is None:
            return pl.col(column)
        return pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.String)

    def normalized(self) -> pl.DataFrame:
        assert self.frame is not None
        if not self.mappings:
            return self.frame
        return self.frame.with_columns([self.expr(c).alias(c) for c in self.mappings])


# --- one column's rules, as expressions over a frame holding its raw text in RAW ----------------
def _messages(column: Column) -> dict[str, str]:
    type_code, type_message = _type_message(column)
    messages = {"required": "is required but empty", type_code: type_message}
    if column.type == ColumnType.YEAR:
        messages["out_of_range"] = f"is not between {MIN_YEAR} and {MAX_YEAR}"
    if column.is_numeric:
        if column.type != ColumnType.INTEGER:
            messages["too_many_decimals"] = f"has more than {column.decimal_places} decimal places"
        bounds = []
        if column.minimum is not None:
            word = "greater than" if column.minimum_exclusive else "at least"
            bounds.append(f"{word} {column.minimum}")
        if column.maximum is not None:
            bounds.append(f"at most {column.maximum}")
        if bounds:
            unit = f" ({column.unit})" if column.unit else ""
            messages["out_of_range"] = f"must be {' and '.join(bounds)}{unit}"
    return messages


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
    if column.type == ColumnType.DATETIME:
        return "bad_datetime", datetimes.MESSAGES["bad_datetime"]
    return "not_a_number", "is not a number (use a point for decimals, e.g. 1234.5)"


def _type_valid(column: Column, c: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(is the non-empty stripped text `c` valid, its normalized value)."""
    if column.type == ColumnType.TEXT:
        valid = (c.str.len_chars() <= column.max_length) & ~c.str.contains(r"[\x00-\x1f\x7f]")
        return valid, c
    if column.type == ColumnType.CHOICE:
        canonical = {choice.lower(): choice for choice in column.choices}
        value = c.str.to_lowercase().replace_strict(canonical, default=None, return_dtype=pl.String)
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


def _evaluate(frame: pl.DataFrame, column: Column) -> pl.DataFrame:
    """For a frame with RAW (and possibly ROW): VALUE (normalized, null when empty), "text"
    (stripped) and one boolean column per broken rule, named by error code."""
    text = pl.col(RAW).str.strip_chars()
    staged = frame.lazy().with_columns(text.alias("text"))
    valid, value = _type_valid(column, pl.col("text"))
    empty = pl.col("text") == ""
    good = ~empty & valid
    checks: dict[str, pl.Expr] = {}
    type_code, _ = _type_message(column)
    if column.required:
        checks["required"] = empty
    checks[type_code] = ~empty & ~valid
    number = value.cast(pl.Float64, strict=False)
    if column.type == ColumnType.YEAR:
        checks["out_of_range"] = good & ((number < MIN_YEAR) | (number > MAX_YEAR))
    if column.is_numeric:
        if column.type != ColumnType.INTEGER:
            decimals = rf"\.[0-9]{{{column.decimal_places + 1},}}"
            checks["too_many_decimals"] = good & value.str.contains(decimals)
        out = pl.lit(False)
        if column.minimum is not None:
            low = float(column.minimum)
            out = out | (number <= low if column.minimum_exclusive else number < low)
        if column.maximum is not None:
            out = out | (number > float(column.maximum))
        if column.minimum is not None or column.maximum is not None:
            checks["out_of_range"] = good & out
    return staged.with_columns(
        pl.when(empty).then(None).otherwise(value).alias(VALUE),
        *[mask.fill_null(True).alias(code) for code, mask in checks.items()],
    ).collect()


def _plain_number_pattern(column: Column) -> str:
    if column.type == ColumnType.INTEGER:
        return r"^[0-9]+$"
    return rf"^[0-9]+(?:\.[0-9]{{1,{column.decimal_places}}})?$"


# --- validation ------------------------------------------------------------------------------------
class _Collector:
    """Errors as (row, column, code, message) rows; an identifier finding replaces any other
    error of the same cell. Messages left null take the column's fixed message for the code."""

    def __init__(self, schema: KindSchema):
        self.schema = schema
        self.parts: list[pl.DataFrame] = []

    def add(self, rows: pl.DataFrame, column: str, code: str, message: pl.Expr | None = None):
        """rows: a frame with ROW (and whatever `message` needs)."""
        if rows.height:
            self.parts.append(
                rows.select(
                    pl.col(ROW),
                    pl.lit(column).alias("column"),
                    pl.lit(code).alias("code"),
                    (message if message is not None else pl.lit(None, dtype=pl.String)).alias(
                        "message"
                    ),
                )
            )

    def result(self, validated: Validated) -> None:
        if not self.parts:
            return
        table = pl.concat(self.parts)
        phi = table.filter(pl.col("code").str.starts_with("phi_"))
        if phi.height:
            others = table.filter(~pl.col("code").str.starts_with("phi_"))
            table = pl.concat(
                [phi, others.join(phi.select(ROW, "column"), on=[ROW, "column"], how="anti")]
            )
        order = {name: i for i, name in enumerate(self.schema.column_names)}
        table = table.with_columns(
            pl.col("column").replace_strict(order, default=-1, return_dtype=pl.Int64).alias("o")
        ).sort(ROW, "o")
        for code, count in table.group_by("code").len().iter_rows():
            validated.counts[code] += count
        messages = {c.name: _messages(c) for c in self.schema.columns}
        room = max(settings.SUBMISSION_MAX_STORED_ISSUES - len(validated.errors), 0)
        for row, column, code, message in (
            table.head(room).select(ROW, "column", "code", "message").iter_rows()
        ):
            if message is None:
                message = phi_message(code) if code.startswith("phi_") else messages[column][code]
            validated.errors.append(I.error(code, message, row=row, column=column))


class _Distinct:
    """The distinct values of one distinct-value column over the whole file, evaluated (RAW,
    VALUE and a column per check), gathered batch by batch. A batch's table of many values (a
    column of ids) is not kept when every value in it is valid and left as it is by
    normalization (`clean`): the flags answer what the checks ask in that case, and the table
    is evaluated again from the checked rows only if something needs it."""

    KEEP_ROWS = 100_000

    def __init__(self, column: Column):
        self.column = column
        self.tables: list[pl.DataFrame] = []
        self.complete = True  # every batch's table is in `tables`
        self.clean = True  # every value valid, not empty and unchanged by normalization
        self.changed = False  # some value is changed by normalization
        self._table: pl.DataFrame | None = None

    def add(self, evaluated: pl.DataFrame) -> None:
        checks = [c for c in evaluated.columns if c not in (RAW, VALUE, "text")]
        flags = evaluated.select(
            (pl.any_horizontal(checks) | pl.col(VALUE).is_null()).any().alias("bad"),
            (pl.col(RAW) != pl.col(VALUE).fill_null("\x00")).any().alias("changed"),
        ).row(0, named=True)
        self.changed = self.changed or bool(flags["changed"])
        clean = not (flags["bad"] or flags["changed"])
        self.clean = self.clean and clean
        if clean and evaluated.height > self.KEEP_ROWS:
            self.complete = False
        else:
            self.tables.append(evaluated.drop("text"))

    def table(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The evaluated distinct values of the column of `frame` (the checked rows)."""
        if self._table is None:
            if not self.complete:
                raw = frame.select(pl.col(self.column.name).unique().alias(RAW))
                self._table = _evaluate(raw, self.column).drop("text")
            else:
                self._table = pl.concat(self.tables).unique(subset=RAW)
            self.tables = []
        return self._table


def validate(
    frame: pl.DataFrame | Iterable[pl.DataFrame],
    *,
    schema: KindSchema,
    year: int | None,
    header_issues: list[I.Issue] | tuple = (),
    unchecked: frozenset[str] = frozenset(),
    time_zone: str = "UTC",
    on_batch: Callable[[int], None] | None = None,
) -> Validated:
    """Validate every row: of `frame`, or of the batches of a file read in batches (frames of
    consecutive rows, in order; reading.ReadResult.batches), with the same result. `year` is
    the reporting period's year (None: take the file's); date-times without an offset are read
    in `time_zone` (the practice's).
    `header_issues` (reading.ReadResult) come first in the errors; the columns in `unchecked`
    (required ones missing from the file) are not checked, nor what depends on them (the year,
    duplicate keys), so that the rest of the file is checked in the same round. `on_batch(rows)`
    hears the number of rows checked so far after each batch (progress)."""
    frames = [frame] if isinstance(frame, pl.DataFrame) else frame
    result = _validate(
        frames,
        schema=schema,
        year=year,
        unchecked=unchecked,
        time_zone=time_zone,
        on_batch=on_batch,
    )
    if header_issues:
        result.errors[:0] = list(header_issues)
        result.counts.update(issue.code for issue in header_issues)
        result.errors = result.errors[: settings.SUBMISSION_MAX_STORED_ISSUES]
    return result


def _validate(
    frames: Iterable[pl.DataFrame],
    *,
    schema: KindSchema,
    year: int | None,
    unchecked: frozenset[str],
    time_zone: str,
    on_batch: Callable[[int], None] | None = None,
) -> Validated:
    """The checks of each cell run batch by batch (they concern one row); the file's year and
    its duplicate keys are checked over all the rows (the checked frame, in which the columns
    they read are still the raw text)."""
    result = Validated(frame=None)
    collector = _Collector(schema)
    checked = [c for c in schema.columns if c.name not in unchecked]
    parts: list[pl.DataFrame] = []
    distinct = {c.name: _Distinct(c) for c in checked if c.type in DISTINCT_TYPES}
    height = 0
    for frame in frames:
        height += frame.height
        if frame.height == 0 or (schema.max_rows is not None and height > schema.max_rows):
            continue  # (too many rows: only counted, for the message)
        parts.append(
            _validate_batch(
                frame,
                schema=schema,
                checked=checked,
                unchecked=unchecked,
                collector=collector,
                distinct=distinct,
                time_zone=time_zone,
            )
        )
        del frame
        if on_batch is not None:
            on_batch(height)
    if height == 0:
        return _file_error("header_only", "The file has column names but no rows of data.")
    if schema.max_rows is not None and height > schema.max_rows:
        return _file_error(
            "too_many_rows",
            f"A {schema.kind} file has {schema.max_rows} row(s) of data; this one has {height:,}.",
        )
    result.frame = parts[0] if len(parts) == 1 else pl.concat(parts)
    del parts
    for name, values in distinct.items():
        if values.changed:
            table = values.table(result.frame)
            result.mappings[name] = dict(
                zip(table[RAW].to_list(), table[VALUE].to_list(), strict=True)
            )
    if schema.year_column not in unchecked:
        if schema.column_map[schema.year_column].type == ColumnType.DATETIME:
            _check_datetime_year(result, collector, schema=schema, year=year, time_zone=time_zone)
        else:
            _check_year(
                result.frame, result, collector, schema=schema, year=year, distinct=distinct
            )
    if not unchecked.intersection(schema.key):
        _check_duplicates(result.frame, collector, schema=schema, distinct=distinct)
    collector.result(result)
    return result


def _validate_batch(
    frame: pl.DataFrame,
    *,
    schema: KindSchema,
    checked: list[Column],
    unchecked: frozenset[str],
    collector: _Collector,
    distinct: dict[str, _Distinct],
    time_zone: str,
) -> pl.DataFrame:
    """The checks of each cell of the rows of `frame`; returns the checked rows (ROW and every
    column: distinct-value columns raw, date-times as UTC microseconds, numbers normalized)."""
    columns: dict[str, pl.Expr | pl.Series] = {}
    # The values of a one-column key (an id per row) are meant to be all different: they are
    # evaluated cell by cell, without first finding the distinct ones.
    unique_key = set(schema.key) if len(schema.key) == 1 else set()
    # One parallel scan: the distinct values of text-like columns, and for numeric columns
    # whether every cell is a plain number with the allowed decimals, and the extremes.
    survey = frame.select(
        *[
            pl.col(c.name).unique().implode().alias(c.name)
            for c in checked
            if c.type in DISTINCT_TYPES and c.name not in unique_key
        ],
        *[
            expression
            for c in checked
            if c.is_numeric
            for expression in (
                (pl.col(c.name) == "").all().alias(f"{c.name}:empty"),
                pl.col(c.name)
                .str.contains(_plain_number_pattern(c))
                .all()
                .alias(f"{c.name}:plain"),
                pl.col(c.name).cast(pl.Float64, strict=False).min().alias(f"{c.name}:min"),
                pl.col(c.name).cast(pl.Float64, strict=False).max().alias(f"{c.name}:max"),
            )
        ],
    ).row(0, named=True)
    for column in schema.columns:
        name = column.name
        if name in unchecked:
            columns[name] = pl.col(name)
        elif column.type in DISTINCT_TYPES:
            values = frame[name] if name in unique_key else survey.pop(name)
            evaluated = _evaluate(pl.DataFrame({RAW: values}, schema={RAW: pl.String}), column)
            del values
            _distinct_errors(frame, evaluated, column, collector)
            distinct[name].add(evaluated)
            del evaluated
            columns[name] = pl.col(name)
        elif column.type == ColumnType.DATETIME:
            columns[name] = _datetime_column(frame, column, collector, time_zone)
        else:
            columns[name] = _numeric_column(frame, column, collector, survey)
    checked_rows = frame.select(
        pl.col(ROW), *[value.alias(n) for n, value in columns.items() if isinstance(value, pl.Expr)]
    ).with_columns([value.alias(n) for n, value in columns.items() if isinstance(value, pl.Series)])
    return checked_rows.select(ROW, *schema.column_names)


def _distinct_errors(
    frame: pl.DataFrame, evaluated: pl.DataFrame, column: Column, collector: _Collector
) -> None:
    codes = [c for c in evaluated.columns if c not in (RAW, VALUE, "text")]
    type_code, _ = _type_message(column)
    # Identifier patterns: over every text value, and over the values that failed their type.
    scan = pl.col("text") != "" if column.type == ColumnType.TEXT else pl.col(type_code)
    flagged = (
        evaluated.filter(scan)
        .with_columns(phi_kind_expression("text").alias("phi"))
        .filter(pl.col("phi").is_not_null())
    )
    bad = [evaluated.filter(pl.col(code)).select(RAW, pl.lit(code).alias("code")) for code in codes]
    bad.append(flagged.select(RAW, pl.col("phi").alias("code")))
    wrong = pl.concat(bad).unique()  # (a key's values are evaluated per cell: maybe repeated)
    if wrong.height == 0:
        return
    rows = frame.select(ROW, pl.col(column.name).alias(RAW)).join(wrong, on=RAW)
    for code in rows["code"].unique().to_list():
        collector.add(rows.filter(pl.col("code") == code), column.name, code)


def _numeric_column(
    frame: pl.DataFrame, column: Column, collector: _Collector, survey: dict
) -> pl.Expr | pl.Series:
    """Check a numeric column; returns its normalized values (an expression or a series)."""
    name = column.name
    if not column.required and survey[f"{name}:empty"]:
        return pl.lit(None, dtype=pl.String)  # an optional column left empty (or out)
    if survey[f"{name}:plain"]:
        # Fast path: plain numbers with the allowed decimals; their extremes decide the range.
        low, high = survey[f"{name}:min"], survey[f"{name}:max"]
        below = column.minimum is not None and (
            low <= float(column.minimum)
            if column.minimum_exclusive
            else low < float(column.minimum)
        )
        above = column.maximum is not None and high > float(column.maximum)
        if not (below or above):
            return pl.col(name)
    evaluated = _evaluate(frame.select(ROW, pl.col(name).alias(RAW)), column)
    type_code, _ = _type_message(column)
    invalid = evaluated.filter(pl.col(type_code))
    if invalid.height:
        phi = invalid.with_columns(phi_kind_expression("text").alias("phi")).filter(
            pl.col("phi").is_not_null()
        )
        for code in phi["phi"].unique().to_list():
            collector.add(phi.filter(pl.col("phi") == code), name, code)
    for code in [c for c in evaluated.columns if c not in (ROW, RAW, VALUE, "text")]:
        collector.add(evaluated.filter(pl.col(code)), name, code)
    return evaluated[VALUE].alias(name)


def _datetime_column(
    frame: pl.DataFrame, column: Column, collector: _Collector, time_zone: str
) -> pl.Series:
    """Check a date-time column; returns its values as UTC microseconds (datetimes.py)."""
    name = column.name
    parsed = datetimes.parse(frame[name], time_zone=time_zone)
    # Only the cells with a problem (usually none) are stripped and looked at again.
    problems = pl.DataFrame(
        {ROW: frame[ROW], "text": frame[name], "problem": parsed["problem"]}
    ).filter(pl.col("problem").is_not_null())
    problems = problems.with_columns(pl.col("text").str.strip_chars())
    empty = pl.col("text") == ""
    if column.required:
        collector.add(problems.filter(empty), name, "required")
    wrong = problems.filter(~empty)
    if wrong.height:
        # A malformed cell may hold an identifier; a date is what the column holds, so the
        # date-of-birth pattern is not applied to it.
        flagged = wrong.with_columns(phi_kind_expression("text").alias("phi")).filter(
            pl.col("phi").is_not_null() & (pl.col("phi") != "phi_date")
        )
        for code in flagged["phi"].unique().to_list():
            collector.add(flagged.filter(pl.col("phi") == code), name, code)
        for code in wrong["problem"].unique().to_list():
            collector.add(
                wrong.filter(pl.col("problem") == code),
                name,
                code,
                pl.lit(datetimes.MESSAGES[code]),
            )
    return parsed["utc_us"].alias(name)


def _check_datetime_year(
    result: Validated, collector: _Collector, *, schema: KindSchema, year: int | None, time_zone
) -> None:
    """The file's year from a date-time column: the year in the practice's time zone."""
    name = schema.year_column
    local_year, _ = datetimes.local_parts(pl.col(name), time_zone=time_zone)
    # A slice of rows at a time: the time-zone conversion's intermediate columns stay small.
    every_year = pl.concat(
        [
            result.frame.slice(start, YEAR_SLICE_ROWS).select(local_year.cast(pl.Int32))
            for start in range(0, result.frame.height, YEAR_SLICE_ROWS)
        ]
    ).to_series()
    years = pl.DataFrame({ROW: result.frame[ROW], "year": every_year}).filter(
        pl.col("year").is_not_null()
    )
    del every_year
    counts = years.group_by("year").len().sort(["len", "year"], descending=[True, False])
    found = sorted(counts["year"].to_list())
    result.years = found
    if not found:
        return
    if year is None:
        year = int(counts["year"][0])
    if found == [year]:
        return
    if len(found) > 1:
        listed = ", ".join(str(y) for y in found[:10])
        result.errors.append(
            I.error(
                "mixed_years",
                f"The file holds more than one year ({listed}); one year per file.",
                column=name,
            )
        )
        result.counts["mixed_years"] += 1
    message = pl.lit(f"is not in the reporting year {year} (in the practice's time zone)")
    collector.add(years.filter(pl.col("year") != year), name, "wrong_year", message)


def _file_error(code: str, message: str) -> Validated:
    result = Validated(frame=None)
    result.errors.append(I.error(code, message))
    result.counts[code] += 1
    return result


def _check_year(
    frame: pl.DataFrame,
    result: Validated,
    collector: _Collector,
    *,
    schema: KindSchema,
    year: int | None,
    distinct: dict[str, _Distinct],
) -> None:
    column = schema.column_map[schema.year_column]
    type_code, _ = _type_message(column)
    values = (
        distinct[column.name]
        .table(frame)
        .filter(pl.col(VALUE).is_not_null() & ~pl.col(type_code))
        .with_columns(pl.col(VALUE).str.slice(0, 4).cast(pl.Int64, strict=False).alias("year"))
    )
    found = sorted(y for y in values["year"].unique().to_list() if y is not None)
    result.years = found
    if not found:
        return
    if year is None:
        if len(found) == 1:
            return
        # The year of most rows is taken as the file's; the others are reported.
        counts = (
            frame.select(pl.col(column.name).alias(RAW))
            .join(values.select(RAW, "year"), on=RAW)
            .group_by("year")
            .len()
            .sort(["len", "year"], descending=[True, False])
        )
        year = int(counts["year"][0])
    if found == [year]:
        return
    if len(found) > 1:
        listed = ", ".join(str(y) for y in found[:10])
        result.errors.append(
            I.error(
                "mixed_years",
                f"The file holds more than one year ({listed}); one year per file.",
                column=column.name,
            )
        )
        result.counts["mixed_years"] += 1
    wrong = values.filter(pl.col("year") != year).select(RAW)
    rows = frame.select(ROW, pl.col(column.name).alias(RAW)).join(wrong, on=RAW)
    what = "month is" if column.type == ColumnType.MONTH else "year is"
    message = pl.lit(f"{what} not in the reporting year {year}")
    collector.add(rows, column.name, "wrong_year", message)


def _check_duplicates(
    frame: pl.DataFrame,
    collector: _Collector,
    *,
    schema: KindSchema,
    distinct: dict[str, _Distinct],
) -> None:
    """Rows that repeat the key of an earlier row, compared on normalized values. Each key
    column is coded as small integers (its distinct values are few) and the codes are combined
    into one integer key, which is much cheaper to compare than the text."""
    if not schema.key:  # a kind whose rows have no natural key (e.g. safety events)
        return
    # Fast path: when every key cell is valid and normalization maps distinct raw values to
    # distinct values (the usual case: it only fixes case, spaces or the day of a month),
    # equal keys have equal raw text; distinct hashes of the raw keys then prove there is no
    # duplicate. Anything else is settled exactly below.
    plain = True
    for name in schema.key:
        if distinct[name].clean:
            continue  # every value valid and unchanged: distinct raw values stay distinct
        evaluated = distinct[name].table(frame)
        checks = [c for c in evaluated.columns if c not in (RAW, VALUE, "text")]
        valid = evaluated.filter(~pl.any_horizontal(checks) & pl.col(VALUE).is_not_null())
        plain = plain and valid.height == evaluated.height
        plain = plain and valid[VALUE].n_unique() == valid.height
    if plain:
        # Each column hashed on its own and the hashes combined (wrapping arithmetic): twice
        # as fast as hashing a struct of the columns. A collision only sends the file to the
        # exact comparison below.
        key = pl.col(schema.key[0]).hash(1)
        for seed, name in enumerate(schema.key[1:], start=2):
            key = key * 0x100000001B3 + pl.col(name).hash(seed)
        if frame.select(key.n_unique()).item() == frame.height:
            return
    codes = []
    sizes = []
    complete = True  # every key cell valid: no row drops out of the comparison
    for name in schema.key:
        evaluated = distinct[name].table(frame)
        checks = [c for c in evaluated.columns if c not in (RAW, VALUE, "text")]
        usable = evaluated.filter(~pl.any_horizontal(checks) & pl.col(VALUE).is_not_null())
        complete = complete and usable.height == evaluated.height
        values = sorted(set(usable[VALUE].to_list()))
        index = {value: i for i, value in enumerate(values)}
        mapping = {raw: index[value] for raw, value in usable.select(RAW, VALUE).iter_rows()}
        codes.append(
            pl.col(name).replace_strict(mapping, default=None, return_dtype=pl.Int64).alias(name)
            if usable.height != evaluated.height
            else pl.col(name).replace_strict(mapping, return_dtype=pl.Int64).alias(name)
        )
        sizes.append(max(len(values), 1))
    span = 1
    for size in sizes:
        span *= size
    # The codes of all key columns in one parallel scan, then combined.
    coded = frame.select(pl.col(ROW), *codes)
    if not complete:
        coded = coded.drop_nulls()
    if span < 2**62:
        key = pl.lit(0, dtype=pl.Int64)
        for name, size in zip(schema.key, sizes, strict=True):
            key = key * size + pl.col(name)
    else:
        key = pl.struct(list(schema.key)).hash()
    keyed = coded.select(pl.col(ROW), key.alias("key"))
    if keyed["key"].n_unique() == keyed.height:
        return  # the common case, settled by one count
    if span >= 2**62:  # hashes can collide: compare the codes themselves
        keyed = coded.select(pl.col(ROW), pl.struct(list(schema.key)).alias("key"))
    repeated = (
        keyed.filter(pl.col("key").is_duplicated())
        .with_columns(pl.col(ROW).min().over("key").alias("first"))
        .filter(pl.col(ROW) != pl.col("first"))
    )
    if repeated.height == 0:
        return
    what = ", ".join(schema.key)
    message = pl.format(f"repeats row {{}} (the same {what})", pl.col("first"))
    collector.add(repeated, schema.key[0], "duplicate_key", message)
