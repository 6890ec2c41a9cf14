"""The templates: every column in the data dictionary, and a filled-in template imports."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from practices.submissions import kinds
from practices.submissions.file_templates import template_csv, template_xlsx
from tests.submissions.factories import upload


@pytest.mark.parametrize("kind", kinds.codes())
def test_data_dictionary_explains_every_column(kind):
    schema = kinds.schema_for(kind)
    workbook = load_workbook(io.BytesIO(template_xlsx(schema)))
    data, dictionary = workbook[kind], workbook["Data dictionary"]
    assert [c.value for c in data[1]] == schema.column_names
    rows = {}
    for row in dictionary.iter_rows(values_only=True):
        if row and row[0]:
            rows.setdefault(row[0], row)  # the vocabulary list at the end repeats names
    for column in schema.columns:
        entry = rows[column.name]
        assert entry[1] == ("required" if column.required else "optional")
        assert entry[5] == column.description
        if column.choices:
            assert all(choice in entry[4] for choice in column.choices)
        if column.unit:
            assert entry[3] == column.unit


@pytest.mark.parametrize("kind", kinds.codes())
def test_filled_in_xlsx_template_imports(practice_a, open_period, kind):
    schema = kinds.schema_for(kind)
    if kind == "purchase_record":  # its rows name a contract of the catalog
        from tests.purchasing.factories import contract_with_tiers

        contract_with_tiers(number=schema.column_map["contract_number"].example)
    workbook = load_workbook(io.BytesIO(template_xlsx(schema)))
    sheet = workbook[kind]
    example = {c.name: c.example for c in schema.columns}
    example.update(year="2025", service_month="2025-03")
    sheet.append([example[name] for name in schema.column_names])
    buffer = io.BytesIO()
    workbook.save(buffer)
    submission = upload(practice_a, kind, buffer.getvalue(), filename=f"{kind}.xlsx")
    assert submission.status == "validated", submission.progress_message
    assert submission.row_count == 1


def test_csv_template_is_the_header():
    assert template_csv(kinds.schema_for("rvu_detail")) == (
        b"provider_id,service_month,cpt_code,modality,units,work_rvus\r\n"
    )
