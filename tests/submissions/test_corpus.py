"""The corpus: good files are stored exactly; bad files get their clear error (row, column,
reason) and leave every stored row untouched."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from practices.submissions.models import (
    PracticeFinancialsRecord,
    ProviderYearRecord,
    RvuDetailMonth,
    RvuDetailRecord,
    Submission,
    SubmissionIssue,
)
from tests.submissions.factories import (
    FINANCIALS_HEADER,
    PROVIDER_YEAR_HEADER,
    RVU_HEADER,
    approved,
    csv_bytes,
    financials_rows,
    provider_year_rows,
    rvu_rows,
    upload,
    xlsx_bytes,
)

CORPUS = Path(__file__).parent / "corpus"


def _provider_year_stored(practice, submission):
    rows = ProviderYearRecord.objects.for_practice(practice).filter(submission=submission)
    local = {
        p.pseudonym: practice.decrypt_local_id(p.local_id_encrypted)
        for p in practice.providers.all()
    }
    return sorted(
        (
            local[r.provider_pseudonym],
            r.year,
            r.subspecialty,
            r.clinical_fte,
            r.work_rvus,
            r.total_compensation,
            r.partner_status,
        )
        for r in rows
    )


def _expected_provider_year(rows):
    return sorted(
        (
            r[0],
            int(r[1]),
            r[2],
            Decimal(r[3]),
            Decimal(r[4]),
            Decimal(r[5]),
            r[6],
        )
        for r in rows
    )


def _rvu_stored(practice, submission):
    local = {
        p.pseudonym: practice.decrypt_local_id(p.local_id_encrypted)
        for p in practice.providers.all()
    }
    return sorted(
        (
            local[r.provider_pseudonym],
            r.service_month.strftime("%Y-%m"),
            r.cpt_code,
            r.modality,
            r.units,
            r.work_rvus,
        )
        for r in RvuDetailRecord.objects.for_practice(practice).filter(submission=submission)
    )


def _expected_rvu(rows):
    return sorted(
        (r[0], r[1], r[2], r[3], Decimal(r[4]), Decimal(r[5]).quantize(Decimal("0.0001")))
        for r in rows
    )


# --- good files ------------------------------------------------------------------------------------
GOOD_PROVIDER_YEAR_VARIANTS = {
    "utf8_comma_lf": dict(),
    "utf8_bom": dict(bom=True),
    "crlf": dict(newline="\r\n"),
    "semicolon": dict(delimiter=";"),
    "tab": dict(delimiter="\t"),
    "windows_1252": dict(encoding="cp1252"),
}


@pytest.mark.parametrize("variant", GOOD_PROVIDER_YEAR_VARIANTS)
def test_good_csv_variants_are_stored_exactly(practice_a, open_period, variant):
    rows = provider_year_rows(6)
    rows[0][0] = "Ré-001"  # a non-ASCII id survives every encoding
    content = csv_bytes(PROVIDER_YEAR_HEADER, rows, **GOOD_PROVIDER_YEAR_VARIANTS[variant])
    submission = upload(practice_a, "provider_year", content)
    assert submission.status == Submission.Status.VALIDATED, submission.progress_message
    assert submission.row_count == 6
    assert _provider_year_stored(practice_a, submission) == _expected_provider_year(rows)


def test_header_names_any_case_spacing_and_order(practice_a, open_period):
    rows = provider_year_rows(3)
    header = [
        " Provider ID",
        "YEAR",
        "Subspecialty ",
        "clinical fte",
        "Work_RVUs",
        "TOTAL COMPENSATION",
        "partner_status",
    ]
    order = [6, 5, 4, 3, 2, 1, 0]
    content = csv_bytes([header[i] for i in order], [[r[i] for i in order] for r in rows])
    submission = upload(practice_a, "provider_year", content)
    assert submission.status == "validated", submission.progress_message
    assert _provider_year_stored(practice_a, submission) == _expected_provider_year(rows)


def test_cp1252_semicolon_crlf_corpus_file(practice_a, open_period):
    content = (CORPUS / "provider_year_cp1252_semicolon_crlf.csv").read_bytes()
    submission = upload(practice_a, "provider_year", content)
    assert submission.status == "validated", submission.progress_message
    stored = _provider_year_stored(practice_a, submission)
    assert stored == [
        (
            "Müller-01",
            2025,
            "neuro",
            Decimal("1.000"),
            Decimal("10250.50"),
            Decimal("612500.00"),
            "partner",
        ),
        (
            "O’Brien-02",
            2025,
            "breast",
            Decimal("0.800"),
            Decimal("8100.00"),
            Decimal("498000.00"),
            "employed",
        ),
    ]


def test_bom_tab_header_variants_corpus_file(practice_a, open_period):
    content = (CORPUS / "rvu_detail_bom_tab_header_variants.csv").read_bytes()
    submission = upload(practice_a, "rvu_detail", content)
    assert submission.status == "validated", submission.progress_message
    assert _rvu_stored(practice_a, submission) == [
        ("RAD-001", "2025-01", "70450", "CT", Decimal("12.00"), Decimal("10.2000")),
        ("RAD-001", "2025-02", "70450", "CT", Decimal("3.00"), Decimal("2.5500")),
    ]


def test_rvu_detail_csv_is_stored_exactly_and_grouped_per_month(practice_a, open_period):
    rows = rvu_rows(providers=("A-1", "A-2", "A-3"), months=(1, 2, 3, 12))
    submission = upload(practice_a, "rvu_detail", csv_bytes(RVU_HEADER, rows))
    assert submission.status == "validated", submission.progress_message
    assert submission.row_count == len(rows)
    assert _rvu_stored(practice_a, submission) == _expected_rvu(rows)
    months = RvuDetailMonth.objects.for_practice(practice_a).filter(submission=submission)
    assert months.count() == 3 * 4
    first = months.order_by("id").first()
    # Work RVUs are stored in ten-thousandths; the month's total is their exact sum.
    assert first.row_count == 3 and first.work_rvus_total == Decimal(sum(first.work_rvus)) / 10_000
    assert len(first.units) == 3 and first.cpt_codes.count(",") == 2


def test_practice_financials_optional_column_left_out(practice_a, open_period):
    content = (CORPUS / "practice_financials_minimal.csv").read_bytes()
    submission = upload(practice_a, "practice_financials", content)
    assert submission.status == "validated", submission.progress_message
    record = PracticeFinancialsRecord.objects.for_practice(practice_a).get(submission=submission)
    assert record.total_revenue == Decimal("25174696.00")
    assert record.radiologist_fte == Decimal("32.33")
    assert record.hospital_support_received is None


def test_xlsx_first_sheet_stored_exactly(practice_a, open_period):
    rows = provider_year_rows(4)
    typed = [[r[0], int(r[1]), r[2], float(r[3]), float(r[4]), float(r[5]), r[6]] for r in rows]
    content = xlsx_bytes(PROVIDER_YEAR_HEADER, typed)
    submission = upload(practice_a, "provider_year", content, filename="py.xlsx")
    assert submission.status == "validated", submission.progress_message
    assert _provider_year_stored(practice_a, submission) == _expected_provider_year(rows)


def test_xlsx_sheet_named_after_the_kind_is_preferred(practice_a, open_period):
    rows = rvu_rows()
    content = xlsx_bytes(RVU_HEADER, rows, sheet="RVU_Detail", extra_sheets=("Notes",))
    submission = upload(practice_a, "rvu_detail", content, filename="rvu.xlsx")
    assert submission.status == "validated", submission.progress_message
    assert _rvu_stored(practice_a, submission) == _expected_rvu(rows)


def test_xlsx_with_dates_for_months(practice_a, open_period):
    from datetime import datetime

    content = xlsx_bytes(
        RVU_HEADER, [["RAD-1", datetime(2025, 3, 1), "70450", "CT", 4, 3.4]], sheet="rvu_detail"
    )
    submission = upload(practice_a, "rvu_detail", content, filename="rvu.xlsx")
    assert submission.status == "validated", submission.progress_message
    assert _rvu_stored(practice_a, submission) == [
        ("RAD-1", "2025-03", "70450", "CT", Decimal("4.00"), Decimal("3.4000"))
    ]


def test_money_with_dollar_sign_and_separators(practice_a, open_period):
    rows = provider_year_rows(1)
    rows[0][5] = "$612,345.67"
    submission = upload(practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, rows))
    assert submission.status == "validated", submission.progress_message
    record = ProviderYearRecord.objects.for_practice(practice_a).get(submission=submission)
    assert record.total_compensation == Decimal("612345.67")


# --- bad files -------------------------------------------------------------------------------------
def _bad(rows_header=PROVIDER_YEAR_HEADER, rows=None, **kw):
    return csv_bytes(rows_header, rows if rows is not None else provider_year_rows(3), **kw)


def _late_bad_number():
    rows = provider_year_rows(2000)
    rows[1876][4] = "12O45"  # a letter O, deep in the file
    return _bad(rows=rows)


def _with(row_index, column_index, value, n=5):
    rows = provider_year_rows(n)
    rows[row_index][column_index] = value
    return _bad(rows=rows)


def _mixed_years():
    rows = provider_year_rows(4)
    rows[2][1] = "2024"
    return _bad(rows=rows)


def _duplicate_key():
    rows = provider_year_rows(4)
    rows[3][0] = rows[1][0]
    return _bad(rows=rows)


def _zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 30_000_000)
    return buffer.getvalue()


def _truncated_xlsx():
    content = xlsx_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(50))
    return content[: len(content) // 2]


def _not_a_workbook_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return buffer.getvalue()


# (name, content, filename, expected code, expected row, expected column)
BAD_FILES = [
    ("empty", lambda: b"", "x.csv", None, None, None),  # refused at upload
    ("header_only", lambda: _bad(rows=[]), "x.csv", "header_only", None, ""),
    ("blank_lines_only", lambda: b"\n\n\n", "x.csv", "no_header", None, ""),
    ("binary_junk", lambda: bytes(range(256)) * 40, "x.csv", "not_a_table", None, ""),
    (
        "old_xls",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        "x.csv",
        "unsupported_format",
        None,
        "",
    ),
    (
        "unknown_column",
        lambda: _bad([*PROVIDER_YEAR_HEADER, "notes"], [[*r, "x"] for r in provider_year_rows(2)]),
        "x.csv",
        "unknown_column",
        1,
        "notes",
    ),
    (
        "missing_column",
        lambda: _bad(PROVIDER_YEAR_HEADER[:4], [r[:4] for r in provider_year_rows(2)]),
        "x.csv",
        "missing_column",
        1,
        "work_rvus",
    ),
    (
        "duplicate_column",
        lambda: _bad(
            [*PROVIDER_YEAR_HEADER, "YEAR"], [[*r, "2025"] for r in provider_year_rows(2)]
        ),
        "x.csv",
        "duplicate_column",
        1,
        "year",
    ),
    ("bad_number_late", _late_bad_number, "x.csv", "not_a_number", 1878, "work_rvus"),
    ("out_of_range_fte", lambda: _with(2, 3, "1.6"), "x.csv", "out_of_range", 4, "clinical_fte"),
    ("zero_fte", lambda: _with(0, 3, "0"), "x.csv", "out_of_range", 2, "clinical_fte"),
    ("negative_money", lambda: _with(1, 5, "-5"), "x.csv", "out_of_range", 3, "total_compensation"),
    (
        "too_many_decimals",
        lambda: _with(1, 3, "0.12345"),
        "x.csv",
        "too_many_decimals",
        3,
        "clinical_fte",
    ),
    (
        "unknown_vocabulary",
        lambda: _with(3, 2, "cardiology"),
        "x.csv",
        "not_in_vocabulary",
        5,
        "subspecialty",
    ),
    ("required_missing", lambda: _with(0, 2, ""), "x.csv", "required", 2, "subspecialty"),
    ("mixed_years", _mixed_years, "x.csv", "wrong_year", 4, "year"),
    (
        "wrong_period_year",
        lambda: _bad(rows=provider_year_rows(2, year=2023)),
        "x.csv",
        "wrong_year",
        2,
        "year",
    ),
    ("duplicate_key", _duplicate_key, "x.csv", "duplicate_key", 5, "provider_id"),
    (
        "ssn_in_provider_id",
        lambda: _with(1, 0, "123-45-6789"),
        "x.csv",
        "phi_ssn",
        3,
        "provider_id",
    ),
    (
        "email_in_number",
        lambda: _with(2, 4, "jane.doe@example.org"),
        "x.csv",
        "phi_email",
        4,
        "work_rvus",
    ),
    (
        "phone_in_vocabulary",
        lambda: _with(0, 6, "(614) 555-0134"),
        "x.csv",
        "phi_phone",
        2,
        "partner_status",
    ),
    (
        "dob_in_provider_id",
        lambda: _with(4, 0, "DOB 03/14/1975"),
        "x.csv",
        "phi_date",
        6,
        "provider_id",
    ),
    (
        "address_in_provider_id",
        lambda: _with(1, 0, "12 Elm Street"),
        "x.csv",
        "phi_address",
        3,
        "provider_id",
    ),
    (
        "ragged_rows",
        lambda: (CORPUS / "provider_year_ragged.csv").read_bytes(),
        "x.csv",
        "ragged_row",
        3,
        "",
    ),
    ("zip_bomb", _zip_bomb, "x.xlsx", "unsafe_xlsx", None, ""),
    ("truncated_xlsx", _truncated_xlsx, "x.xlsx", "bad_xlsx", None, ""),
    ("zip_not_workbook", _not_a_workbook_zip, "x.xlsx", "bad_xlsx", None, ""),
    (
        "xlsx_unknown_column",
        lambda: xlsx_bytes(
            [*PROVIDER_YEAR_HEADER, "MRN"], [[*r, "1"] for r in provider_year_rows(2)]
        ),
        "x.xlsx",
        "unknown_column",
        1,
        "mrn",
    ),
    (
        "two_financial_rows",
        lambda: csv_bytes(FINANCIALS_HEADER, financials_rows() * 2),
        "pf.csv",
        "too_many_rows",
        None,
        "",
    ),
]


@pytest.fixture
def existing_data(practice_a, open_period, analyst):
    """Current data the bad files must leave alone: an approved provider_year version."""
    good = approved(
        practice_a, "provider_year", _bad(rows=provider_year_rows(3, seed=9)), analyst=analyst
    )
    return good, list(ProviderYearRecord.objects.for_practice(practice_a).order_by("id").values())


@pytest.mark.parametrize(
    ("name", "make", "filename", "code", "row", "column"),
    BAD_FILES,
    ids=[b[0] for b in BAD_FILES],
)
def test_bad_file_is_rejected_clearly_and_stores_nothing(
    practice_a, existing_data, settings, name, make, filename, code, row, column
):
    settings.SUBMISSION_XLSX_MAX_UNCOMPRESSED_BYTES = 20_000_000
    kind = "practice_financials" if filename == "pf.csv" else "provider_year"
    current, rows_before = existing_data
    content = make()
    if code is None:
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            upload(practice_a, kind, content, filename=filename)
        assert Submission.objects.for_practice(practice_a).count() == 1
    else:
        submission = upload(practice_a, kind, content, filename=filename)
        assert submission.status == Submission.Status.REJECTED
        errors = list(
            SubmissionIssue.objects.for_practice(practice_a).filter(
                submission=submission, severity="error"
            )
        )
        assert errors, "a rejected file has its errors listed"
        matching = [e for e in errors if e.code == code]
        assert matching, [(e.code, e.row_number, e.column) for e in errors]
        assert matching[0].row_number == row
        assert matching[0].column == column
        assert submission.error_count >= len(matching)
        assert submission.issue_counts[code] >= 1
        assert submission.row_count == 0
    # Nothing of the bad file was stored; the current version is untouched.
    assert (
        list(ProviderYearRecord.objects.for_practice(practice_a).order_by("id").values())
        == rows_before
    )
    assert not RvuDetailMonth.objects.for_practice(practice_a).exists()
    assert not PracticeFinancialsRecord.objects.for_practice(practice_a).exists()
    current.refresh_from_db()
    assert current.is_current and current.status == "approved"


def test_error_messages_never_repeat_the_identifier(
    practice_a, open_period, caplog, django_capture_on_commit_callbacks
):
    secret = "123-45-6789"
    rows = provider_year_rows(3)
    rows[1][0] = secret
    rows[2][4] = "call 614-555-0134"
    caplog.set_level("DEBUG")
    with django_capture_on_commit_callbacks(execute=True):
        submission = upload(practice_a, "provider_year", _bad(rows=rows))
    assert submission.status == "rejected"
    submission.refresh_from_db()
    assert submission.file.name == "", "a rejected file is not kept"
    assert submission.sha256
    texts = [
        f"{i.message} {i.column}"
        for i in SubmissionIssue.objects.for_practice(practice_a).filter(submission=submission)
    ]
    assert texts and all(secret not in t and "555-0134" not in t for t in texts)
    assert secret not in caplog.text and "555-0134" not in caplog.text
    assert secret not in submission.progress_message


def test_every_error_of_a_file_is_listed_with_counts(practice_a, open_period):
    rows = provider_year_rows(40)
    for row in rows[::2]:
        row[3] = "two"  # 20 bad FTEs
    rows[5][2] = "cardiology"
    submission = upload(practice_a, "provider_year", _bad(rows=rows))
    assert submission.issue_counts == {"not_a_number": 20, "not_in_vocabulary": 1}
    assert submission.error_count == 21
    listed = SubmissionIssue.objects.for_practice(practice_a).filter(submission=submission)
    assert sorted(listed.values_list("row_number", flat=True)) == sorted(
        [i + 2 for i in range(0, 40, 2)] + [7]
    )


def test_listed_errors_are_capped_but_counts_stay_exact(practice_a, open_period, settings):
    settings.SUBMISSION_MAX_STORED_ISSUES = 10
    rows = provider_year_rows(50)
    for row in rows:
        row[4] = "n/a"
    submission = upload(practice_a, "provider_year", _bad(rows=rows))
    assert submission.error_count == 50
    assert (
        SubmissionIssue.objects.for_practice(practice_a).filter(submission=submission).count() == 10
    )


def test_upload_over_the_size_limit_is_refused(practice_a, open_period, settings):
    from django.core.exceptions import ValidationError

    settings.SUBMISSION_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as caught:
        upload(practice_a, "provider_year", _bad(rows=provider_year_rows(10)))
    assert "limit" in str(caught.value)
    assert not Submission.objects.for_practice(practice_a).exists()


def test_xlsx_with_too_many_parts_is_refused(practice_a, open_period, settings):
    settings.SUBMISSION_XLSX_MAX_ENTRIES = 3
    content = xlsx_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2))
    submission = upload(practice_a, "provider_year", content, filename="x.xlsx")
    assert submission.status == "rejected"
    assert submission.issue_counts == {"unsafe_xlsx": 1}


def test_xlsx_entity_expansion_is_not_followed(practice_a, open_period):
    """A billion-laughs sheet: defusedxml refuses entity declarations."""
    content = xlsx_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2))
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                bomb = (
                    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                )
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                data = bomb + body
            target.writestr(item, data)
    submission = upload(practice_a, "provider_year", buffer.getvalue(), filename="x.xlsx")
    assert submission.status == "rejected"
    assert set(submission.issue_counts) == {"bad_xlsx"}


def test_rvu_detail_rows_in_any_order_with_edge_values(practice_a, open_period):
    """Lines of a provider and month need not be next to each other; numbers at the edges of
    their ranges and written in every accepted way are stored exactly."""
    rows = [
        ["A-1", "2025-01", "70450", "CT", "0", "0"],
        ["B-2", "2025-01", "70450", "ct", "99999999.99", "99999999.9999"],
        ["A-1", "2025-02", "71046", "XR", ".5", "0.0001"],
        ["A-1", "2025-01", "7104f", "xr", "1,234.5", "1,234.5678"],
        ["B-2", "2025-01", "70553", "Other", "12.", "10000"],
        ["A-1", "2025-01", "70553", "MR", "+3", "7.25"],
    ]
    submission = upload(practice_a, "rvu_detail", csv_bytes(RVU_HEADER, rows))
    assert submission.status == "validated", submission.progress_message
    assert _rvu_stored(practice_a, submission) == sorted(
        [
            ("A-1", "2025-01", "70450", "CT", Decimal("0.00"), Decimal("0.0000")),
            ("B-2", "2025-01", "70450", "CT", Decimal("99999999.99"), Decimal("99999999.9999")),
            ("A-1", "2025-02", "71046", "XR", Decimal("0.50"), Decimal("0.0001")),
            ("A-1", "2025-01", "7104F", "XR", Decimal("1234.50"), Decimal("1234.5678")),
            ("B-2", "2025-01", "70553", "OTHER", Decimal("12.00"), Decimal("10000.0000")),
            ("A-1", "2025-01", "70553", "MR", Decimal("3.00"), Decimal("7.2500")),
        ]
    )
    months = {
        (m.service_month.month, m.row_count): m.work_rvus_total
        for m in RvuDetailMonth.objects.for_practice(practice_a).filter(submission=submission)
    }
    assert months == {
        (1, 3): Decimal("1241.8178"),
        (2, 1): Decimal("0.0001"),
        (1, 2): Decimal("100009999.9999"),
    }


def test_duplicate_key_spelled_differently_is_still_a_duplicate(practice_a, open_period):
    rows = [
        ["RAD-1", "2025-01", "70450", "CT", "1", "0.85"],
        ["RAD-2", "2025-01", "70450", "CT", "1", "0.85"],
        [" RAD-1", "2025-01-01", "70450", "ct", "2", "1.70"],
    ]
    submission = upload(practice_a, "rvu_detail", csv_bytes(RVU_HEADER, rows))
    assert submission.status == "rejected"
    issue = SubmissionIssue.objects.for_practice(practice_a).get(submission=submission)
    assert (issue.code, issue.row_number, issue.column) == ("duplicate_key", 4, "provider_id")
    assert (
        issue.message == "repeats row 2 (the same provider_id, service_month, cpt_code, modality)"
    )


def test_one_provider_and_month_spelled_two_ways_is_one_month(practice_a, open_period):
    rows = [
        [" RAD-1", "2025-03", "70450", "CT", "2", "1.70"],
        ["RAD-1", "2025-03-01", "71046", "XR", "4", "0.88"],
        ["RAD-1", "2025-04", "71046", "XR", "1", "0.22"],
    ]
    submission = upload(practice_a, "rvu_detail", csv_bytes(RVU_HEADER, rows))
    assert submission.status == "validated", submission.progress_message
    months = RvuDetailMonth.objects.for_practice(practice_a).filter(submission=submission)
    assert sorted((m.service_month.month, m.row_count) for m in months) == [(3, 2), (4, 1)]
    assert _rvu_stored(practice_a, submission) == [
        ("RAD-1", "2025-03", "70450", "CT", Decimal("2.00"), Decimal("1.7000")),
        ("RAD-1", "2025-03", "71046", "XR", Decimal("4.00"), Decimal("0.8800")),
        ("RAD-1", "2025-04", "71046", "XR", Decimal("1.00"), Decimal("0.2200")),
    ]


def _codes(practice, submission) -> list[tuple[str, int | None, str]]:
    return [
        (e.code, e.row_number, e.column)
        for e in SubmissionIssue.objects.for_practice(practice)
        .filter(submission=submission, severity="error")
        .order_by("id")
    ]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_header_problems_and_row_errors_are_reported_in_one_round(
    practice_a, open_period, file_format
):
    """An unknown column does not hide the errors of the known columns' rows."""
    rows = [[*r, "note"] for r in provider_year_rows(4)]
    rows[1][3] = "2.5"  # clinical_fte out of range, row 3
    rows[2][2] = "cardiology"  # not a subspecialty, row 4
    header = [*PROVIDER_YEAR_HEADER, "notes"]
    make = csv_bytes if file_format == "csv" else xlsx_bytes
    submission = upload(
        practice_a, "provider_year", make(header, rows), filename=f"py.{file_format}"
    )
    assert submission.status == Submission.Status.REJECTED
    found = _codes(practice_a, submission)
    assert found[0] == ("unknown_column", 1, "notes")
    assert ("out_of_range", 3, "clinical_fte") in found
    assert ("not_in_vocabulary", 4, "subspecialty") in found
    assert submission.issue_counts == {
        "unknown_column": 1,
        "out_of_range": 1,
        "not_in_vocabulary": 1,
    }


