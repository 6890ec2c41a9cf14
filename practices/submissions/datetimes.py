"""ISO 8601 date-times of an upload (ColumnType.DATETIME), parsed for a whole column at once.

Accepted: `YYYY-MM-DDTHH:MM[:SS[.fraction]]` (a space may replace the T) with `Z` or a UTC
offset (`+HH:MM`, `+HHMM`, `+HH`), or without one: then the time is read in the practice's
time zone (its profile), daylight-saving time included. A local time the clocks skipped (the
spring-forward hour) is an error; a local time that happened twice (the fall-back hour) is
read as the first of the two. A date alone (an XLSX cell at midnight) is midnight local time.

The result is microseconds since the epoch in UTC (Int64), so that differences are real
elapsed time. Messages name the rule broken, never the value.

The two forms exports write most (`2025-03-14T08:30:00Z`, and `2025-03-14T08:30:00` in local
time) are recognized by one anchored pattern each and parsed by a single strptime, without
extracting groups. Their hours, minutes and seconds are in range by the pattern, so such a cell
can only fail for its date, as in the general parse; the other cells take the general parse.
Both give the same result for these forms (tests/submissions/test_datetimes_fast.py).
"""

from __future__ import annotations

import numpy as np
import polars as pl

PATTERN = (
    r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"(?:[Tt ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]{1,9}))?)?)?"
    r"\s*(?:(?P<zulu>[Zz])|(?P<sign>[+-])(?P<offset_hours>[0-9]{2}):?(?P<offset_minutes>[0-9]{2})?)?$"
)
MESSAGES = {
    "bad_datetime": (
        "is not a date and time in ISO 8601 form (e.g. 2025-03-14T08:30:00-05:00 or "
        "2025-03-14 08:30:00)"
    ),
    "impossible_datetime": "is not a real date and time (a day, hour, minute or offset that "
    "does not exist)",
    "nonexistent_time": "is a local time the clocks skipped (daylight saving time began); "
    "give it with its UTC offset",
}
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
FAST_UTC = rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T{_TIME}Z$"
FAST_LOCAL = rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T{_TIME}$"
DISPLAY_FORMAT = "ISO 8601 date and time; with Z or a UTC offset, or in the practice's time zone"


