"""The submissions API: multipart upload (202 and a URL to poll), status, error and warning
reports, submit, retry, templates, reporting periods; with practice API keys too."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from practices import services as practice_services
from practices.submissions.models import Submission
from tests.submissions.factories import (
    PROVIDER_YEAR_HEADER,
    csv_bytes,
    provider_year_rows,
    upload,
)

BASE = "/api/v1/practices/alpha/submissions/"


def _file(content: bytes, name: str = "py.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def _post(client, content, *, kind="provider_year", year=2025, name="py.csv"):
    return client.post(
        BASE, {"kind": kind, "year": year, "file": _file(content, name)}, format="multipart"
    )


def test_upload_answers_202_with_the_url_to_poll(
    api_as, submitter_a, open_period, django_capture_on_commit_callbacks
):
    client = api_as(submitter_a)
    content = csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(4))
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, content)
    assert response.status_code == 202, response.content
    body = response.json()
    assert response["Location"] == body["url"]
    assert body["url"].endswith(f"{BASE}{body['id']}/")
    assert body["version"] == 1 and body["kind"] == "provider_year" and body["year"] == 2025
    status = client.get(body["url"]).json()
    assert status["status"] == "validated"
    assert status["progress_percent"] == 100
    assert status["row_count"] == 4
    assert status["uploaded_by"] == submitter_a.email


def test_rejected_file_reports_errors_as_json(
    api_as, submitter_a, open_period, django_capture_on_commit_callbacks
):
    rows = provider_year_rows(3)
    rows[1][3] = "lots"
    rows[2][0] = "555-12-3456"
    client = api_as(submitter_a)
    with django_capture_on_commit_callbacks(execute=True):
        body = _post(client, csv_bytes(PROVIDER_YEAR_HEADER, rows)).json()
    status = client.get(body["url"]).json()
    assert status["status"] == "rejected"
    assert status["issue_counts"] == {"not_a_number": 1, "phi_ssn": 1}
    report = client.get(status["errors_url"]).json()
    assert report["total"] == 2 and report["counts"] == {"not_a_number": 1, "phi_ssn": 1}
    assert report["results"] == [
        {
            "row": 3,
            "column": "clinical_fte",
            "code": "not_a_number",
            "message": "is not a number (use a point for decimals, e.g. 1234.5)",
        },
        {
            "row": 4,
            "column": "provider_id",
            "code": "phi_ssn",
            "message": report["results"][1]["message"],
        },
    ]
    assert "555-12-3456" not in str(report)


def test_identical_upload_answers_200_and_changes_nothing(api_as, submitter_a, open_period):
    content = csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2))
    client = api_as(submitter_a)
    first = _post(client, content)
    assert first.status_code == 202
    again = _post(client, content, name="renamed.csv")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert "identical" in again.json()["message"]
    assert Submission.objects.across_practices().count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "provider_year", "year": 2025}, "file"),
        ({"kind": "nonsense", "year": 2025}, "kind"),
        ({"kind": "provider_year", "year": 1999}, "year"),
        ({"kind": "provider_year"}, "year"),
    ],
)
def test_bad_upload_requests_are_400(api_as, submitter_a, open_period, payload, field):
    client = api_as(submitter_a)
    data = dict(payload)
    if field != "file":
        data["file"] = _file(b"provider_id\n")
    response = client.post(BASE, data, format="multipart")
    assert response.status_code == 400
    assert field in response.json()


def test_wrong_extension_is_400(api_as, submitter_a, open_period):
    response = _post(api_as(submitter_a), b"%PDF-1.4", name="report.pdf")
    assert response.status_code == 400
    assert "file" in response.json()


def test_huge_upload_is_413(api_as, submitter_a, open_period, settings):
    settings.SUBMISSION_MAX_UPLOAD_BYTES = 1000
    response = _post(api_as(submitter_a), b"x" * 5000)
    assert response.status_code == 413
    assert not Submission.objects.across_practices().exists()


def test_closed_period_upload_is_400(api_as, submitter_a, open_period):
    open_period.status = "closed"
    open_period.save()
    response = _post(api_as(submitter_a), csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2)))
    assert response.status_code == 400
    assert "closed" in str(response.json())


def test_viewer_cannot_upload_but_can_read(api_as, viewer_a, practice_a, open_period):
    client = api_as(viewer_a)
    assert _post(client, b"provider_id\n").status_code == 403
    upload(practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2)))
    assert client.get(BASE).status_code == 200


def test_another_practice_gets_404(api_as, admin_b, practice_a, open_period):
    submission = upload(
        practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2))
    )
    client = api_as(admin_b)
    assert client.get(f"{BASE}{submission.pk}/").status_code == 404
    assert client.get(f"/api/v1/practices/beta/submissions/{submission.pk}/").status_code == 404
    assert _post(client, b"provider_id\n").status_code == 404


def test_submit_and_retry_through_the_api(api_as, submitter_a, practice_a, open_period):
    submission = upload(
        practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2))
    )
    client = api_as(submitter_a)
    response = client.post(f"{BASE}{submission.pk}/submit/", {"note": "ok"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    again = client.post(f"{BASE}{submission.pk}/submit/", {}, format="json")
    assert again.status_code == 400
    assert client.post(f"{BASE}{submission.pk}/retry/").status_code == 400


def test_practice_api_key_uploads_and_polls(
    api_client, admin_a, practice_a, open_period, django_capture_on_commit_callbacks
):
    _, raw_key = practice_services.api_key_create(
        practice=practice_a, name="uploader", created_by=admin_a
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(api_client, csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(3)))
    assert response.status_code == 202
    assert api_client.get(response["Location"]).json()["status"] == "validated"
    assert api_client.get("/api/v1/practices/beta/submissions/").status_code == 404


def test_list_filters_and_query_count(
    api_as, admin_a, practice_a, open_period, django_assert_max_num_queries
):
    for seed in range(4):
        upload(
            practice_a,
            "provider_year",
            csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2, seed=seed)),
        )
    client = api_as(admin_a)
    with django_assert_max_num_queries(8):
        body = client.get(BASE).json()
    assert body["count"] == 4
    assert [r["version"] for r in body["results"]] == [4, 3, 2, 1]
    filtered = client.get(BASE, {"year": 2025, "kind": "provider_year", "ordering": "version"})
    assert [r["version"] for r in filtered.json()["results"]] == [1, 2, 3, 4]
    assert client.get(BASE, {"kind": "rvu_detail"}).json()["count"] == 0


def test_templates_download_from_the_api(api_as, viewer_a, db):
    client = api_as(viewer_a)
    csv_response = client.get("/api/v1/submission-templates/provider_year.csv")
    assert csv_response.status_code == 200
    assert csv_response.content.decode().strip() == ",".join(
        [
            "provider_id",
            "year",
            "subspecialty",
            "clinical_fte",
            "work_rvus",
            "total_compensation",
            "total_fte",
            "base_compensation",
            "incentive_compensation",
            "benefits",
            "partner_status",
            "years_in_practice",
            "call_shifts",
        ]
    )
    xlsx = client.get("/api/v1/submission-templates/rvu_detail.xlsx")
    assert xlsx.status_code == 200
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["rvu_detail", "Data dictionary"]
    assert client.get("/api/v1/submission-templates/rvu_detail.pdf").status_code == 404


def test_reporting_periods_with_days_left(api_as, viewer_a, open_period):
    from datetime import timedelta

    from django.utils import timezone

    open_period.deadline = timezone.localdate() + timedelta(days=10)
    open_period.save()
    body = api_as(viewer_a).get("/api/v1/reporting-periods/").json()
    assert body["results"] == [
        {
            "year": 2025,
            "status": "open",
            "deadline": open_period.deadline.isoformat(),
            "days_left": 10,
        }
    ]


def test_anonymous_gets_nothing(api_client, open_period):
    assert api_client.get(BASE).status_code in (401, 403)
    assert api_client.get("/api/v1/submission-templates/rvu_detail.csv").status_code in (401, 403)


def test_schema_describes_the_upload(api_as, admin_a):
    schema = api_as(admin_a).get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/practices/{practice_slug}/submissions/"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert "202" in operation["responses"]


def test_changes_made_with_an_api_key_are_audited_as_its_creator(
    api_client, admin_a, practice_a, open_period
):
    """The audit trail names who acted: for a request signed with a practice API key that is
    the key's creator (the key acts as them), as for a signed-in member."""
    from auditlog.models import LogEntry

    _, raw_key = practice_services.api_key_create(
        practice=practice_a, name="uploader", created_by=admin_a
    )
    submission = upload(
        practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2))
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    response = api_client.post(f"{BASE}{submission.pk}/submit/", {}, format="json")
    assert response.status_code == 200
    (entry,) = [
        e
        for e in LogEntry.objects.get_for_object(submission).filter(action=LogEntry.Action.UPDATE)
        if e.changes_dict.get("status", [None, None])[1] == "submitted"
    ]
    assert entry.actor == admin_a