def test_a_missing_required_column_is_not_also_reported_on_every_row(practice_a, open_period):
    header = [c for c in PROVIDER_YEAR_HEADER if c != "work_rvus"]
    rows = [[v for i, v in enumerate(r) if i != 4] for r in provider_year_rows(3)]
    rows[0][1] = "2024"  # a row outside the reporting year: still checked
    rows[2][0] = "RAD-001"  # repeats row 2's key: still checked
    submission = upload(practice_a, "provider_year", csv_bytes(header, rows))
    found = _codes(practice_a, submission)
    assert ("missing_column", 1, "work_rvus") in found
    assert ("wrong_year", 2, "year") in found
    assert ("duplicate_key", 4, "provider_id") in found
    assert not [f for f in found if f[2] == "work_rvus" and f[0] != "missing_column"]


def test_a_missing_key_column_skips_only_the_duplicate_check(practice_a, open_period):
    header = [c for c in PROVIDER_YEAR_HEADER if c != "provider_id"]
    rows = [r[1:] for r in provider_year_rows(3)]
    rows[1][2] = "-1"  # clinical_fte out of range, row 3
    submission = upload(practice_a, "provider_year", csv_bytes(header, rows))
    found = _codes(practice_a, submission)
    assert found[0] == ("missing_column", 1, "provider_id")
    assert ("out_of_range", 3, "clinical_fte") in found
    assert len(found) == 2
