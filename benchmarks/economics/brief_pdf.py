"""The brief as a PDF for print (US Letter), drawn with ReportLab in pure Python.

Page 1 is the summary a hospital executive reads: the deficit, support needed per FTE, the
ask and where the practice stands. The following pages hold the coalition comparison as
charts (the same rows the page's SVG charts draw), the scenarios, the itemized asks, the
quality figures and the sources. ReportLab's standard Helvetica needs no font files.
"""

from __future__ import annotations

import io
import math
from decimal import Decimal

from reportlab.graphics.shapes import Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from benchmarks import charts
from benchmarks.economics import presentation
from benchmarks.economics.presentation import dollars, whole_dollars
from benchmarks.economics.selectors import EconomicsModel, sources

INK = colors.HexColor("#1f2937")
MUTED = colors.HexColor("#6b7280")
BAND_OUTER = colors.HexColor("#c7d7ea")
BAND_INNER = colors.HexColor("#7fa6d3")
MEDIAN = colors.HexColor("#1d3f6e")
MARKER = colors.HexColor("#c2410c")
GRID = colors.HexColor("#e5e7eb")
WIDTH = LETTER[0] - 1.5 * inch


def _styles():
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], alignment=TA_LEFT, fontSize=18),
        # A heading stays on the page of what follows it, never alone at a page's foot.
        "h2": ParagraphStyle(
            "h2", parent=base["Heading2"], textColor=INK, spaceBefore=10, keepWithNext=1
        ),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=9.5, leading=12.5),
        "small": ParagraphStyle(
            "small", parent=base["BodyText"], fontSize=8, leading=10, textColor=MUTED
        ),
        "big": ParagraphStyle("big", parent=base["BodyText"], fontSize=20, leading=24),
        "label": ParagraphStyle(
            "label", parent=base["BodyText"], fontSize=8.5, leading=10, textColor=MUTED
        ),
    }


def _p(text: str, style) -> Paragraph:
    from xml.sax.saxutils import escape

    return Paragraph(escape(text), style)


def _table(
    rows: list[list], widths: list[float], *, header: bool = True, left: tuple[int, ...] = ()
) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [("ALIGN", (column, 0), (column, -1), "LEFT") for column in left]
    if header:
        style += [
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ]
    table.setStyle(TableStyle(style))
    return table


