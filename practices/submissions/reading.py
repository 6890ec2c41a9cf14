"""Reading an uploaded file into a table of text cells, safely.

CSV: UTF-8 (with or without byte-order mark), UTF-16 with a byte-order mark (Excel's "Unicode
text") or Windows-1252; comma, semicolon or tab; CRLF or LF. Parsed by Arrow's CSV reader,
which is multi-threaded and strict about the number of fields in a row.

XLSX: the sheet named after the kind, else the first sheet. Before openpyxl reads anything, the
archive is checked: its size, the number of entries, their declared uncompressed size and the
compression ratio (a zip bomb fails these), encryption, and the CRC of every entry (a truncated
file fails that). openpyxl parses the XML through defusedxml (no entity expansion).

The result is a polars DataFrame whose columns are the schema's column names (all text) plus
`__row`, the row number as a spreadsheet shows it (the header is row 1).

A large plain CSV (over 128 MB; UTF-8, no quotes, no blank lines, every line with the header's
number of fields: proved by one pass over the bytes, BATCH_BYTES at a time) can instead be read as
batches of rows (`read_file(batched=True)`), each parsed only when validation asks for it, so
that neither the file's bytes nor all of its text cells are held at once. The batches are the
rows the whole-file read would give, with the same row numbers.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
import polars as pl
from django.conf import settings

from practices.submissions import issues as I
from practices.submissions.phi import phi_kind, phi_message
from practices.submissions.schemas import ROW, KindSchema

if TYPE_CHECKING:
    import pyarrow as pa

XLSX_CHUNK_ROWS = 50_000
# A plain CSV of more than BATCHES_FROM batches is read in batches of about BATCH_BYTES (a
# smaller one is read faster whole, and fits in memory anyway).
BATCH_BYTES = 32 << 20
BATCHES_FROM = 4
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}


@dataclass
class ReadResult:
    frame: pl.DataFrame | None  # None when read in batches
    file_format: str  # "csv" or "xlsx"
    detail: str  # e.g. "CSV, UTF-8, semicolon-separated"
    # Problems of the header that still let the rows be read (an unknown, missing or repeated
    # column): the file is rejected, but its known columns' rows are checked in the same round,
    # so that one upload reports everything. Validation adds them to its errors.
    header_issues: list[I.Issue] = field(default_factory=list)
    # Required columns missing from the file: present in `frame` but empty, and not checked.
    unchecked: frozenset[str] = frozenset()
    # Instead of `frame`: the rows in order, a frame per batch, parsed as they are asked for
    # (once), and the number of data lines.
    batches: Iterator[pl.DataFrame] | None = None
    lines: int = 0

    @property
    def rows(self) -> int:
        """The number of rows (of data lines, for a file read in batches)."""
        return self.frame.height if self.frame is not None else self.lines


def normalize_header(name: str) -> str:
    """Header names match case- and whitespace-insensitively: " Provider ID" is provider_id."""
    return re.sub(r"[\s_]+", "_", str(name).strip().lower())


# --- entry point ---------------------------------------------------------------------------------
def read_file(
    source: BinaryIO, *, schema: KindSchema, size: int, batched: bool = False
) -> ReadResult:
    """Read the whole file; raises issues.FileRejected with file-level errors. `batched`: a
    large plain CSV is returned as batches instead (the caller reads them from `source`, which
    must stay open and seekable until then)."""
    limit = settings.SUBMISSION_MAX_UPLOAD_BYTES
    if size > limit:
        raise I.FileRejected([I.error("file_too_large", _too_large_message(size, limit))])
    if size == 0:
        raise I.FileRejected([I.error("empty_file", "The file is empty.")])
    head = source.read(8)
    source.seek(0)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _read_xlsx(source, schema=schema)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise I.FileRejected(
            [
                I.error(
                    "unsupported_format",
                    "This is an Excel 97-2003 (.xls) workbook: save it as XLSX or CSV.",
                )
            ]
        )
    if batched and size > BATCHES_FROM * BATCH_BYTES:
        result = _read_csv_batches(source, schema=schema)
        if result is not None:
            return result
        source.seek(0)
    return _read_csv(source.read(), schema=schema)


def _too_large_message(size: int, limit: int) -> str:
    return (
        f"The file is {size / 1_000_000:.1f} MB; the limit is {limit / 1_000_000:.0f} MB. "
        "Split it or ask the coalition to raise the limit."
    )


# --- CSV -------------------------------------------------------------------------------------------
def _decode(data: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes (without BOM) and the name of the encoding the file was in."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise I.FileRejected(
                [I.error("bad_encoding", "The file says it is UTF-8 but is not valid UTF-8.")]
            ) from None
        return data, "UTF-8 with BOM"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8"), "UTF-16"
        except UnicodeDecodeError:
            raise I.FileRejected(
                [I.error("bad_encoding", "The file says it is UTF-16 but is not valid UTF-16.")]
            ) from None
    if b"\x00" in data[:65536]:
        raise I.FileRejected([_not_text_error()])
    if data.isascii():  # plain ASCII is valid UTF-8; no need to decode it to know
        return data, "UTF-8"
    try:
        data.decode("utf-8")
        return data, "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise I.FileRejected([_not_text_error()]) from None
    if _looks_binary(text):
        raise I.FileRejected([_not_text_error()])
    return text.encode("utf-8"), "Windows-1252"


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > max(2, len(sample) // 100)


def _not_text_error() -> I.Issue:
    return I.error(
        "not_a_table",
        "The file is neither a CSV text file (UTF-8 or Windows-1252) nor an XLSX workbook.",
    )


def _first_record(text_head: str, delimiter: str) -> list[str]:
    reader = csv.reader(io.StringIO(text_head, newline=""), delimiter=delimiter)
    return next(reader, [])


def _read_csv(data: bytes, *, schema: KindSchema) -> ReadResult:
    data, encoding = _decode(data)
    head = data[:65536].decode("utf-8", errors="ignore")
    first_line = head.split("\n", 1)[0]
    if not first_line.strip():
        raise I.FileRejected(
            [I.error("no_header", "The first line is empty: it must hold the column names.")]
        )
    delimiter = max(_DELIMITERS, key=lambda d: first_line.count(d))
    if first_line.count(delimiter) == 0:
        delimiter = ","
    header = _first_record(head, delimiter)
    mapping, header_issues = map_header(header, schema=schema)
    names = [f"c{i}" for i in range(len(header))]
    try:
        frame = _read_plain_csv(data, names, delimiter)
        if frame is None:
            frame = _read_csv_exactly(data, names, delimiter)
        frame = _apply_mapping(frame, names, mapping, schema)
    except I.FileRejected as rejected:  # rows that cannot be read: report the header too
        raise I.FileRejected([*header_issues, *rejected.issues]) from None
    detail = f"CSV, {encoding}, {_DELIMITERS[delimiter]}-separated"
    return ReadResult(
        frame=frame,
        file_format="csv",
        detail=detail,
        header_issues=header_issues,
        unchecked=_absent_required(mapping, schema),
    )


def _absent_required(mapping: dict[int, str], schema: KindSchema) -> frozenset[str]:
    return frozenset(schema.required_names) - set(mapping.values())


def _plain_frame(data, names: list[str], delimiter: str, *, skip_rows: int = 0) -> pl.DataFrame:
    """Lines of a plain CSV (no quotes, every line its fields) as text columns, cells as
    written: polars' reader, which the whole-file and the batched paths share."""
    return pl.read_csv(
        data,
        has_header=False,
        skip_rows=skip_rows,
        schema={name: pl.String for name in names},
        separator=delimiter,
        quote_char=None,
        empty_string_is_null=False,
        truncate_ragged_lines=False,
        raise_if_empty=False,
    )


