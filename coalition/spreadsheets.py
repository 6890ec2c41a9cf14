"""The one writer of every CSV and XLSX file the site produces: error reports, templates,
benchmark exports, and every later brief or report. Nothing else in the site writes these
formats (tests/coalition/test_spreadsheets.py fails if a module does).

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` as a formula (and a leading
tab or carriage return can hide one), so such text is written with an apostrophe in front:
`=2+5*cmd|' /C calc'!A0` becomes `'=2+5*cmd|' /C calc'!A0`, shown as text.

How values are written:
- Numbers (int, float, Decimal) stay numbers. In XLSX they are numeric cells, so a negative
  figure such as a practice's surplus is a number, never text and never a formula. In CSV,
  which has no types, they are written in their plain form (`-195441.25`), which a
  spreadsheet reads as that number.
- Text is neutralized when it begins with one of the characters above, unless it is exactly a
  plain decimal number (`-12.5`: an optional minus, digits, an optional fraction), which a
  spreadsheet reads as that number and which cannot be a formula. `-2+3`, `+1`, `-1e5` and
  `@SUM(A1)` are all prefixed.
- None is an empty cell; True and False are `true` and `false` in CSV and booleans in XLSX.
- In XLSX, text is a text cell (openpyxl would store a string beginning with `=` as a formula;
  neutralized text never does), and characters XML cannot hold are dropped rather than
  failing the download.
Header cells are values like any other.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

# The control characters an XLSX cell cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE); kept here
# so that writing CSV never imports openpyxl, which takes a quarter of a second to load.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}
_NUMBERS = (int, float, Decimal)


def safe_text(value: object) -> str:
    """The text of a value, with an apostrophe in front when a spreadsheet would run it."""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _NUMBERS):
        return str(value)
    return safe_text(value)


def xlsx_cell(value: object) -> object:
    if value is None or isinstance(value, (bool, *_NUMBERS)):
        return value
    if isinstance(value, datetime | date | time):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", safe_text(value))


# --- CSV ----------------------------------------------------------------------------------------
class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(
    rows: Iterable[Sequence[object]],
    *,
    header: Sequence[object] | None = None,
    line_terminator: str = "\r\n",
) -> Iterator[str]:
    """One formatted CSV line at a time (for streaming responses and printed reports)."""
    writer = csv.writer(_Echo(), lineterminator=line_terminator)
    if header is not None:
        yield writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def csv_bytes(
    rows: Iterable[Sequence[object]],
    *,
    header: Sequence[object] | None = None,
    line_terminator: str = "\r\n",
) -> bytes:
    return "".join(csv_lines(rows, header=header, line_terminator=line_terminator)).encode()


def records(rows: Iterable[Mapping[str, object]], columns: Sequence[str]) -> Iterator[list]:
    """Mappings as rows in the order of `columns` (a missing key is an empty cell)."""
    for row in rows:
        yield [row.get(column) for column in columns]


# --- XLSX ---------------------------------------------------------------------------------------
def new_workbook(*, write_only: bool = False) -> Workbook:
    """A workbook to fill with append_row(); styles, widths and validations may be set on it
    directly (they are not cell values)."""
    from openpyxl import Workbook

    return Workbook(write_only=write_only)


def append_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """Append a row of neutralized values (text never begins with `=`, so openpyxl never
    stores it as a formula)."""
    sheet.append([xlsx_cell(value) for value in values])


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(
    rows: Iterable[Sequence[object]],
    *,
    header: Sequence[object] | None = None,
    title: str = "Sheet1",
) -> bytes:
    """A one-sheet workbook (write-only: memory stays flat for long exports)."""
    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    if header is not None:
        append_row(sheet, header)
    for row in rows:
        append_row(sheet, row)
    return workbook_bytes(workbook)


def _sheet_title(title: str) -> str:
    # Excel refuses these characters and titles longer than 31 characters.
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet1"


def file_bytes(
    rows: Iterable[Sequence[object]],
    *,
    header: Sequence[object] | None,
    file_format: str,
    title: str = "Sheet1",
) -> bytes:
    if file_format == "csv":
        return csv_bytes(rows, header=header)
    if file_format == "xlsx":
        return xlsx_bytes(rows, header=header, title=title)
    raise ValueError(f"Unknown spreadsheet format {file_format!r}; use csv or xlsx.")
