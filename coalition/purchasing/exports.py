"""Every CSV and XLSX the purchasing pages and commands write goes through here, and from here
through the site's one formula-safe writer (coalition/spreadsheets.py): a text cell beginning
with = + - @ (or a tab or carriage return) is prefixed with an apostrophe; numbers stay
numbers."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse

from benchmarks.exports import FORMATS, csv_bytes, xlsx_bytes
from coalition.spreadsheets import safe_text

__all__ = ["FORMATS", "file_bytes", "file_response", "safe_text"]


def file_bytes(rows: Iterable[dict], columns: list[str], file_format: str, *, title: str) -> bytes:
    if file_format == "csv":
        return csv_bytes(rows, columns)
    if file_format == "xlsx":
        return xlsx_bytes(rows, columns, title=title)
    raise ValueError(f"Unknown format {file_format!r}; use csv or xlsx.")


def file_response(
    rows: Iterable[dict], columns: list[str], *, file_format: str, filename: str, title: str
) -> HttpResponse:
    response = HttpResponse(
        file_bytes(rows, columns, file_format, title=title), content_type=FORMATS[file_format]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response