def _read_plain_csv(data: bytes, names: list[str], delimiter: str) -> pl.DataFrame | None:
    """The fast path for the common file: no quotes, no blank lines, every line with the
    header's number of fields (proved by counting separators and line ends). Anything else
    returns None and takes the exact path."""
    if b'"' in data or b"\n\n" in data or b"\n\r\n" in data:
        return None
    records = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if records - 1 <= 0:
        return None
    try:
        frame = _plain_frame(data, names, delimiter, skip_rows=1)
    except (pl.exceptions.PolarsError, ValueError):
        return None
    separators = data.count(delimiter.encode())
    if frame.height != records - 1 or separators != records * (len(names) - 1):
        return None
    return frame


# --- CSV in batches ---------------------------------------------------------------------------
def _chunks(source: BinaryIO, start: int) -> Iterator[bytes]:
    """The bytes from `start`, about BATCH_BYTES at a time, each ending at a line end (the last
    one at the end of the file)."""
    source.seek(start)
    carry = b""
    while block := source.read(BATCH_BYTES):
        block = carry + block
        end = block.rfind(b"\n") + 1
        if end == 0:
            carry = block
            continue
        carry = block[end:]
        yield block[:end]
    if carry:
        yield carry


def _plain_lines(chunk: bytes, separator: int, fields: int) -> int | None:
    """The number of lines of a chunk that is plain UTF-8 CSV (no quote, no blank line, a
    carriage return only before a line feed, `fields` fields on every line); else None."""
    if b'"' in chunk or b"\x00" in chunk:
        return None
    returns = chunk.count(b"\r")
    if returns and returns != chunk.count(b"\r\n"):
        return None
    if not chunk.isascii():
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            return None
    data = np.frombuffer(chunk, dtype=np.uint8)
    ends = np.flatnonzero(data == 10)
    if not chunk.endswith(b"\n"):
        ends = np.append(ends, data.size)
    # A blank line ("\n" or "\r\n" alone) is a line of one field: of no separator.
    if fields == 1:
        lengths = np.diff(ends, prepend=-1) - 1
        if ((lengths == 0) | ((lengths == 1) & (data[ends - 1] == 13))).any():
            return None
    separators = np.flatnonzero(data == separator)
    per_line = np.diff(np.searchsorted(separators, ends), prepend=0)
    if not (per_line == fields - 1).all():
        return None
    return int(ends.size)


