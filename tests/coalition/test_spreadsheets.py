"""The one formula-safe CSV/XLSX writer (coalition/spreadsheets.py), and the rule that every
CSV or XLSX the site writes goes through it."""

from __future__ import annotations

import ast
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from coalition import spreadsheets

ROOT = Path(__file__).resolve().parents[2]
WRITER = Path("coalition/spreadsheets.py")
ATTACK = "=2+5*cmd|' /C calc'!A0"

# Writers that are not spreadsheets for people: allowed by name, with the reason.
ALLOWED = {
    # polars writes the COPY stream into PostgreSQL; nobody opens it, and neutralizing would
    # change the stored values.
    (Path("practices/submissions/storage.py"), "write_csv"),
}
FORBIDDEN_ATTRIBUTES = {
    ("csv", "writer"),
    ("csv", "DictWriter"),
    ("openpyxl", "Workbook"),
}
FORBIDDEN_METHODS = {"write_csv", "to_csv", "write_excel", "to_excel"}
FORBIDDEN_IMPORTS = {
    "csv": {"writer", "DictWriter"},
    "openpyxl": {"Workbook"},
    "openpyxl.workbook": {"Workbook"},
    "openpyxl.cell": {"WriteOnlyCell"},
}
FORBIDDEN_MODULES = {"xlsxwriter", "pandas", "tablib", "pyexcel"}
CONTENT_TYPE_MARKERS = ("text/csv", "spreadsheetml")


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_text_beginning_with_a_formula_character_is_neutralized(prefix):
    text = prefix + "1+1"
    assert spreadsheets.csv_cell(text) == "'" + text
    assert spreadsheets.xlsx_cell(text) == "'" + text


def test_numbers_stay_numbers_and_plain_number_text_is_left_alone():
    assert spreadsheets.csv_cell(Decimal("-195441.25")) == "-195441.25"
    assert spreadsheets.csv_cell(-3) == "-3"
    assert spreadsheets.csv_cell("-12.5") == "-12.5"
    for text in ("-2+3", "+1", "-1e5", "-12.5 ", "@SUM(A1)", "-"):
        assert spreadsheets.csv_cell(text).startswith("'"), text
    assert spreadsheets.csv_cell(None) == "" and spreadsheets.csv_cell(True) == "true"
    assert spreadsheets.csv_cell("a=b") == "a=b"


def test_csv_and_xlsx_from_the_writer():
    header = [ATTACK, "value", "flag"]
    rows = [["=HYPERLINK(1)", Decimal("-5.25"), True], ["+cmd", -7, None]]
    parsed = list(csv.reader(io.StringIO(spreadsheets.csv_bytes(rows, header=header).decode())))
    assert parsed == [
        ["'" + ATTACK, "value", "flag"],
        ["'=HYPERLINK(1)", "-5.25", "true"],
        ["'+cmd", "-7", ""],
    ]
    sheet = load_workbook(io.BytesIO(spreadsheets.xlsx_bytes(rows, header=header))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert sheet["A1"].value == "'" + ATTACK
    assert sheet["B2"].value == -5.25 and sheet["B2"].data_type == "n"  # a number
    assert sheet["B3"].value == -7 and sheet["B3"].data_type == "n"
    assert sheet["C2"].value is True


def test_append_row_neutralizes_a_styled_workbook_too():
    workbook = spreadsheets.new_workbook()
    spreadsheets.append_row(workbook.active, ["=1+1", "ok\x01", -2])
    sheet = load_workbook(io.BytesIO(spreadsheets.workbook_bytes(workbook))).active
    assert [cell.value for cell in sheet[1]] == ["'=1+1", "ok", -2]


def test_the_sheet_title_is_one_excel_accepts():
    content = spreadsheets.xlsx_bytes([[1]], title="2024/25: [draft]? and a very long name")
    title = load_workbook(io.BytesIO(content)).sheetnames[0]
    assert len(title) <= 31 and not set(title) & set("[]:*?/\\")


# --- no other writer ----------------------------------------------------------------------------
def _site_modules():
    for package in sorted(ROOT.iterdir()):
        if not (package / "__init__.py").exists() or package.name in {"tests", "perf"}:
            continue
        for path in package.rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "migrations" not in relative.parts:
                yield relative, ast.parse(path.read_text(), filename=str(path))


def writer_offences(relative: Path, tree: ast.AST) -> list[str]:
    if relative == WRITER:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {alias.name for alias in node.names}
            if node.module.split(".")[0] in FORBIDDEN_MODULES:
                found.append(f"imports {node.module}")
            for name in sorted(names & FORBIDDEN_IMPORTS.get(node.module, set())):
                found.append(f"imports {name} from {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FORBIDDEN_MODULES:
                    found.append(f"imports {alias.name}")
        elif isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            if (owner, node.attr) in FORBIDDEN_ATTRIBUTES:
                found.append(f"uses {owner}.{node.attr}")
            elif node.attr in FORBIDDEN_METHODS and (relative, node.attr) not in ALLOWED:
                found.append(f"calls .{node.attr}()")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if any(marker in node.value for marker in CONTENT_TYPE_MARKERS):
                found.append("names a CSV/XLSX content type (use spreadsheets.CONTENT_TYPES)")
    return [f"{relative}:{offence}" for offence in found]


def test_every_csv_and_xlsx_the_site_writes_goes_through_the_one_writer():
    modules = list(_site_modules())
    assert any(relative == Path("benchmarks/exports.py") for relative, _ in modules)
    offences = [
        offence for relative, tree in modules for offence in writer_offences(relative, tree)
    ]
    assert offences == []


@pytest.mark.parametrize(
    "source",
    [
        "import csv\nw = csv.writer(buffer)",
        "from csv import DictWriter",
        "from openpyxl import Workbook",
        "import openpyxl\nopenpyxl.Workbook()",
        "frame.write_csv(path)",
        "rows.to_csv(path)",
        "import xlsxwriter",
        "HttpResponse(body, content_type='text/csv')",
    ],
)
def test_the_rule_sees_other_writers(source):
    assert writer_offences(Path("practices/example.py"), ast.parse(source))


def test_illegal_characters_are_openpyxls():
    """The writer keeps its own copy of openpyxl's pattern (CSV writing never loads openpyxl);
    it must stay the same pattern."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as openpyxl_pattern

    from coalition import spreadsheets

    assert spreadsheets.ILLEGAL_CHARACTERS_RE.pattern == openpyxl_pattern.pattern
