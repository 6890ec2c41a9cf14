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