def _read_csv_batches(source: BinaryIO, *, schema: KindSchema) -> ReadResult | None:
    """A plain UTF-8 CSV (without byte-order mark) as batches; None for any other file (the
    whole-file read then decides). One pass proves the file plain, line by line; the batches
    are parsed by a second pass, as validation takes them."""
    head = source.read(65536)
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    header_end = head.find(b"\n")
    if header_end <= 0:
        return None
    try:
        first_line = head[:header_end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not first_line.strip() or '"' in first_line:
        return None
    delimiter = max(_DELIMITERS, key=lambda d: first_line.count(d))
    if first_line.count(delimiter) == 0:
        delimiter = ","
    header = _first_record(first_line, delimiter)
    mapping, header_issues = map_header(header, schema=schema)
    if any(name == "" for name in mapping.values()):
        return None  # a column without a name: the whole-file read checks that it is empty
    names = [f"c{i}" for i in range(len(header))]
    start = header_end + 1
    counts = []
    for chunk in _chunks(source, start):
        lines = _plain_lines(chunk, ord(delimiter), len(names))
        if lines is None:
            return None
        counts.append(lines)
    if not sum(counts):
        return None

    def batches() -> Iterator[pl.DataFrame]:
        first_row = 2
        for chunk, lines in zip(_chunks(source, start), counts, strict=True):
            frame = _plain_frame(chunk, names, delimiter)
            if frame.height != lines:  # cannot happen for a chunk _plain_lines accepted
                raise RuntimeError("a batch of the file did not parse to its lines")
            yield _apply_mapping(frame, names, mapping, schema, first_row=first_row)
            first_row += lines

    return ReadResult(
        frame=None,
        file_format="csv",
        detail=f"CSV, UTF-8, {_DELIMITERS[delimiter]}-separated",
        header_issues=header_issues,
        unchecked=_absent_required(mapping, schema),
        batches=batches(),
        lines=sum(counts),
    )


def _read_csv_exactly(data: bytes, names: list[str], delimiter: str) -> pl.DataFrame:
    """Arrow's reader: quotes, values spanning lines, and the row number of a ragged row."""
    # Imported here: only quoted or irregular files need Arrow, and it is slow to import.
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    quoted = b'"' in data
    bad_rows: list[tuple[int | None, int, int]] = []

    def on_bad_row(row) -> str:
        bad_rows.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    def parse(threads: bool) -> pa.Table:
        return pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(
                column_names=names, skip_rows=1, use_threads=threads, block_size=8 << 20
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=quoted, invalid_row_handler=on_bad_row
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        table = parse(threads=True)
        if bad_rows:
            # Row numbers are only known to a single-threaded parse; bad files can wait for it.
            bad_rows.clear()
            table = parse(threads=False)
    except (pa.ArrowInvalid, pa.ArrowException):
        # Arrow's message quotes the offending text, which may be an identifier: not repeated.
        raise I.FileRejected(
            [I.error("unreadable", "The file could not be read as CSV (check quoting).")]
        ) from None
    if bad_rows:
        problems = [
            I.error(
                "ragged_row",
                f"has {actual} values where the header has {expected} columns",
                row=number,
            )
            for number, expected, actual in bad_rows[: settings.SUBMISSION_MAX_STORED_ISSUES]
        ]
        raise I.FileRejected(problems)
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


# --- header --------------------------------------------------------------------------------------
def map_header(header: list[str], *, schema: KindSchema) -> tuple[dict[int, str], list[I.Issue]]:
    """({position: column name}, problems) for the file's header. A column with a problem is
    left out of the mapping (a repeated one after its first time); the other columns are
    still read and checked."""
    problems: list[I.Issue] = []
    mapping: dict[int, str] = {}
    seen: dict[str, int] = {}
    for position, raw in enumerate(header, start=1):
        name = normalize_header(raw)
        if not name:
            mapping[position - 1] = ""  # allowed if the whole column is empty (checked later)
            continue
        code = phi_kind(str(raw))
        if code:
            problems.append(
                I.error(code, f"The header of column {position} {phi_message(code)}", row=1)
            )
            continue
        if name in seen:
            problems.append(
                I.error(
                    "duplicate_column",
                    f"Column {name} appears twice (columns {seen[name]} and {position}).",
                    row=1,
                    column=name,
                )
            )
            continue
        seen[name] = position
        if name not in schema.column_map:
            problems.append(
                I.error(
                    "unknown_column",
                    f"Column {position} ({name}) is not a {schema.kind} column. "
                    f"Allowed: {', '.join(schema.column_names)}.",
                    row=1,
                    column=name[:100],
                )
            )
            continue
        mapping[position - 1] = name
    missing = [name for name in schema.required_names if name not in seen]
    for name in missing:
        problems.append(
            I.error("missing_column", f"Required column {name} is missing.", row=1, column=name)
        )
    return mapping, problems


def _apply_mapping(
    frame: pl.DataFrame,
    names: list[str],
    mapping: dict[int, str],
    schema: KindSchema,
    *,
    first_row: int = 2,
) -> pl.DataFrame:
    blank_columns = [names[i] for i, name in mapping.items() if name == ""]
    for column in blank_columns:
        if frame.height and frame[column].str.strip_chars().str.len_chars().max() > 0:
            position = names.index(column) + 1
            raise I.FileRejected(
                [I.error("unnamed_column", f"Column {position} has values but no name.", row=1)]
            )
    # Surrounding spaces are stripped by validation (one pass with its other checks).
    selected = [pl.col(names[i]).alias(name) for i, name in mapping.items() if name]
    frame = frame.select(selected)
    # Optional columns left out of the file are empty.
    absent = [c.name for c in schema.columns if c.name not in frame.columns]
    if absent:
        frame = frame.with_columns([pl.lit("", dtype=pl.String).alias(n) for n in absent])
    frame = frame.with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))
    # Rows whose every cell is empty (a spreadsheet's trailing ",,,") are not data. A row
    # can only be empty if its first column is, which is cheap to rule out.
    first = schema.columns[0].name
    if (frame[first] == "").any():
        any_value = pl.any_horizontal([pl.col(c.name) != "" for c in schema.columns])
        frame = frame.filter(any_value)
    return frame.select([ROW, *schema.column_names])


