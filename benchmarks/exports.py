"""CSV and XLSX files of benchmark rows, written by the site's one spreadsheet writer
(coalition/spreadsheets.py): text a spreadsheet could run as a formula is neutralized, numbers
stay numbers (a negative figure such as a practice's surplus is a number)."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse

from coalition import spreadsheets

FORMATS = spreadsheets.CONTENT_TYPES


def csv_bytes(rows: Iterable[dict], columns: list[str]) -> bytes:
    return spreadsheets.csv_bytes(
        spreadsheets.records(rows, columns), header=columns, line_terminator="\n"
    )


def xlsx_bytes(rows: Iterable[dict], columns: list[str], *, title: str = "benchmarks") -> bytes:
    return spreadsheets.xlsx_bytes(spreadsheets.records(rows, columns), header=columns, title=title)


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
