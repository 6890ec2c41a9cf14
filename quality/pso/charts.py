"""SVG charts of the PSO trend pages: no script, with a title and description for screen
readers; the pages put the same figures in a table beside each chart. Withheld counts are
drawn as an outlined, empty bar labelled "withheld"."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = (
    "#1f6f8b",
    "#e07a1f",
    "#4c9a2a",
    "#9b4dca",
    "#c23b22",
    "#2a7fd4",
    "#8c6d1f",
    "#d45a9a",
    "#5a6270",
    "#1aa39a",
    "#b07aa1",
    "#7f7f00",
    "#3b3b98",
    "#999999",
)
WIDTH = 720


def counts_by_year_chart(
    rows: dict[str, dict[int, object]], years: list[int], labels: dict[str, str], *, title: str
) -> SafeString:
    """Horizontal bars: one group per row code, one bar per year."""
    if not rows or not years:
        return mark_safe("")
    codes = sorted(rows, key=lambda c: -sum((cell.count or 0) for cell in rows[c].values()))
    largest = max(
        [cell.count for row in rows.values() for cell in row.values() if cell.count] or [1]
    )
    label_width, bar_height, gap = 220, 12, 10
    group = bar_height * len(years) + gap
    height = 40 + group * len(codes) + 20
    plot = WIDTH - label_width - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" aria-labelledby="t-{id(rows)} d-{id(rows)}" class="chart">',
        f'<title id="t-{id(rows)}">{escape(title)}</title>',
        f'<desc id="d-{id(rows)}">Counts per year for each category; the table below lists '
        "the same figures.</desc>",
    ]
    for index, year in enumerate(years):
        x = label_width + index * 70
        parts.append(
            f'<rect x="{x}" y="8" width="10" height="10" fill="{PALETTE[index % len(PALETTE)]}"/>'
            f'<text x="{x + 14}" y="17" font-size="11">{year}</text>'
        )
    y = 32
    for code in codes:
        parts.append(
            f'<text x="{label_width - 8}" y="{y + group / 2}" font-size="12" '
            f'text-anchor="end">{escape(labels.get(code, code))}</text>'
        )
        for index, year in enumerate(years):
            cell = rows[code].get(year)
            top = y + index * bar_height
            color = PALETTE[index % len(PALETTE)]
            if cell is None:
                continue
            if cell.count is None:
                parts.append(
                    f'<rect x="{label_width}" y="{top}" width="40" height="{bar_height - 2}" '
                    f'fill="none" stroke="{color}" stroke-dasharray="3 2"/>'
                    f'<text x="{label_width + 46}" y="{top + bar_height - 3}" font-size="10" '
                    'fill="#555">withheld</text>'
                )
                continue
            width = max(1.0, plot * cell.count / largest)
            parts.append(
                f'<rect x="{label_width}" y="{top}" width="{width:.1f}" '
                f'height="{bar_height - 2}" fill="{color}"/>'
                f'<text x="{label_width + width + 4:.1f}" y="{top + bar_height - 3}" '
                f'font-size="10">{cell.count}</text>'
            )
        y += group
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped labels and numbers


def share_chart(counts: dict[str, int], labels: dict[str, str], *, title: str) -> SafeString:
    """One stacked bar of shares (e.g. the action-strength mix)."""
    total = sum(counts.values())
    if not total:
        return mark_safe("")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} 90" '
        f'width="100%" class="chart"><title>{escape(title)}</title>'
        "<desc>Share of corrective actions by strength; the table lists the counts.</desc>"
    ]
    x = 10.0
    for index, code in enumerate(sorted(counts)):
        width = (WIDTH - 20) * counts[code] / total
        color = PALETTE[index % len(PALETTE)]
        share = 100 * counts[code] / total
        parts.append(
            f'<rect x="{x:.1f}" y="10" width="{width:.1f}" height="30" fill="{color}"/>'
            f'<rect x="{10 + index * 230}" y="56" width="10" height="10" fill="{color}"/>'
            f'<text x="{24 + index * 230}" y="65" font-size="11">'
            f"{escape(labels.get(code, code).split(' (')[0])}: {share:.0f}%</text>"
        )
        x += width
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped labels and numbers