# --- XLSX ----------------------------------------------------------------------------------------
def _check_archive(source: BinaryIO) -> None:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise I.FileRejected(
            [I.error("bad_xlsx", "The XLSX file is damaged or truncated; save it again.")]
        ) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > settings.SUBMISSION_XLSX_MAX_ENTRIES:
            raise I.FileRejected(
                [
                    I.error(
                        "unsafe_xlsx",
                        f"The XLSX archive has {len(entries)} parts; at most "
                        f"{settings.SUBMISSION_XLSX_MAX_ENTRIES} are accepted.",
                    )
                ]
            )
        total = sum(entry.file_size for entry in entries)
        if total > settings.SUBMISSION_XLSX_MAX_UNCOMPRESSED_BYTES:
            raise I.FileRejected(
                [
                    I.error(
                        "unsafe_xlsx",
                        "The XLSX file expands to "
                        f"{total / 1_000_000:.0f} MB; at most "
                        f"{settings.SUBMISSION_XLSX_MAX_UNCOMPRESSED_BYTES / 1_000_000:.0f} MB "
                        "are accepted.",
                    )
                ]
            )
        for entry in entries:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > 1_000_000 and ratio > settings.SUBMISSION_XLSX_MAX_RATIO:
                raise I.FileRejected(
                    [
                        I.error(
                            "unsafe_xlsx",
                            "The XLSX file is compressed far more than a workbook can be "
                            "(a zip bomb?); it was not opened.",
                        )
                    ]
                )
            if entry.flag_bits & 0x1:
                raise I.FileRejected(
                    [I.error("unsafe_xlsx", "The XLSX file is encrypted; remove the password.")]
                )
        names = {entry.filename for entry in entries}
        if "xl/workbook.xml" not in names:
            raise I.FileRejected(
                [I.error("bad_xlsx", "The file is a zip archive but not an XLSX workbook.")]
            )
        try:
            # Reads every entry (bounded by the checks above): CRC errors reveal a truncation.
            broken = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            broken = "?"
        if broken is not None:
            raise I.FileRejected(
                [I.error("bad_xlsx", "The XLSX file is damaged or truncated; save it again.")]
            )


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # 15 significant digits: what the spreadsheet shows, without binary-float noise.
        return format(Decimal(format(value, ".15g")), "f")
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _read_xlsx(source: BinaryIO, *, schema: KindSchema) -> ReadResult:
    import openpyxl

    _check_archive(source)
    source.seek(0)
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for malformed parts
        raise I.FileRejected(
            [I.error("bad_xlsx", "The XLSX file could not be read; save it again.")]
        ) from None
    try:
        sheet_name = next(
            (name for name in workbook.sheetnames if normalize_header(name) == schema.kind),
            workbook.sheetnames[0] if workbook.sheetnames else None,
        )
        if sheet_name is None:
            raise I.FileRejected([I.error("no_header", "The workbook has no sheet.")])
        return _read_sheet(workbook[sheet_name], schema=schema, sheet_name=sheet_name)
    except I.FileRejected:
        raise
    except Exception:
        raise I.FileRejected(
            [I.error("bad_xlsx", "The XLSX file could not be read; save it again.")]
        ) from None
    finally:
        workbook.close()


