"""CSV and XLSX files of benchmark rows, safe to open in a spreadsheet.

A text cell that begins with = + - @ (or a tab or carriage return) could run as a formula, so
it is prefixed with an apostrophe. Numbers are written as numbers: a negative figure such as a
practice's surplus stays a number (it cannot be a formula), which keeps the file usable.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_text(value: object) -> str:
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal | float):
        return str(value)
    return safe_text(value)


def _xlsx_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | Decimal | float):
        return value
    return safe_text(value)


def csv_bytes(rows: Iterable[dict], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: Iterable[dict], columns: list[str], *, title: str = "benchmarks") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(columns)
    for row in rows:
        sheet.append([_xlsx_value(row.get(column)) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_bytes(rows: Iterable[dict], columns: list[str], file_format: str) -> bytes:
    if file_format == "csv":
        return csv_bytes(rows, columns)
    if file_format == "xlsx":
        return xlsx_bytes(rows, columns)
    raise ValueError(f"Unknown export format {file_format!r}; use csv or xlsx.")


def file_response(
    rows: Iterable[dict], columns: list[str], *, file_format: str, filename: str
) -> HttpResponse:
    response = HttpResponse(
        file_bytes(rows, columns, file_format), content_type=FORMATS[file_format]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response
