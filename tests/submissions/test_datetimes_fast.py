"""The fast forms of datetimes.parse (one strptime for `...T..:..:..Z` and for local `...T..:..:..`)
give exactly what the general parse gives, cell for cell: for valid cells, impossible dates, times
the pattern leaves to the general parse (a leap second, hour 24, one-digit fields), daylight-saving
gaps and overlaps, offsets, fractions and surrounding spaces."""

from __future__ import annotations

import random

import polars as pl
import pytest

from practices.submissions import datetimes

ZONES = ["America/New_York", "America/Los_Angeles", "UTC", "Australia/Lord_Howe"]
EDGES = [
    "2019-01-01T00:00:60Z",  # a leap second: not a fast form, an impossible time
    "2019-02-29T00:00:00Z",  # not a leap year
    "2020-02-29T12:00:00Z",
    "2019-04-31T08:00:00Z",
    "2019-13-01T08:00:00Z",
    "2019-00-10T08:00:00Z",
    "2019-01-00T08:00:00Z",
    "2019-01-01T24:00:00Z",
    "2019-1-01T00:00:00Z",  # strptime alone would accept these two
    "+019-01-01T00:00:00Z",
    "2019-01-01T00:00:00z",
    "0000-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "2019-03-10T02:30:00",  # New York's spring-forward gap
    "2019-03-10T01:59:59",
    "2019-03-10T03:00:00",
    "2019-11-03T01:30:00",  # New York's fall-back overlap: the first of the two
    "2019-04-07T01:45:00",  # Lord Howe's half-hour overlap
    "2019-10-06T02:15:00",  # Lord Howe's half-hour gap
    "2019-11-03T01:30:00-05:00",
    "2019-03-10 02:30:00",
    "2019-06-01",
    "2019-06-01T10:00",
    "2019-06-01T10:00:00.5Z",
    " 2019-06-01T10:00:00Z",
    "2019-06-01T10:00:00Z ",
    "",
    "not a date",
]


def _cells(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    cells = []
    for _ in range(count):
        text = (
            f"{rng.randint(1990, 2030):04d}-{rng.randint(0, 13):02d}-{rng.randint(0, 32):02d}"
            f"T{rng.randint(0, 25):02d}:{rng.randint(0, 61):02d}:{rng.randint(0, 61):02d}"
        )
        cells.append(text + rng.choice(["Z", "", "", "-05:00", "+10:30"]))
    return cells


@pytest.mark.parametrize("zone", ZONES)
def test_fast_forms_parse_as_the_general_parse(zone):
    cells = pl.Series(EDGES + _cells(4000, seed=len(zone)))
    fast = datetimes.parse(cells, time_zone=zone)
    general = datetimes._parse_general(cells.str.strip_chars(), time_zone=zone)
    assert fast.equals(general)
    problems = set(fast["problem"].drop_nulls().to_list())
    assert {"impossible_datetime", "bad_datetime"} <= problems


@pytest.mark.parametrize("zone", ZONES)
def test_a_column_all_in_utc_takes_the_shortcut_with_the_same_result(zone):
    cells = pl.Series([c for c in _cells(3000, seed=3) if c.endswith("Z")])
    valid = cells.filter(cells.str.contains(datetimes.FAST_UTC))
    fast = datetimes.parse(valid, time_zone=zone)
    assert fast.equals(datetimes._parse_general(valid, time_zone=zone))
    # Every hour of the year, in the zone's local time too: gaps and overlaps included.
    hours = pl.datetime_range(
        pl.datetime(2019, 1, 1), pl.datetime(2019, 12, 31, 23), "1h", eager=True
    )
    local = hours.dt.strftime("%Y-%m-%dT%H:%M:%S")
    assert datetimes.parse(local, time_zone=zone).equals(
        datetimes._parse_general(local, time_zone=zone)
    )