def _read_sheet(sheet, *, schema: KindSchema, sheet_name: str) -> ReadResult:
    rows = sheet.iter_rows(values_only=True)
    header: list[str] | None = None
    header_row = 0
    for number, values in enumerate(rows, start=1):
        texts = [_cell_text(v).strip() for v in values]
        if any(texts):
            while texts and not texts[-1]:
                texts.pop()
            header, header_row = texts, number
            break
    if header is None:
        raise I.FileRejected([I.error("empty_file", f"Sheet {sheet_name} is empty.")])
    mapping, header_issues = map_header(header, schema=schema)
    width = len(header)
    wanted = [(i, name) for i, name in mapping.items() if name]
    chunks: list[pl.DataFrame] = []
    buffer: dict[str, list] = {name: [] for _, name in wanted}
    buffer[ROW] = []
    problems: list[I.Issue] = []
    max_rows = settings.SUBMISSION_XLSX_MAX_ROWS
    data_rows = 0

    def flush() -> None:
        if buffer[ROW]:
            chunks.append(
                pl.DataFrame(buffer, schema={k: pl.String for k in buffer} | {ROW: pl.Int64})
            )
            for values_list in buffer.values():
                values_list.clear()

    for number, values in enumerate(rows, start=header_row + 1):
        texts = [_cell_text(v).strip() for v in values]
        if not any(texts):
            continue
        data_rows += 1
        if data_rows > max_rows:
            raise I.FileRejected(
                [I.error("too_many_rows", f"The sheet has more than {max_rows:,} rows.")]
            )
        if any(texts[width:]):
            problems.append(
                I.error(
                    "ragged_row", "has values to the right of the last named column", row=number
                )
            )
            continue
        if any(texts[i] for i, name in mapping.items() if not name and i < len(texts)):
            problems.append(
                I.error("unnamed_column", "has a value in a column without a name", row=number)
            )
            continue
        buffer[ROW].append(number)
        for i, name in wanted:
            buffer[name].append(texts[i] if i < len(texts) else "")
        if len(buffer[ROW]) >= XLSX_CHUNK_ROWS:
            flush()
    if problems:
        raise I.FileRejected([*header_issues, *problems][: settings.SUBMISSION_MAX_STORED_ISSUES])
    flush()
    columns = [ROW, *[name for _, name in wanted]]
    frame = (
        pl.concat(chunks)
        if chunks
        else pl.DataFrame(schema={ROW: pl.Int64} | {n: pl.String for n in columns[1:]})
    )
    absent = [c.name for c in schema.columns if c.name not in frame.columns]
    if absent:
        frame = frame.with_columns([pl.lit("", dtype=pl.String).alias(n) for n in absent])
    frame = frame.select([ROW, *schema.column_names])
    return ReadResult(
        frame=frame,
        file_format="xlsx",
        detail=f"XLSX, sheet {sheet_name}",
        header_issues=header_issues,
        unchecked=_absent_required(mapping, schema),
    )
