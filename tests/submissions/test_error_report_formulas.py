"""A header cell that is a formula comes back neutralized in every report of the file's
errors: the page's errors.csv and import_data's printed report."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from tests.submissions.factories import (
    PROVIDER_YEAR_HEADER,
    csv_bytes,
    provider_year_rows,
    upload,
)

ATTACK = "=2+5*cmd|' /C calc'!A0"


def _hostile_file() -> bytes:
    return csv_bytes(
        [*PROVIDER_YEAR_HEADER, ATTACK], [[*row, "1"] for row in provider_year_rows(2)]
    )


def test_errors_csv_neutralizes_a_formula_header(client_as, submitter_a, practice_a, open_period):
    submission = upload(practice_a, "provider_year", _hostile_file())
    assert submission.status == "rejected"
    response = client_as(submitter_a).get(
        f"/practices/alpha/submissions/{submission.pk}/errors.csv"
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    lines = list(csv.reader(io.StringIO(text)))
    # The reader normalizes header names (lower case, spaces to _); the formula survives that.
    columns = [line[1] for line in lines[1:]]
    assert any(column.startswith("'=2+5*cmd|") for column in columns), columns
    for line in lines:
        assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in line), line
        assert not any(cell.startswith("-") and not cell.lstrip("-").isdigit() for cell in line)


def test_import_data_report_neutralizes_a_formula_header(practice_a, tmp_path):
    path = tmp_path / "provider_year_2025.csv"
    path.write_bytes(_hostile_file())
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_data", "--practice", "alpha", "--kind", "provider_year", str(path), stderr=err
        )
    report = err.getvalue()
    rows = list(csv.reader(io.StringIO(report[report.index("row,column,error,message") :])))
    assert all(not cell.startswith("=") for row in rows for cell in row)
    assert any(cell.startswith("'=2+5*cmd|") for row in rows for cell in row), rows
