"""The brief a practice hands to its hospital: JSON, XLSX (the model as live formulas) and PDF
(ReportLab, for print).

What goes in: the practice's own figures, published coalition statistics (never a suppressed
one: those cells carry no statistics here) and external reference figures with their source.
No other practice is named anywhere.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from decimal import Decimal

from benchmarks.economics import presentation
from benchmarks.economics.selectors import EconomicsModel, sources
from coalition import spreadsheets

FORMATS = {
    "pdf": "application/pdf",
    "xlsx": spreadsheets.CONTENT_TYPES["xlsx"],
    "json": "application/json",
}


def filename(model: EconomicsModel, file_format: str) -> str:
    return f"{model.practice.slug}-economics-{model.year}.{file_format}"


def brief_bytes(model: EconomicsModel, file_format: str) -> bytes:
    if file_format == "json":
        return brief_json(model)
    if file_format == "xlsx":
        return brief_xlsx(model)
    if file_format == "pdf":
        return brief_pdf(model)
    raise ValueError(f"Unknown brief format {file_format!r}; use pdf, xlsx or json.")


def brief_json(model: EconomicsModel) -> bytes:
    return json.dumps(presentation.model_data(model), indent=2).encode()


# --- XLSX ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Formula:
    """A formula this module writes on purpose; everything else that is text is escaped."""

    text: str


def sheet_value(value: object) -> object:
    """The one place a value becomes a spreadsheet cell: our own formulas stay formulas, text
    goes through the project's formula-safe escaping, numbers stay numbers."""
    if isinstance(value, Formula):
        return value.text
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    return spreadsheets.xlsx_cell(value)


MONEY_FORMAT = '"$"#,##0.00;-"$"#,##0.00'
PCT_FORMAT = "0.00"


