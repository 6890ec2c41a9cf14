"""US Census regions by state, and radiologist-FTE size bands (SPEC sections 4 and 8)."""

from __future__ import annotations

from decimal import Decimal

NORTHEAST, MIDWEST, SOUTH, WEST = "northeast", "midwest", "south", "west"
REGION_CHOICES = [
    (NORTHEAST, "Northeast"),
    (MIDWEST, "Midwest"),
    (SOUTH, "South"),
    (WEST, "West"),
]

# The Census Bureau's four regions (50 states and DC).
STATE_REGION: dict[str, str] = {
    **dict.fromkeys(["CT", "ME", "MA", "NH", "RI", "VT", "NJ", "NY", "PA"], NORTHEAST),
    **dict.fromkeys(
        ["IL", "IN", "MI", "OH", "WI", "IA", "KS", "MN", "MO", "NE", "ND", "SD"], MIDWEST
    ),
    **dict.fromkeys(
        [
            "DE",
            "DC",
            "FL",
            "GA",
            "MD",
            "NC",
            "SC",
            "VA",
            "WV",
            "AL",
            "KY",
            "MS",
            "TN",
            "AR",
            "LA",
            "OK",
            "TX",
        ],
        SOUTH,
    ),
    **dict.fromkeys(
        ["AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY", "AK", "CA", "HI", "OR", "WA"], WEST
    ),
}
STATE_CHOICES = [(code, code) for code in sorted(STATE_REGION)]

SIZE_UNDER_25, SIZE_25_50, SIZE_50_100, SIZE_OVER_100 = "lt25", "25-50", "50-100", "gt100"
SIZE_BAND_CHOICES = [
    (SIZE_UNDER_25, "<25 FTE"),
    (SIZE_25_50, "25-50 FTE"),
    (SIZE_50_100, "50-100 FTE"),
    (SIZE_OVER_100, ">100 FTE"),
]


# IANA time zones a practice may be in, and the one most of each state is in (the default of a
# new practice's profile; a practice in a state that spans two zones changes it on its profile).
TIME_ZONE_CHOICES = [
    ("America/New_York", "Eastern (America/New_York)"),
    ("America/Detroit", "Eastern, Michigan (America/Detroit)"),
    ("America/Indiana/Indianapolis", "Eastern, Indiana (America/Indiana/Indianapolis)"),
    ("America/Kentucky/Louisville", "Eastern, Kentucky (America/Kentucky/Louisville)"),
    ("America/Chicago", "Central (America/Chicago)"),
    ("America/Denver", "Mountain (America/Denver)"),
    ("America/Boise", "Mountain, Idaho (America/Boise)"),
    ("America/Phoenix", "Mountain, no daylight saving (America/Phoenix)"),
    ("America/Los_Angeles", "Pacific (America/Los_Angeles)"),
    ("America/Anchorage", "Alaska (America/Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Pacific/Honolulu)"),
]
_EASTERN = ["CT", "DE", "DC", "FL", "GA", "ME", "MD", "MA", "NH", "NJ", "NY", "NC", "OH"]
_EASTERN += ["PA", "RI", "SC", "VT", "VA", "WV"]
_CENTRAL = ["AL", "AR", "IL", "IA", "KS", "LA", "MN", "MS", "MO", "NE", "ND", "OK", "SD"]
_CENTRAL += ["TN", "TX", "WI"]
STATE_TIME_ZONE: dict[str, str] = {
    **dict.fromkeys(_EASTERN, "America/New_York"),
    **dict.fromkeys(_CENTRAL, "America/Chicago"),
    **dict.fromkeys(["CO", "MT", "NM", "UT", "WY"], "America/Denver"),
    **dict.fromkeys(["CA", "NV", "OR", "WA"], "America/Los_Angeles"),
    "MI": "America/Detroit",
    "IN": "America/Indiana/Indianapolis",
    "KY": "America/Kentucky/Louisville",
    "ID": "America/Boise",
    "AZ": "America/Phoenix",
    "AK": "America/Anchorage",
    "HI": "Pacific/Honolulu",
}


def time_zone_for_state(state: str) -> str:
    """The time zone most of the state is in."""
    try:
        return STATE_TIME_ZONE[state.strip().upper()]
    except KeyError:
        raise ValueError(f"{state!r} is not a US state or DC postal code.") from None


def region_for_state(state: str) -> str:
    try:
        return STATE_REGION[state.strip().upper()]
    except KeyError:
        raise ValueError(f"{state!r} is not a US state or DC postal code.") from None


def size_band_for_fte(radiologist_fte: Decimal | float | int) -> str:
    """Bands are half-open from below: 25 FTE is in 25-50, 50 in 50-100, 100 in 50-100."""
    fte = Decimal(str(radiologist_fte))
    if fte < 25:
        return SIZE_UNDER_25
    if fte < 50:
        return SIZE_25_50
    if fte <= 100:
        return SIZE_50_100
    return SIZE_OVER_100
