"""Spreadsheet safety of exports, and the SVG charts."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from benchmarks import charts, exports
from benchmarks.models import BenchmarkCell
from tests.benchmarks import factories
from tests.benchmarks.conftest import publish_year


def test_text_that_could_be_a_formula_is_escaped_numbers_are_not():
    rows = [
        {
            "a": "=1+2",
            "b": "+cmd",
            "c": "-2+3",
            "d": "@SUM(A1)",
            "e": Decimal("-195441.25"),
            "f": "neuro",
        },
        {"a": "\t=x", "b": "-12.5", "c": None, "d": True, "e": 7, "f": "a=b"},
    ]
    columns = list("abcdef")
    text = exports.csv_bytes(rows, columns).decode()
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[0] == {
        "a": "'=1+2",
        "b": "'+cmd",
        "c": "'-2+3",
        "d": "'@SUM(A1)",
        "e": "-195441.25",
        "f": "neuro",
    }
    assert parsed[1] == {"a": "'\t=x", "b": "-12.5", "c": "", "d": "true", "e": "7", "f": "a=b"}
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes(rows, columns))).active
    values = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    assert values[0] == "'=1+2"
    assert float(values[4]) == -195441.25  # a number, not text
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_formula_in_submitted_data_is_escaped_in_the_export(client_as, viewer_a, practice_a, db):
    members = [practice_a, *factories.practices(5)]
    for practice in members:
        sub = factories.submission(practice, kind="provider_year", year=2023)
        factories.provider_rows(
            practice,
            sub,
            [
                {
                    "local_id": f"{practice.slug}-{n}",
                    "subspecialty": "=HYPERLINK(1)",
                    "clinical_fte": 1,
                    "work_rvus": 9000 + n,
                    "total_compensation": 500000,
                }
                for n in range(3)
            ],
            year=2023,
        )
    release = publish_year(2023)
    assert BenchmarkCell.objects.filter(release=release, value="=hyperlink(1)").exists()
    response = client_as(viewer_a).get(
        f"/benchmarks/releases/{release.pk}/export/", {"format": "csv"}
    )
    text = response.content.decode()
    assert "'=hyperlink(1)" in text
    assert "\n=" not in text and ",=" not in text


def test_band_chart_is_accessible_and_escapes_labels():
    svg = charts.band_chart(
        [
            charts.BandRow(
                label="<script>", p10=1, p25=2, p50=3, p75=4, p90=5, marker=3.5, dots=[1.5, 4.5]
            )
        ],
        chart_id="c1",
        title='Title "quoted"',
        description="Desc & more",
        references=[("Survey <b>", 4.2)],
    )
    assert 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Desc &amp; more" in svg and "Survey &lt;b&gt;" in svg
    plot = svg.split('<g class="legend">')[0]  # the legend shows one dot and one diamond too
    assert plot.count('class="dot"') == 2 and 'class="marker"' in plot


def test_band_chart_without_figures_says_so():
    svg = charts.band_chart(
        [charts.BandRow(label="west", note="withheld")], chart_id="c", title="t", description="d"
    )
    assert "No published figures" in svg


def test_trend_chart_draws_gaps_for_withheld_years():
    points = [
        charts.TrendPoint(2021, 1, 2, 3, 4, 5, own=3.2),
        charts.TrendPoint(2022),
        charts.TrendPoint(2023, 1, 2, 3, 4, 5, own=2.9),
        charts.TrendPoint(2024, 1.5, 2.5, 3.5, 4.5, 5.5, own=3.1),
    ]
    svg = charts.trend_chart(points, chart_id="t", title="t", description="d")
    assert svg.count("<polygon") == 2  # p10-p90 and p25-p75 over 2023-2024; 2021 stands alone
    assert "2022" in svg


def test_compact_numbers():
    assert charts.compact(10693) == "10.7k"
    assert charts.compact(553861) == "554k"
    assert charts.compact(54.43) == "54.43"
    assert charts.compact(-195441) == "-195k"
    assert charts.compact(2_500_000) == "2.50M"


def test_band_chart_legend_names_the_provider_dots():
    row = charts.BandRow("All", 1, 2, 3, 4, 5, marker=3, dots=[2.5, 3.5])
    svg = str(charts.band_chart([row], chart_id="c", title="t", description="d"))
    legend = svg[svg.index('<g class="legend">') :]
    assert 'class="dot"' in legend and "Your providers" in legend
    without = str(
        charts.band_chart(
            [charts.BandRow("All", 1, 2, 3, 4, 5)], chart_id="c", title="t", description="d"
        )
    )
    assert "Your providers" not in without


def test_hospital_support_chart_shows_the_typical_range_as_a_band():
    from benchmarks.metrics import METRICS
    from benchmarks.models import ReferenceFigure
    from benchmarks.selectors import TypicalRange

    ends = TypicalRange(
        low=ReferenceFigure(statistic="range_low", value=Decimal(100_000)),
        high=ReferenceFigure(statistic="range_high", value=Decimal(300_000)),
    )
    typical = ends.band(METRICS["support_needed_per_fte"])
    assert typical[:2] == (Decimal(100_000), Decimal(300_000))
    assert TypicalRange(low=ends.low, high=None).band(METRICS["support_needed_per_fte"]) is None
    row = charts.BandRow("All", -200_000, -100_000, 10_000, 250_000, 500_000)
    svg = str(
        charts.band_chart([row], chart_id="c", title="t", description="d", typical_range=typical)
    )
    band = svg[svg.index('<g class="typical-range">') :]
    assert "typical range, $100,000–$300,000" in band
    # The band spans 100,000 to 300,000 on the chart's own scale: as wide as the distance
    # between p75 (250,000) and p25 (-100,000) times 200/350.
    import re

    rect = re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', band)
    inner = re.search(r'class="band-inner" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    assert abs(float(rect.group(2)) - float(inner.group(2)) * 200 / 350) < 0.2
    # Figures far outside the range still widen the scale to include it.
    small = charts.BandRow("All", 1, 2, 3, 4, 5)
    svg = str(
        charts.band_chart([small], chart_id="c", title="t", description="d", typical_range=typical)
    )
    assert "300k" in svg or "250k" in svg
