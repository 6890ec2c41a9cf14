"""The downloadable template of each kind: a CSV header, or an XLSX workbook whose first sheet
(named after the kind) has the header and drop-down lists for the vocabularies, and whose
"Data dictionary" sheet explains every column, its unit, rule and vocabulary."""

from __future__ import annotations

from coalition import spreadsheets
from practices.submissions.schemas import ColumnType, KindSchema

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = spreadsheets.CONTENT_TYPES


def template_filename(schema: KindSchema, file_format: str) -> str:
    return f"{schema.kind}_template.{file_format}"


def template_csv(schema: KindSchema) -> bytes:
    return spreadsheets.csv_bytes([], header=schema.column_names)


def template_xlsx(schema: KindSchema) -> bytes:
    # openpyxl is imported here, not with the module: the views import this module, and
    # openpyxl is among the slowest imports of the project.
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = spreadsheets.new_workbook()
    data = workbook.active
    data.title = schema.kind
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    spreadsheets.append_row(data, schema.column_names)
    for index, column in enumerate(schema.columns, start=1):
        cell = data.cell(row=1, column=index)
        cell.font = bold
        cell.fill = header_fill
        letter = get_column_letter(index)
        data.column_dimensions[letter].width = max(14, len(column.name) + 4)
        if column.type == ColumnType.CHOICE:
            # The drop-down helps; validation on upload is what enforces the vocabulary.
            choices = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=column.name,
                error="Choose one of: " + ", ".join(column.choices),
            )
            data.add_data_validation(choices)
            choices.add(f"{letter}2:{letter}100000")
    data.freeze_panes = "A2"

    dictionary = workbook.create_sheet("Data dictionary")
    spreadsheets.append_row(
        dictionary, [f"{schema.label} ({schema.kind}): one row is {schema.row_is}."]
    )
    dictionary["A1"].font = Font(bold=True, size=13)
    spreadsheets.append_row(dictionary, [schema.description])
    spreadsheets.append_row(
        dictionary,
        [
            "Fill in the first sheet, one row per "
            + schema.row_is
            + ". Column names may be in any order and any case; unknown columns are an "
            "error. One reporting year per file. No patient identifiers anywhere."
        ],
    )
    spreadsheets.append_row(dictionary, [])
    headings = ["column", "required", "type", "unit", "rule / allowed values", "meaning", "example"]
    spreadsheets.append_row(dictionary, headings)
    for cell in dictionary[dictionary.max_row]:
        cell.font = bold
        cell.fill = header_fill
    for column in schema.columns:
        spreadsheets.append_row(
            dictionary,
            [
                column.name,
                "required" if column.required else "optional",
                column.type,
                column.unit,
                column.rule_text(),
                column.description,
                column.example,
            ],
        )
    for letter, width in zip("ABCDEFG", (24, 11, 10, 12, 44, 70, 14), strict=True):
        dictionary.column_dimensions[letter].width = width
    for row in dictionary.iter_rows(min_row=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    vocabularies = [c for c in schema.columns if c.type == ColumnType.CHOICE]
    if vocabularies:
        spreadsheets.append_row(dictionary, [])
        spreadsheets.append_row(dictionary, ["Vocabularies (matched without regard to case)"])
        dictionary.cell(row=dictionary.max_row, column=1).font = bold
        for column in vocabularies:
            spreadsheets.append_row(dictionary, [column.name, ", ".join(column.choices)])
    return spreadsheets.workbook_bytes(workbook)


def template_bytes(schema: KindSchema, file_format: str) -> bytes:
    if file_format == "csv":
        return template_csv(schema)
    if file_format == "xlsx":
        return template_xlsx(schema)
    raise ValueError(f"Unknown template format: {file_format!r}.")
