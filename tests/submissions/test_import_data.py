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


def test_the_file_is_read_once(practice_a, tmp_path, monkeypatch):
    """The year is found by reading and validating the file, and those rows are the ones
    stored: the file is not read and validated a second time (SPEC 8's import speed)."""
    from practices.submissions import reading, validation

    calls = {"read": 0, "validate": 0}
    real_read, real_validate = reading.read_file, validation.validate

    def counted_read(*args, **kwargs):
        calls["read"] += 1
        return real_read(*args, **kwargs)

    def counted_validate(*args, **kwargs):
        calls["validate"] += 1
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(reading, "read_file", counted_read)
    monkeypatch.setattr(validation, "validate", counted_validate)
    path = tmp_path / "rvu.csv"
    path.write_bytes(csv_bytes(RVU_HEADER, rvu_rows()))
    out, _ = _run("--practice", "alpha", "--kind", "rvu_detail", str(path))
    assert "approved and current" in out
    assert calls == {"read": 1, "validate": 1}


def test_a_file_changed_after_it_was_read_is_read_again(practice_a, tmp_path, monkeypatch):
    """The rows read first are stored only when the stored file is the very file that was read
    (same sha256); otherwise the stored file is read and validated as an upload is."""
    from practices.submissions import services

    path = tmp_path / "py.csv"
    path.write_bytes(csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(5, year=2023)))
    real_inspect = services.file_inspect

    def inspect_then_change(**kwargs):
        found = real_inspect(**kwargs)
        path.write_bytes(csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(7, year=2023)))
        return found

    monkeypatch.setattr(services, "file_inspect", inspect_then_change)
    out, _ = _run("--practice", "alpha", "--kind", "provider_year", str(path))
    assert "Imported 7 rows" in out
    assert ProviderYearRecord.objects.for_practice(practice_a).count() == 7