def brief_xlsx(model: EconomicsModel) -> bytes:
    from openpyxl.styles import Font

    workbook = spreadsheets.new_workbook()
    sheet = workbook.active
    sheet.title = "Model"
    bold = Font(bold=True)

    def put(row: int, values: list, *, fmt: str | None = None, strong: bool = False) -> None:
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=sheet_value(value))
            if fmt and column == 2 and not isinstance(value, str):
                cell.number_format = fmt
            if strong:
                cell.font = bold

    fin = model.source.financials
    put(1, [f"{model.practice.name}: practice economics {model.year}"], strong=True)
    put(2, [f"From the approved practice financials, version {model.source.version}"])
    # Inputs (B4-B8) and the model (B10-B15) as formulas over them.
    put(4, ["Total revenue", fin.total_revenue], fmt=MONEY_FORMAT)
    put(5, ["Provider expense", fin.provider_expense], fmt=MONEY_FORMAT)
    put(6, ["Operating expense", fin.operating_expense], fmt=MONEY_FORMAT)
    put(7, ["Radiologist FTE", fin.radiologist_fte], fmt="0.00")
    put(8, ["Hospital support received", fin.hospital_support_received], fmt=MONEY_FORMAT)
    put(10, ["Total expense", Formula("=B5+B6")], fmt=MONEY_FORMAT)
    put(11, ["Deficit (expense - revenue)", Formula("=B10-B4")], fmt=MONEY_FORMAT, strong=True)
    put(12, ["Support needed per FTE", Formula("=B11/B7")], fmt=MONEY_FORMAT, strong=True)
    if fin.hospital_support_received is not None:
        put(13, ["Remaining gap", Formula("=B11-B8")], fmt=MONEY_FORMAT)
        put(14, ["Remaining gap per FTE", Formula("=B13/B7")], fmt=MONEY_FORMAT)
    else:
        put(13, ["Remaining gap", "no support received reported"])
    put(15, ["Revenue per FTE", Formula("=B4/B7")], fmt=MONEY_FORMAT)
    put(16, ["Expense per FTE", Formula("=B10/B7")], fmt=MONEY_FORMAT)
    low, high = model.typical.low, model.typical.high
    put(18, ["Typical support per FTE, low", low.value if low else None], fmt=MONEY_FORMAT)
    put(19, ["Typical support per FTE, high", high.value if high else None], fmt=MONEY_FORMAT)
    if low is not None:
        put(20, ["Source of the typical range", low.source])
    put(
        21,
        [
            "Support per FTE against the typical range",
            Formula('=IF(B12<B18,"below",IF(B12>B19,"above","within"))')
            if low and high
            else "no typical range entered",
        ],
    )
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 22

    # Scenarios: each row re-computes from the inputs on the Model sheet.
    scen = workbook.create_sheet("Scenarios")
    header = [
        "Scenario",
        "Description",
        "Comp per FTE (coalition)",
        "Revenue per RVU change %",
        "FTE change",
        "Operating expense change",
        "FTE",
        "Revenue",
        "Provider expense",
        "Operating expense",
        "Deficit",
        "Support needed per FTE",
    ]
    for column, value in enumerate(header, start=1):
        scen.cell(row=1, column=column, value=sheet_value(value)).font = bold
    outcomes = [*model.standard_scenarios, *model.saved_scenarios]
    row = 2
    for outcome in outcomes:
        if outcome.result is None:
            scen.cell(row=row, column=1, value=sheet_value(outcome.name))
            scen.cell(row=row, column=2, value=sheet_value(f"not computed: {outcome.error}"))
            row += 1
            continue
        version = outcome.version
        comp = outcome.comp.value if outcome.comp else None
        pct = version.revenue_per_rvu_change_pct if version else Decimal("0")
        fte_change = version.fte_change if version else Decimal("0")
        opex = version.operating_expense_change if version else Decimal("0")
        values = [
            outcome.name,
            outcome.description,
            comp,
            pct,
            fte_change,
            opex,
            Formula(f"=Model!B7+E{row}"),
            Formula(f"=Model!B4*(100+D{row})/100"),
            # Coalition pay x FTE', or the practice's own provider expense per FTE x FTE'.
            Formula(f"=C{row}*G{row}" if comp is not None else f"=Model!B5*G{row}/Model!B7"),
            Formula(f"=Model!B6+F{row}"),
            Formula(f"=I{row}+J{row}-H{row}"),
            Formula(f"=K{row}/G{row}"),
        ]
        for column, value in enumerate(values, start=1):
            cell = scen.cell(row=row, column=column, value=sheet_value(value))
            if column >= 8 or column in (3, 6):
                cell.number_format = MONEY_FORMAT
        row += 1
    for letter, width in zip(
        "ABCDEFGHIJKL", [34, 48, 16, 14, 10, 16, 10, 16, 16, 16, 16, 16], strict=True
    ):
        scen.column_dimensions[letter].width = width

    asks = workbook.create_sheet("Asks")
    for column, value in enumerate(["Category", "Amount", "Note"], start=1):
        asks.cell(row=1, column=column, value=value).font = bold
    row = 2
    for ask in model.asks.items:
        asks.cell(row=row, column=1, value=sheet_value(ask.get_category_display()))
        asks.cell(row=row, column=2, value=ask.amount).number_format = MONEY_FORMAT
        asks.cell(row=row, column=3, value=sheet_value(ask.note))
        row += 1
    last = row - 1
    total_row = row + 1
    asks.cell(row=total_row, column=1, value="Total of the asks").font = bold
    total = Formula(f"=SUM(B2:B{last})") if last >= 2 else Decimal("0")
    summary = [
        ("Total of the asks", total, MONEY_FORMAT),
        ("Cost-basis figure (the deficit)", Formula("=Model!B11"), MONEY_FORMAT),
        ("Asks minus cost basis", Formula(f"=B{total_row}-B{total_row + 1}"), MONEY_FORMAT),
        (
            "Asks as % of the cost basis",
            Formula(f'=IF(B{total_row + 1}>0,100*B{total_row}/B{total_row + 1},"")'),
            PCT_FORMAT,
        ),
    ]
    for offset, (label, value, fmt) in enumerate(summary):
        asks.cell(row=total_row + offset, column=1, value=sheet_value(label)).font = bold
        asks.cell(row=total_row + offset, column=2, value=sheet_value(value)).number_format = fmt
    asks.column_dimensions["A"].width = 44
    asks.column_dimensions["B"].width = 18
    asks.column_dimensions["C"].width = 60

    coalition = workbook.create_sheet("Coalition")
    header = [
        "Metric",
        "Group",
        "Practices",
        "p10",
        "p25",
        "Median",
        "p75",
        "p90",
        "Yours",
        "Where",
        "Withheld because",
    ]
    for column, value in enumerate(header, start=1):
        coalition.cell(row=1, column=column, value=value).font = bold
    row = 2
    for position in model.distribution:
        for cell in position.cells:
            stats = cell.statistics
            values = [
                position.label,
                cell.label,
                cell.n_practices,
                stats.get("p10"),
                stats.get("p25"),
                stats.get("p50"),
                stats.get("p75"),
                stats.get("p90"),
                presentation.cents(position.value),
                position.brackets.get(cell.dimension, ""),
                cell.suppression_reason if cell.suppressed else "",
            ]
            for column, value in enumerate(values, start=1):
                coalition.cell(row=row, column=column, value=sheet_value(value))
            row += 1
    row += 1
    coalition.cell(row=row, column=1, value="Support needed per FTE by year").font = bold
    row += 1
    for column, value in enumerate(["Year", "Yours", "Coalition p25", "Median", "p75"], start=1):
        coalition.cell(row=row, column=column, value=value).font = bold
    for point in model.trend:
        row += 1
        stats = point.cell.statistics if point.cell else {}
        for column, value in enumerate(
            [
                point.year,
                presentation.cents(point.support_needed_per_fte),
                stats.get("p25"),
                stats.get("p50"),
                stats.get("p75"),
            ],
            start=1,
        ):
            coalition.cell(row=row, column=column, value=sheet_value(value))
    coalition.column_dimensions["A"].width = 36
    coalition.column_dimensions["B"].width = 26

    if model.quality:
        quality = workbook.create_sheet("Quality")
        for column, value in enumerate(["Measure", "Yours", "Target", "Coalition median"], start=1):
            quality.cell(row=1, column=column, value=value).font = bold
        for row, figure in enumerate(model.quality, start=2):
            median = figure.coalition.statistics.get("p50") if figure.coalition else None
            for column, value in enumerate(
                [figure.label, figure.value, figure.target, median], start=1
            ):
                quality.cell(row=row, column=column, value=sheet_value(value))
        quality.column_dimensions["A"].width = 50

    notes = workbook.create_sheet("Sources")
    for row, line in enumerate(sources(model), start=1):
        notes.cell(row=row, column=1, value=sheet_value(line))
    notes.column_dimensions["A"].width = 120

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- PDF ----------------------------------------------------------------------------------------
def brief_pdf(model: EconomicsModel) -> bytes:
    from benchmarks.economics import brief_pdf as pdf

    return pdf.render(model)