# --- charts -------------------------------------------------------------------------------------
def _domain(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if math.isclose(low, high):
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.08
    return low - pad, high + pad


def band_drawing(
    rows: list[charts.BandRow], *, title: str, references: list[tuple[str, Decimal]]
) -> Drawing:
    """The practice's figure (diamond) on the coalition's p10-p90 / p25-p75 bands and median,
    with the typical range as dashed lines."""
    row_height, top_pad, label_width = 30, 34, 150
    height = top_pad + row_height * max(len(rows), 1) + 34
    drawing = Drawing(WIDTH, height)
    drawing.add(String(0, height - 12, title, fontName="Helvetica-Bold", fontSize=9, fillColor=INK))
    values = [
        float(v)
        for row in rows
        for v in (row.p10, row.p25, row.p50, row.p75, row.p90, row.marker)
        if v is not None
    ] + [float(v) for _, v in references]
    if not values:
        drawing.add(
            String(0, height / 2, "No published figures to draw", fontSize=8, fillColor=MUTED)
        )
        return drawing
    low, high = _domain(values)
    left, right = label_width, WIDTH - 12

    def x(value) -> float:
        return left + (float(value) - low) / (high - low) * (right - left)

    plot_top = height - top_pad
    plot_bottom = plot_top - row_height * len(rows)
    for tick in charts._nice_ticks(low, high):
        tx = x(tick)
        drawing.add(Line(tx, plot_bottom, tx, plot_top + 4, strokeColor=GRID, strokeWidth=0.5))
        drawing.add(
            String(
                tx,
                plot_top + 7,
                charts.compact(tick),
                fontSize=7,
                fillColor=MUTED,
                textAnchor="middle",
            )
        )
    for index, row in enumerate(rows):
        top = plot_top - row_height * index
        mid = top - row_height / 2
        drawing.add(
            String(left - 6, mid - 3, row.label, fontSize=8, fillColor=INK, textAnchor="end")
        )
        if row.p10 is not None and row.p90 is not None:
            drawing.add(
                Rect(
                    x(row.p10),
                    mid - 7,
                    max(x(row.p90) - x(row.p10), 1),
                    14,
                    fillColor=BAND_OUTER,
                    strokeColor=None,
                )
            )
        if row.p25 is not None and row.p75 is not None:
            drawing.add(
                Rect(
                    x(row.p25),
                    mid - 10,
                    max(x(row.p75) - x(row.p25), 1),
                    20,
                    fillColor=BAND_INNER,
                    strokeColor=None,
                )
            )
        if row.p50 is not None:
            drawing.add(
                Line(x(row.p50), mid - 12, x(row.p50), mid + 12, strokeColor=MEDIAN, strokeWidth=2)
            )
        elif row.note:
            drawing.add(String(left + 4, mid - 3, row.note, fontSize=7.5, fillColor=MUTED))
        if row.marker is not None:
            mx = x(row.marker)
            drawing.add(
                Polygon(
                    [mx, mid + 7, mx + 7, mid, mx, mid - 7, mx - 7, mid],
                    fillColor=MARKER,
                    strokeColor=colors.white,
                    strokeWidth=0.8,
                )
            )
    for number, (label, value) in enumerate(references):
        rx = x(value)
        drawing.add(
            Line(
                rx,
                plot_bottom,
                rx,
                plot_top,
                strokeColor=INK,
                strokeWidth=0.8,
                strokeDashArray=[3, 2],
            )
        )
        drawing.add(
            String(
                rx,
                plot_bottom - 10 - 9 * (number % 2),
                label,
                fontSize=7,
                fillColor=INK,
                textAnchor="middle",
            )
        )
    legend_y = 4
    items = [
        (BAND_OUTER, "coalition p10-p90"),
        (BAND_INNER, "p25-p75"),
        (MEDIAN, "median"),
        (MARKER, "your practice"),
    ]
    lx = left
    for color, text in items:
        drawing.add(Rect(lx, legend_y, 9, 7, fillColor=color, strokeColor=None))
        drawing.add(String(lx + 12, legend_y, text, fontSize=7, fillColor=INK))
        lx += 20 + 4.2 * len(text) + 10
    return drawing


def trend_drawing(points: list[charts.TrendPoint], *, title: str) -> Drawing:
    height = 170
    drawing = Drawing(WIDTH, height)
    drawing.add(String(0, height - 12, title, fontName="Helvetica-Bold", fontSize=9, fillColor=INK))
    values = [
        float(v)
        for p in points
        for v in (p.p10, p.p25, p.p50, p.p75, p.p90, p.own)
        if v is not None
    ]
    if not values or not points:
        drawing.add(String(0, height / 2, "No years to draw", fontSize=8, fillColor=MUTED))
        return drawing
    low, high = _domain(values)
    left, right, bottom, top = 60, WIDTH - 20, 36, height - 24
    years = [p.year for p in points]
    first, last = min(years), max(years)

    def x(year: int) -> float:
        return (
            (left + right) / 2
            if first == last
            else left + (year - first) / (last - first) * (right - left)
        )

    def y(value) -> float:
        return bottom + (float(value) - low) / (high - low) * (top - bottom)

    for tick in charts._nice_ticks(low, high, 4):
        drawing.add(Line(left, y(tick), right, y(tick), strokeColor=GRID, strokeWidth=0.5))
        drawing.add(
            String(
                left - 4,
                y(tick) - 3,
                charts.compact(tick),
                fontSize=7,
                fillColor=MUTED,
                textAnchor="end",
            )
        )
    for point in points:
        drawing.add(
            String(
                x(point.year),
                bottom - 12,
                str(point.year),
                fontSize=7.5,
                fillColor=INK,
                textAnchor="middle",
            )
        )

    def area(lower: str, upper: str, color) -> None:
        run = [p for p in points if getattr(p, lower) is not None and getattr(p, upper) is not None]
        if len(run) >= 2:
            edge = []
            for p in run:
                edge += [x(p.year), y(getattr(p, upper))]
            for p in reversed(run):
                edge += [x(p.year), y(getattr(p, lower))]
            drawing.add(Polygon(edge, fillColor=color, strokeColor=None))
        for p in run if len(run) == 1 else []:
            drawing.add(
                Line(
                    x(p.year),
                    y(getattr(p, lower)),
                    x(p.year),
                    y(getattr(p, upper)),
                    strokeColor=color,
                    strokeWidth=8,
                )
            )

    def line(attribute: str, color) -> None:
        run = [
            (x(p.year), y(getattr(p, attribute)))
            for p in points
            if getattr(p, attribute) is not None
        ]
        if len(run) >= 2:
            drawing.add(PolyLine([c for xy in run for c in xy], strokeColor=color, strokeWidth=1.6))
        for px, py in run:
            drawing.add(Rect(px - 2.5, py - 2.5, 5, 5, fillColor=color, strokeColor=None))

    area("p10", "p90", BAND_OUTER)
    area("p25", "p75", BAND_INNER)
    line("p50", MEDIAN)
    line("own", MARKER)
    lx = left
    for color, text in [
        (BAND_OUTER, "coalition p10-p90"),
        (BAND_INNER, "p25-p75"),
        (MEDIAN, "coalition median"),
        (MARKER, "your practice"),
    ]:
        drawing.add(Rect(lx, 4, 9, 7, fillColor=color, strokeColor=None))
        drawing.add(String(lx + 12, 4, text, fontSize=7, fillColor=INK))
        lx += 20 + 4.2 * len(text) + 10
    return drawing


# --- the document -------------------------------------------------------------------------------
def render(model: EconomicsModel) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    practice = model.practice.name
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.7 * inch,
        bottomMargin=0.7 * inch,
        title=f"{practice}: hospital support brief {model.year}",
        author=practice,
        subject="Practice economics and hospital support",
    )
    actual = model.actual
    story: list = []

    # Page 1: the summary.
    story.append(_p(f"{practice}: the case for hospital support, {model.year}", styles["title"]))
    story.append(
        _p(
            f"From the practice's approved financials for {model.year} (version "
            f"{model.source.version}) and the coalition's published benchmarks.",
            styles["small"],
        )
    )
    story.append(Spacer(1, 10))
    key = [
        [
            _p("Deficit (expenses - revenue)", styles["label"]),
            _p("Support needed per radiologist FTE", styles["label"]),
            _p("The ask", styles["label"]),
        ],
        [
            _p(whole_dollars(actual.deficit), styles["big"]),
            _p(dollars(actual.support_needed_per_fte), styles["big"]),
            _p(
                whole_dollars(
                    model.asks.total if model.asks.items else actual.remaining_gap or actual.deficit
                ),
                styles["big"],
            ),
        ],
        [
            _p(f"{dollars(actual.deficit)} exactly", styles["small"]),
            _p(f"over {actual.radiologist_fte} FTE", styles["small"]),
            _p(
                "itemized below"
                if model.asks.items
                else (
                    "the remaining gap after support received"
                    if actual.remaining_gap is not None
                    else "the deficit"
                ),
                styles["small"],
            ),
        ],
    ]
    summary = Table(key, colWidths=[WIDTH / 3] * 3)
    summary.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, INK),
                ("INNERGRID", (0, 0), (-1, -1), 0, colors.white),
                ("LINEAFTER", (0, 0), (1, -1), 0.4, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    story.append(summary)
    story.append(Spacer(1, 10))
    figures = [
        ["", "Amount"],
        ["Total revenue", dollars(actual.total_revenue)],
        ["Provider expense", dollars(actual.provider_expense)],
        ["Operating expense", dollars(actual.operating_expense)],
        ["Total expense", dollars(actual.total_expense)],
        ["Deficit", dollars(actual.deficit)],
        ["Radiologist FTE", f"{actual.radiologist_fte}"],
        ["Support needed per FTE", dollars(actual.support_needed_per_fte)],
    ]
    if actual.hospital_support_received is not None:
        figures += [
            ["Hospital support already received", dollars(actual.hospital_support_received)],
            ["Remaining gap", dollars(actual.remaining_gap)],
            ["Remaining gap per FTE", dollars(actual.remaining_gap_per_fte)],
        ]
    story.append(_table(figures, [WIDTH * 0.6, WIDTH * 0.4]))
    story.append(Spacer(1, 8))
    lines = []
    if model.typical.complete:
        lines.append(
            f"Support needed per FTE of {dollars(actual.support_needed_per_fte)} is "
            f"{model.typical_position} of {whole_dollars(model.typical.low.value)} to "
            f"{whole_dollars(model.typical.high.value)} per FTE (source: {model.typical.low.source})."
        )
    support = next((p for p in model.distribution if p.metric == "support_needed_per_fte"), None)
    if support is not None:
        for cell in support.cells:
            if cell.suppressed:
                continue
            lines.append(
                f"Against the coalition ({cell.label.lower()}, {model.release.year}): "
                f"{support.brackets.get(cell.dimension, '')}; coalition median "
                f"{dollars(cell.statistics.get('p50'))}."
            )
    elif model.release is None:
        lines.append(f"The coalition's {model.year} benchmarks are not published yet.")
    if model.asks.items:
        share = model.asks.share_of_cost_basis
        lines.append(
            f"The itemized asks total {dollars(model.asks.total)}"
            + (
                f", {share:.1f}% of the {dollars(model.asks.cost_basis)} deficit."
                if share is not None
                else "."
            )
        )
    for line in lines:
        story.append(_p(line, styles["body"]))
    if model.quality:
        story.append(Spacer(1, 6))
        story.append(
            _p(
                "Quality the group brings: "
                + "; ".join(
                    f"{q.label} {q.value.normalize():f}{' (target ' + q.target + ')' if q.target else ''}"
                    for q in model.quality[:3]
                )
                + ".",
                styles["body"],
            )
        )
    story.append(PageBreak())

    # The coalition comparison.
    story.append(_p("Against the coalition", styles["h2"]))
    if model.release is None:
        story.append(_p(f"No coalition release for {model.year} is published yet.", styles["body"]))
    for position in model.distribution:
        rows = presentation.band_rows(model, position.metric)
        refs = (
            presentation.typical_references(model)
            if position.metric == "support_needed_per_fte"
            else []
        )
        block = [
            band_drawing(
                rows, title=f"{position.label} ({position.unit}), {model.year}", references=refs
            )
        ]
        table = [["Group", "p10", "p25", "Median", "p75", "p90", "Yours", "Where"]]
        for cell in position.cells:
            if cell.suppressed:
                table.append([cell.label, "withheld", "", "", "", "", dollars(position.value), ""])
                continue
            stats = cell.statistics
            table.append(
                [
                    cell.label,
                    *[charts.compact(stats.get(s)) for s in ("p10", "p25", "p50", "p75", "p90")],
                    dollars(position.value),
                    position.brackets.get(cell.dimension, ""),
                ]
            )
        block.append(
            _table(table, [WIDTH * 0.22] + [WIDTH * 0.08] * 5 + [WIDTH * 0.16, WIDTH * 0.22])
        )
        block.append(Spacer(1, 8))
        story.append(KeepTogether(block))
    story.append(
        KeepTogether(
            [
                trend_drawing(
                    presentation.trend_points(model), title="Support needed per FTE over the years"
                ),
                _table(
                    [["Year", "Yours", "Coalition p25", "Median", "p75"]]
                    + [
                        [
                            str(t.year),
                            dollars(t.support_needed_per_fte),
                            *[
                                dollars(t.cell.statistics.get(s))
                                if t.cell and not t.cell.suppressed
                                else "–"
                                for s in ("p25", "p50", "p75")
                            ],
                        ]
                        for t in model.trend
                    ],
                    [WIDTH * 0.2] * 5,
                ),
            ]
        )
    )

    # Scenarios.
    story.append(_p("Scenarios", styles["h2"]))
    rows = [["Scenario", "FTE", "Provider expense", "Deficit", "Support per FTE"]]
    notes = []
    for outcome in [*model.standard_scenarios, *model.saved_scenarios]:
        if outcome.result is None:
            rows.append([_p(outcome.name, styles["body"]), "", "", "", "not computed"])
            notes.append(f"{outcome.name}: {outcome.error}")
            continue
        result = outcome.result
        label = outcome.name + (f" (v{outcome.version.number})" if outcome.version else "")
        rows.append(
            [
                _p(f"{label}: {outcome.description}", styles["body"]),
                f"{result.radiologist_fte}",
                whole_dollars(result.provider_expense),
                whole_dollars(result.deficit),
                dollars(result.support_needed_per_fte),
            ]
        )
    rows.insert(
        1,
        [
            _p("Actual", styles["body"]),
            f"{actual.radiologist_fte}",
            whole_dollars(actual.provider_expense),
            whole_dollars(actual.deficit),
            dollars(actual.support_needed_per_fte),
        ],
    )
    story.append(
        _table(rows, [WIDTH * 0.44, WIDTH * 0.1, WIDTH * 0.16, WIDTH * 0.15, WIDTH * 0.15])
    )
    for note in notes:
        story.append(_p(note, styles["small"]))

    # The asks.
    story.append(_p("The itemized asks", styles["h2"]))
    if model.asks.items:
        rows = [["Ask", "Amount", "Note"]]
        for ask in model.asks.items:
            rows.append(
                [
                    _p(ask.get_category_display(), styles["body"]),
                    dollars(ask.amount),
                    _p(ask.note, styles["body"]),
                ]
            )
        rows.append(["Total", dollars(model.asks.total), ""])
        rows.append(["Cost-basis figure (the deficit)", dollars(model.asks.cost_basis), ""])
        rows.append(["Asks minus cost basis", dollars(model.asks.difference), ""])
        story.append(_table(rows, [WIDTH * 0.38, WIDTH * 0.18, WIDTH * 0.44], left=(2,)))
    else:
        story.append(_p("No itemized asks entered.", styles["body"]))

    # Quality.
    story.append(_p("Quality figures", styles["h2"]))
    if model.quality:
        rows = [["Measure", "Yours", "Target", "Coalition median"]]
        for q in model.quality:
            median = (
                q.coalition.statistics.get("p50")
                if q.coalition and not q.coalition.suppressed
                else None
            )
            rows.append(
                [
                    _p(q.label, styles["body"]),
                    f"{q.value.normalize():f}",
                    q.target,
                    "–" if median is None else f"{median.normalize():f}",
                ]
            )
        story.append(_table(rows, [WIDTH * 0.5, WIDTH * 0.15, WIDTH * 0.17, WIDTH * 0.18]))
    else:
        story.append(_p(f"No published quality figures for {model.year}.", styles["body"]))

    story.append(_p("Sources", styles["h2"]))
    for line in sources(model):
        story.append(_p(line, styles["small"]))

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            0.75 * inch, 0.45 * inch, f"{practice} · hospital support brief {model.year}"
        )
        canvas.drawRightString(LETTER[0] - 0.75 * inch, 0.45 * inch, f"page {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
