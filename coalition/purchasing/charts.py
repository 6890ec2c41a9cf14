"""Server-rendered SVG bar charts of spend and savings (no script, no network), drawn like the
benchmark charts: a title and description for screen readers, and a table beside each chart."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from benchmarks.charts import compact

WIDTH = 720
LABEL_WIDTH = 190
RIGHT = 90
ROW_HEIGHT = 28
TOP = 12


def spend_chart(
    rows: list[tuple[str, Decimal, Decimal]], *, chart_id: str, title: str, description: str
) -> SafeString:
    """One bar per (label, spend, savings): spend dark, savings light after it, so the whole
    bar is the list-price total."""
    height = TOP + ROW_HEIGHT * max(len(rows), 1) + 34
    parts = [
        f'<svg class="chart spend-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    high = max((float(s) + max(float(v), 0) for _, s, v in rows), default=0)
    if not rows or high <= 0:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle" class="chart-note">'
            "No purchases to draw</text></svg>"
        )
        return mark_safe("".join(parts))  # noqa: S308 - built from escaped text and numbers
    span = WIDTH - LABEL_WIDTH - RIGHT

    def w(value) -> float:
        return max(float(value), 0) / high * span

    for index, (label, spend, savings) in enumerate(rows):
        top = TOP + ROW_HEIGHT * index
        mid = top + ROW_HEIGHT / 2
        spend_w, savings_w = w(spend), w(savings)
        parts.append(
            f'<text class="row-label" x="{LABEL_WIDTH - 8}" y="{mid + 4:.1f}" text-anchor="end">'
            f"{escape(label[:32])}</text>"
            f'<rect class="bar-spend" x="{LABEL_WIDTH}" y="{top + 5}" width="{spend_w:.1f}" '
            f'height="{ROW_HEIGHT - 10}"/>'
            f'<rect class="bar-savings" x="{LABEL_WIDTH + spend_w:.1f}" y="{top + 5}" '
            f'width="{savings_w:.1f}" height="{ROW_HEIGHT - 10}"/>'
            f'<text class="tick" x="{LABEL_WIDTH + spend_w + savings_w + 6:.1f}" y="{mid + 4:.1f}">'
            f"${escape(compact(spend))}</text>"
        )
    legend_y = height - 8
    parts.append(
        f'<g class="legend"><rect class="bar-spend" x="{LABEL_WIDTH}" y="{legend_y - 9}" '
        f'width="14" height="9"/><text x="{LABEL_WIDTH + 18}" y="{legend_y}">spend</text>'
        f'<rect class="bar-savings" x="{LABEL_WIDTH + 80}" y="{legend_y - 9}" width="14" '
        f'height="9"/><text x="{LABEL_WIDTH + 98}" y="{legend_y}">savings against list price'
        "</text></g></svg>"
    )
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped text and numbers