def parse(text: pl.Series, *, time_zone: str) -> pl.DataFrame:
    """`utc_us` (Int64 microseconds since the epoch, UTC; null when the text is not a valid
    date-time) and `problem` (null, or the error code) for each cell of `text`, surrounding
    spaces ignored (an empty cell is a bad_datetime: the caller tells it apart)."""
    rows = text.len()
    no_problem = pl.repeat(None, rows, dtype=pl.String, eager=True).alias("problem")
    utc_form = text.str.contains(FAST_UTC).fill_null(False)
    utc = text.str.strptime(
        pl.Datetime("us"), "%Y-%m-%dT%H:%M:%SZ", strict=False, cache=False
    ).dt.epoch("us")
    if utc_form.all() and utc.null_count() == 0:  # the common file: nothing else to do
        return pl.DataFrame({"utc_us": utc, "problem": no_problem})
    if utc_form.all():
        local_form = pl.Series(np.zeros(rows, dtype=bool))
    else:
        local_form = ~utc_form & text.str.contains(FAST_LOCAL).fill_null(False)
    frame = pl.DataFrame({"text": text, "utc": utc, "utc_form": utc_form, "local_form": local_form})
    naive = pl.lit(None, dtype=pl.Datetime("us"))
    local = pl.lit(None, dtype=pl.Int64)
    if local_form.any():
        naive = pl.col("text").str.strptime(
            pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S", strict=False, cache=False
        )
        local = (
            pl.when(pl.col("local_form"))
            .then(naive)
            .dt.replace_time_zone(time_zone, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
            .dt.epoch("us")
        )
    staged = frame.select(
        pl.col("utc_form"),
        pl.when(pl.col("utc_form")).then(pl.col("utc")).otherwise(local).alias("utc_us"),
        pl.when(pl.col("local_form")).then(naive.is_null()).otherwise(False).alias("no_date"),
    )
    result = staged.select(
        pl.col("utc_us"),
        pl.when(pl.col("utc_us").is_not_null())
        .then(None)
        .when(pl.col("utc_form") | pl.col("no_date"))
        .then(pl.lit("impossible_datetime"))
        .otherwise(pl.lit("nonexistent_time"))
        .alias("problem"),
    )
    rest = ~(utc_form | local_form)
    if rest.any():
        positions = np.flatnonzero(rest.to_numpy())
        general = _parse_general(text.filter(rest).str.strip_chars(), time_zone=time_zone)
        result = result.with_columns(
            result["utc_us"].scatter(positions, general["utc_us"]),
            result["problem"].scatter(positions, general["problem"]),
        )
    return result


def _parse_general(text: pl.Series, *, time_zone: str) -> pl.DataFrame:
    """parse() for any accepted form of stripped, non-empty text, in stages, so that each step (the pattern, the calendar,
    the time zone) runs once per cell."""
    parts = (
        pl.DataFrame({"text": text})
        .select(pl.col("text").str.extract_groups(PATTERN).alias("p"))
        .unnest("p")
    )

    def number(name: str, default: int = 0) -> pl.Expr:
        return pl.col(name).cast(pl.Int64, strict=False).fill_null(default)

    matched = pl.col("year").is_not_null()
    in_range = (
        (number("hour") <= 23)
        & (number("minute") <= 59)
        & (number("second") <= 59)
        & (number("offset_hours") <= 18)
        & (number("offset_minutes") <= 59)
    )
    canonical = pl.format(
        "{}-{}-{} {}:{}:{}",
        pl.col("year"),
        pl.col("month"),
        pl.col("day"),
        pl.col("hour").fill_null("00"),
        pl.col("minute").fill_null("00"),
        pl.col("second").fill_null("00"),
    )
    sign = pl.when(pl.col("sign") == "-").then(-1).otherwise(1)
    staged = parts.select(
        matched.alias("matched"),
        pl.when(matched & in_range)
        .then(canonical)
        .otherwise(None)
        .str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False)
        .alias("naive"),
        (pl.col("zulu").is_not_null() | pl.col("sign").is_not_null()).alias("has_offset"),
        (sign * (number("offset_hours") * 3600 + number("offset_minutes") * 60) * 1_000_000).alias(
            "offset_us"
        ),
        pl.col("fraction")
        .fill_null("0")
        .str.pad_end(9, "0")
        .str.slice(0, 6)
        .cast(pl.Int64, strict=False)
        .fill_null(0)
        .alias("micros"),
    )
    # Only the cells without an offset need the time zone (the costly step).
    local = pl.when(~pl.col("has_offset")).then(pl.col("naive"))
    staged = staged.with_columns(
        local.dt.replace_time_zone(time_zone, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .dt.epoch("us")
        .alias("local_us")
    )
    utc_us = pl.when(pl.col("has_offset")).then(
        pl.col("naive").dt.epoch("us") - pl.col("offset_us")
    ).otherwise(pl.col("local_us")) + pl.col("micros")
    problem = (
        pl.when(~pl.col("matched"))
        .then(pl.lit("bad_datetime"))
        .when(pl.col("naive").is_null())
        .then(pl.lit("impossible_datetime"))
        .when(utc_us.is_null())
        .then(pl.lit("nonexistent_time"))
        .otherwise(None)
    )
    return staged.select(
        pl.when(problem.is_null()).then(utc_us).otherwise(None).alias("utc_us"),
        problem.alias("problem"),
    )


def local_parts(utc_us: pl.Expr, *, time_zone: str) -> tuple[pl.Expr, pl.Expr]:
    """(year, month) of UTC microseconds in the time zone."""
    local = pl.from_epoch(utc_us, time_unit="us").dt.replace_time_zone("UTC")
    local = local.dt.convert_time_zone(time_zone)
    return local.dt.year().cast(pl.Int64), local.dt.month().cast(pl.Int64)
