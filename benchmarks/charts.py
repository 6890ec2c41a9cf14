"""Server-rendered SVG charts: percentile bands and trends. No script, no network; every chart
has a title and description for screen readers, and pages put a table of the same figures
beside it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Number = Decimal | float | int | None

WIDTH = 720
LABEL_WIDTH = 170
RIGHT = 24
ROW_HEIGHT = 34
AXIS_HEIGHT = 28


def compact(value: Number) -> str:
    """10693 -> 10.7k, 553861 -> 554k, 54.43 -> 54.43."""
    if value is None:
        return "–"
    number = float(value)
    size = abs(number)
    if size >= 1_000_000:
        return f"{number / 1_000_000:.2f}M"
    if size >= 10_000:
        return f"{number / 1000:.0f}k" if size >= 100_000 else f"{number / 1000:.1f}k"
    if size >= 1000:
        return f"{number:,.0f}"
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = high - low
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _domain(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if math.isclose(low, high):
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.06
    return low - pad, high + pad


@dataclass
class BandRow:
    label: str
    p10: Number = None
    p25: Number = None
    p50: Number = None
    p75: Number = None
    p90: Number = None
    marker: Number = None  # the practice's own median
    dots: list[Number] = field(default_factory=list)  # the practice's providers
    note: str = ""  # shown when the coalition band is withheld


def band_chart(
    rows: list[BandRow],
    *,
    chart_id: str,
    title: str,
    description: str,
    references: list[tuple[str, Number]] | None = None,
    marker_label: str = "Your practice's median",
    typical_range: tuple[Number, Number, str] | None = None,
) -> SafeString:
    """Horizontal percentile bands, one row per group: p10-p90 light, p25-p75 dark, a bar at
    the median, a diamond at the practice's median, dots for its providers, dashed lines at
    reference figures and, behind them, a shaded reference band for a typical range (low,
    high, label)."""
    references = [(label, v) for label, v in (references or []) if v is not None]
    values = [
        float(v)
        for row in rows
        for v in (row.p10, row.p25, row.p50, row.p75, row.p90, row.marker, *row.dots)
        if v is not None
    ] + [float(v) for _, v in references]
    has_figures = bool(values)
    if typical_range is not None:
        values += [float(typical_range[0]), float(typical_range[1])]
    height = AXIS_HEIGHT + ROW_HEIGHT * max(len(rows), 1) + 44 + (18 if typical_range else 0)
    parts = [
        f'<svg class="chart band-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    if not has_figures:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle" class="chart-note">'
            "No published figures to draw</text></svg>"
        )
        return mark_safe("".join(parts))  # noqa: S308 - built from escaped text and numbers
    low, high = _domain(values)
    plot_left, plot_right = LABEL_WIDTH, WIDTH - RIGHT

    def x(value: Number) -> float:
        return plot_left + (float(value) - low) / (high - low) * (plot_right - plot_left)

    bottom = AXIS_HEIGHT + ROW_HEIGHT * len(rows)
    if typical_range is not None:
        range_low, range_high, range_label = typical_range
        # Behind the bands; its legend is a line of its own under the chart's.
        parts.append(
            f'<g class="typical-range"><rect x="{x(range_low):.1f}" y="{AXIS_HEIGHT - 4}" '
            f'width="{x(range_high) - x(range_low):.1f}" height="{bottom - AXIS_HEIGHT + 4}"/>'
            f'<rect x="{plot_left}" y="{height - 17}" width="14" height="9"/>'
            f'<text x="{plot_left + 18}" y="{height - 8}">{escape(range_label)}</text></g>'
        )
    for tick in _nice_ticks(low, high):
        tx = x(tick)
        parts.append(
            f'<line class="grid" x1="{tx:.1f}" y1="{AXIS_HEIGHT - 6}" x2="{tx:.1f}" y2="{bottom}"/>'
            f'<text class="tick" x="{tx:.1f}" y="{AXIS_HEIGHT - 10}" text-anchor="middle">'
            f"{escape(compact(tick))}</text>"
        )
    for index, row in enumerate(rows):
        top = AXIS_HEIGHT + ROW_HEIGHT * index
        mid = top + ROW_HEIGHT / 2
        parts.append(
            f'<text class="row-label" x="{plot_left - 8}" y="{mid + 4:.1f}" text-anchor="end">'
            f"{escape(row.label)}</text>"
        )
        if row.p10 is not None and row.p90 is not None:
            parts.append(
                f'<rect class="band-outer" x="{x(row.p10):.1f}" y="{top + 9}" '
                f'width="{max(x(row.p90) - x(row.p10), 1):.1f}" height="{ROW_HEIGHT - 18}"/>'
            )
        if row.p25 is not None and row.p75 is not None:
            parts.append(
                f'<rect class="band-inner" x="{x(row.p25):.1f}" y="{top + 5}" '
                f'width="{max(x(row.p75) - x(row.p25), 1):.1f}" height="{ROW_HEIGHT - 10}"/>'
            )
        if row.p50 is not None:
            parts.append(
                f'<line class="median" x1="{x(row.p50):.1f}" y1="{top + 3}" '
                f'x2="{x(row.p50):.1f}" y2="{top + ROW_HEIGHT - 3}"/>'
            )
        if row.p50 is None and row.note:
            parts.append(
                f'<text class="chart-note" x="{plot_left + 6}" y="{mid + 4:.1f}">'
                f"{escape(row.note)}</text>"
            )
        for dot in row.dots:
            if dot is not None:
                parts.append(f'<circle class="dot" cx="{x(dot):.1f}" cy="{mid:.1f}" r="2.6"/>')
        if row.marker is not None:
            mx = x(row.marker)
            parts.append(
                f'<path class="marker" d="M{mx:.1f} {mid - 7:.1f} L{mx + 7:.1f} {mid:.1f} '
                f'L{mx:.1f} {mid + 7:.1f} L{mx - 7:.1f} {mid:.1f} Z"/>'
            )
    for number, (label, value) in enumerate(references):
        rx = x(value)
        parts.append(
            f'<line class="reference" x1="{rx:.1f}" y1="{AXIS_HEIGHT}" x2="{rx:.1f}" y2="{bottom}"/>'
            f'<text class="reference-label" x="{rx:.1f}" y="{bottom + 14 + 12 * (number % 2)}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    legend_y = height - 8 - (18 if typical_range else 0)
    parts.append(
        f'<g class="legend"><rect class="band-outer" x="{plot_left}" y="{legend_y - 9}" width="14" height="9"/>'
        f'<text x="{plot_left + 18}" y="{legend_y}">p10–p90</text>'
        f'<rect class="band-inner" x="{plot_left + 80}" y="{legend_y - 9}" width="14" height="9"/>'
        f'<text x="{plot_left + 98}" y="{legend_y}">p25–p75</text>'
        f'<line class="median" x1="{plot_left + 165}" y1="{legend_y - 10}" x2="{plot_left + 165}" y2="{legend_y}"/>'
        f'<text x="{plot_left + 171}" y="{legend_y}">median</text>'
    )
    if any(row.marker is not None for row in rows):
        parts.append(
            f'<path class="marker" d="M{plot_left + 236} {legend_y - 9} L{plot_left + 241} '
            f'{legend_y - 4} L{plot_left + 236} {legend_y + 1} L{plot_left + 231} {legend_y - 4} Z"/>'
            f'<text x="{plot_left + 247}" y="{legend_y}">{escape(marker_label)}</text>'
        )
    if any(dot is not None for row in rows for dot in row.dots):
        parts.append(
            f'<circle class="dot" cx="{plot_left + 400}" cy="{legend_y - 4}" r="3"/>'
            f'<text x="{plot_left + 408}" y="{legend_y}">Your providers</text>'
        )
    parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped text and numbers


@dataclass
class TrendPoint:
    year: int
    p10: Number = None
    p25: Number = None
    p50: Number = None
    p75: Number = None
    p90: Number = None
    own: Number = None


def trend_chart(
    points: list[TrendPoint], *, chart_id: str, title: str, description: str
) -> SafeString:
    """The coalition band over the years with its median, and the practice's own median."""
    height = 240
    top, bottom = 16, height - 44
    left, right = 70, WIDTH - RIGHT
    values = [
        float(v)
        for p in points
        for v in (p.p10, p.p25, p.p50, p.p75, p.p90, p.own)
        if v is not None
    ]
    parts = [
        f'<svg class="chart trend-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    if not values or not points:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle" class="chart-note">'
            "No published years to draw</text></svg>"
        )
        return mark_safe("".join(parts))  # noqa: S308 - built from escaped text and numbers
    low, high = _domain(values)
    years = [p.year for p in points]
    first, last = min(years), max(years)

    def x(year: int) -> float:
        if first == last:
            return (left + right) / 2
        return left + (year - first) / (last - first) * (right - left)

    def y(value: Number) -> float:
        return bottom - (float(value) - low) / (high - low) * (bottom - top)

    for tick in _nice_ticks(low, high, 4):
        ty = y(tick)
        parts.append(
            f'<line class="grid" x1="{left}" y1="{ty:.1f}" x2="{right}" y2="{ty:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end">'
            f"{escape(compact(tick))}</text>"
        )
    for point in points:
        parts.append(
            f'<text class="tick" x="{x(point.year):.1f}" y="{bottom + 18}" text-anchor="middle">'
            f"{point.year}</text>"
        )

    def area(lower: str, upper: str, css: str) -> None:
        # One polygon per run of consecutive years that publish both edges.
        run: list[TrendPoint] = []
        for point in [*points, None]:
            if (
                point is not None
                and getattr(point, lower) is not None
                and getattr(point, upper) is not None
            ):
                run.append(point)
                continue
            if len(run) >= 2:
                edge = [f"{x(p.year):.1f},{y(getattr(p, upper)):.1f}" for p in run]
                edge += [f"{x(p.year):.1f},{y(getattr(p, lower)):.1f}" for p in reversed(run)]
                parts.append(f'<polygon class="{css}" points="{" ".join(edge)}"/>')
            elif len(run) == 1:
                p = run[0]
                parts.append(
                    f'<line class="{css}-single" x1="{x(p.year):.1f}" y1="{y(getattr(p, lower)):.1f}" '
                    f'x2="{x(p.year):.1f}" y2="{y(getattr(p, upper)):.1f}"/>'
                )
            run = []

    def line(attribute: str, css: str) -> None:
        run: list[str] = []
        for point in [*points, None]:
            value = getattr(point, attribute) if point is not None else None
            if value is not None:
                run.append(f"{x(point.year):.1f},{y(value):.1f}")
                parts.append(
                    f'<circle class="{css}-point" cx="{run[-1].split(",")[0]}" cy="{run[-1].split(",")[1]}" r="3.5"/>'
                )
                continue
            if len(run) >= 2:
                parts.append(f'<polyline class="{css}" points="{" ".join(run)}"/>')
            run = []

    area("p10", "p90", "band-outer")
    area("p25", "p75", "band-inner")
    line("p50", "median-line")
    line("own", "own-line")
    legend_y = height - 6
    parts.append(
        f'<g class="legend"><rect class="band-outer" x="{left}" y="{legend_y - 9}" width="14" height="9"/>'
        f'<text x="{left + 18}" y="{legend_y}">p10–p90</text>'
        f'<rect class="band-inner" x="{left + 80}" y="{legend_y - 9}" width="14" height="9"/>'
        f'<text x="{left + 98}" y="{legend_y}">p25–p75</text>'
        f'<line class="median-line" x1="{left + 160}" y1="{legend_y - 4}" x2="{left + 180}" y2="{legend_y - 4}"/>'
        f'<text x="{left + 186}" y="{legend_y}">coalition median</text>'
        f'<line class="own-line" x1="{left + 300}" y1="{legend_y - 4}" x2="{left + 320}" y2="{legend_y - 4}"/>'
        f'<text x="{left + 326}" y="{legend_y}">your practice\'s median</text></g>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped text and numbers
