"""A file whose name looks like it carries a patient identifier is refused on every way in
(the upload page, the API, import_data), with a message that does not repeat the name, and
nothing is stored: no submission, no file, no reporting period."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from practices.submissions import services
from practices.submissions.models import ReportingPeriod, Submission
from tests.submissions.factories import PROVIDER_YEAR_HEADER, csv_bytes, provider_year_rows

NAMES = [
    ("patient 555-12-3456 john.doe@example.org.csv", "a Social Security number"),
    ("john.doe@example.org.csv", "an e-mail address"),
    ("call (614) 555-0100.csv", "a telephone number"),
    ("MRN 00123456 extract.xlsx", "a medical record number"),
    ("dob 1961-04-12.csv", "a date of birth"),
    ("12 Oak Street.csv", "a street address"),
]
CONTENT = csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(3))


def _stored_files(settings) -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _assert_nothing_stored(settings):
    assert not Submission.objects.across_practices().exists()
    assert _stored_files(settings) == []


@pytest.mark.parametrize(("name", "label"), NAMES)
def test_the_upload_page_refuses_the_name_without_repeating_it(
    client_as, submitter_a, open_period, settings, name, label
):
    response = client_as(submitter_a).post(
        "/practices/alpha/submissions/",
        {"kind": "provider_year", "year": 2025, "file": SimpleUploadedFile(name, CONTENT)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"looks like it contains {label}" in page
    stem = Path(name).stem
    assert stem not in page
    for part in ("555-12-3456", "john.doe@example.org", "00123456", "1961-04-12", "Oak Street"):
        assert part not in page
    _assert_nothing_stored(settings)


def test_the_upload_page_with_javascript_gets_the_message_as_json(
    client_as, submitter_a, open_period, settings
):
    name = NAMES[0][0]
    response = client_as(submitter_a).post(
        "/practices/alpha/submissions/",
        {"kind": "provider_year", "year": 2025, "file": SimpleUploadedFile(name, CONTENT)},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    assert "patient identifier" in response.content.decode()
    assert "555-12-3456" not in response.content.decode()
    _assert_nothing_stored(settings)


@pytest.mark.parametrize(("name", "label"), NAMES)
def test_the_api_refuses_the_name_without_repeating_it(
    api_as, submitter_a, open_period, settings, name, label
):
    response = api_as(submitter_a).post(
        "/api/v1/practices/alpha/submissions/",
        {"kind": "provider_year", "year": 2025, "file": SimpleUploadedFile(name, CONTENT)},
        format="multipart",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert label in body and "patient identifier" in body
    assert Path(name).stem not in body
    _assert_nothing_stored(settings)


def test_import_data_refuses_the_name_and_creates_no_period(practice_a, tmp_path, settings):
    path = tmp_path / NAMES[0][0]
    path.write_bytes(csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(3, year=2023)))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_data",
            "--practice",
            "alpha",
            "--kind",
            "provider_year",
            str(path),
            stdout=out,
            stderr=err,
        )
    text = str(raised.value) + out.getvalue() + err.getvalue()
    assert "a Social Security number" in text
    assert "555-12-3456" not in text and "john.doe" not in text
    assert not ReportingPeriod.objects.filter(year=2023).exists()
    _assert_nothing_stored(settings)


def test_the_service_refuses_before_reading(practice_a, open_period):
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("the file was read")

    with pytest.raises(services.ValidationError) as raised:
        services.submission_upload(
            practice=practice_a,
            kind="provider_year",
            period=open_period,
            file=Unreadable(b"x"),
            filename="ssn 123-45-6789.csv",
        )
    assert raised.value.error_dict["file"][0].code == "phi_filename"


@pytest.mark.parametrize("name", ["provider_year_2025.csv", "RVU detail 2024 (final v2).csv"])
def test_ordinary_names_are_accepted(api_as, submitter_a, open_period, name):
    response = api_as(submitter_a).post(
        "/api/v1/practices/alpha/submissions/",
        {"kind": "provider_year", "year": 2025, "file": SimpleUploadedFile(name, CONTENT)},
        format="multipart",
    )
    assert response.status_code == 202
    assert response.json()["original_filename"] == name
