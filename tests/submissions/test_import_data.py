"""import_data --practice SLUG --kind KIND FILE (SPEC section 8)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from practices.submissions.models import ProviderYearRecord, ReportingPeriod, Submission
from tests.submissions.factories import (
    PROVIDER_YEAR_HEADER,
    RVU_HEADER,
    csv_bytes,
    provider_year_rows,
    rvu_rows,
    xlsx_bytes,
)


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_data", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_and_approves_creating_the_period(practice_a, tmp_path):
    assert not ReportingPeriod.objects.exists()
    path = tmp_path / "py2023.csv"
    path.write_bytes(csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(12, year=2023)))
    out, _ = _run("--practice", "alpha", "--kind", "provider_year", str(path))
    assert "Imported 12 rows as version 1 of provider_year 2023; approved and current" in out
    period = ReportingPeriod.objects.get(year=2023)
    assert period.status == "closed", "a finished year's period is created closed"
    submission = Submission.objects.for_practice(practice_a).get()
    assert (submission.status, submission.is_current) == ("approved", True)
    assert ProviderYearRecord.objects.for_practice(practice_a).count() == 12


def test_second_import_supersedes_and_identical_is_a_no_op(practice_a, tmp_path):
    first = tmp_path / "a.csv"
    first.write_bytes(csv_bytes(RVU_HEADER, rvu_rows()))
    second = tmp_path / "b.xlsx"
    second.write_bytes(xlsx_bytes(RVU_HEADER, rvu_rows(providers=("X-1",))))
    _run("--practice", "alpha", "--kind", "rvu_detail", str(first))
    out, _ = _run("--practice", "alpha", "--kind", "rvu_detail", str(second))
    assert "version 2" in out
    out, _ = _run("--practice", "alpha", "--kind", "rvu_detail", str(first))
    assert "identical to version 1" in out
    statuses = dict(Submission.objects.for_practice(practice_a).values_list("version", "status"))
    assert statuses == {1: "superseded", 2: "approved"}


def test_rejected_file_prints_the_report_and_exits_non_zero(practice_a, tmp_path):
    rows = provider_year_rows(3)
    rows[2][3] = "full"
    rows[1][0] = "john.smith@example.org"
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(PROVIDER_YEAR_HEADER, rows))
    with pytest.raises(CommandError) as caught:
        _run("--practice", "alpha", "--kind", "provider_year", str(path))
    assert caught.value.returncode == 2
    assert not Submission.objects.for_practice(practice_a).exists()
    assert not ProviderYearRecord.objects.for_practice(practice_a).exists()


def test_report_lists_row_column_and_reason(practice_a, tmp_path, capsys):
    rows = provider_year_rows(3)
    rows[2][3] = "full"
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(PROVIDER_YEAR_HEADER, rows))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_data", "--practice", "alpha", "--kind", "provider_year", str(path), stderr=err
        )
    report = err.getvalue()
    assert "rejected with 1 error(s)" in report
    assert "4,clinical_fte,not_a_number," in report


def test_unreadable_file_and_unknown_practice(practice_a, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(CommandError):
        _run("--practice", "alpha", "--kind", "provider_year", str(junk))
    with pytest.raises(CommandError, match="No practice"):
        _run("--practice", "nobody", "--kind", "provider_year", str(junk))
    with pytest.raises(CommandError, match="No such file"):
        _run("--practice", "alpha", "--kind", "provider_year", str(tmp_path / "missing.csv"))
