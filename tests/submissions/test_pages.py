"""Practice pages (upload, progress, result, history, templates) and staff pages (review
queue, review, reporting periods)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from practices.submissions import services
from practices.submissions.models import ReportingPeriod, Submission
from tests.submissions.factories import (
    PROVIDER_YEAR_HEADER,
    RVU_HEADER,
    csv_bytes,
    provider_year_rows,
    rvu_rows,
    upload,
)

LIST = "/practices/alpha/submissions/"


def _detail(submission) -> str:
    return f"{LIST}{submission.pk}/"


def test_list_page_shows_periods_with_days_left_templates_and_upload(
    client_as, submitter_a, open_period
):
    open_period.deadline = timezone.localdate() + timedelta(days=12)
    open_period.save()
    ReportingPeriod.objects.create(year=2021, status="closed")
    page = client_as(submitter_a).get(LIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert "12 days left" in text
    assert "/practices/submission-templates/rvu_detail.xlsx" in text
    assert 'id="upload-form"' in text and "data-dropzone" in text
    assert "upload.js" in text


def test_viewer_sees_no_upload_form_and_cannot_post(client_as, viewer_a, open_period):
    client = client_as(viewer_a)
    assert 'id="upload-form"' not in client.get(LIST).content.decode()
    response = client.post(LIST, {"kind": "provider_year", "year": 2025})
    assert response.status_code == 403


def test_upload_from_the_page_then_the_result(
    client_as, submitter_a, open_period, django_capture_on_commit_callbacks
):
    client = client_as(submitter_a)
    content = csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(3))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST,
            {"kind": "provider_year", "year": 2025, "file": SimpleUploadedFile("py.csv", content)},
        )
    submission = Submission.objects.across_practices().get()
    assert response.status_code == 302 and response.url == _detail(submission)
    page = client.get(response.url).content.decode()
    assert "Validated: 3 rows" in page
    assert "RAD-001" in page, "the practice sees its own provider ids"
    assert submission.practice.pseudonymize("RAD-001") not in page
    assert "Submit for review" in page


def test_upload_with_javascript_gets_json_and_polls_progress(
    client_as, submitter_a, open_period, django_capture_on_commit_callbacks
):
    client = client_as(submitter_a)
    content = csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST,
            {"kind": "provider_year", "year": 2025, "file": SimpleUploadedFile("p.csv", content)},
            headers={"accept": "application/json"},
        )
    assert response.status_code == 202
    payload = response.json()
    progress = client.get(payload["detail_url"] + "progress/").json()
    assert progress["status"] == "validated" and not progress["processing"]
    assert progress["progress_percent"] == 100


def test_upload_form_errors_are_400_not_500(client_as, submitter_a, open_period):
    client = client_as(submitter_a)
    assert client.post(LIST, {}).status_code == 400
    response = client.post(
        LIST,
        {"kind": "provider_year", "year": 2025, "file": SimpleUploadedFile("x.pdf", b"%PDF")},
    )
    assert response.status_code == 400
    assert "CSV" in response.content.decode()


def test_rejected_page_lists_errors_with_counts_and_csv_report(
    client_as, submitter_a, practice_a, open_period
):
    rows = provider_year_rows(150)
    for row in rows:
        row[4] = "many"
    rows[3][0] = "pat@example.org"
    submission = upload(practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, rows))
    client = client_as(submitter_a)
    page = client.get(_detail(submission)).content.decode()
    assert "151 errors" in page
    assert "The first 100 errors" in page
    assert page.count('<td class="num">') >= 100
    assert "not_a_number" in page and "phi_email" in page
    assert "pat@example.org" not in page
    report = client.get(f"{_detail(submission)}errors.csv")
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert lines[0] == ["row", "column", "error", "message"]
    assert len(lines) == 152
    assert lines[4][:3] == ["5", "provider_id", "phi_email"] or any(
        line[:3] == ["5", "provider_id", "phi_email"] for line in lines
    )
    assert "pat@example.org" not in str(lines)


def test_submit_from_the_page(client_as, submitter_a, practice_a, open_period):
    submission = upload(
        practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2))
    )
    response = client_as(submitter_a).post(
        f"{_detail(submission)}submit/", {"note": "Outliers are real."}
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "submitted" and submission.submitter_note == "Outliers are real."


def _result_text(client, submission) -> str:
    page = client.get(_detail(submission)).content.decode()
    return page.split("data-result-message>", 1)[1].split("</p>", 1)[0]


def test_the_result_text_follows_the_state(
    client_as, submitter_a, viewer_a, analyst, practice_a, open_period
):
    submission = upload(
        practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2))
    )
    submitter, viewer = client_as(submitter_a), client_as(viewer_a)
    assert _result_text(submitter, submission).endswith("Submit it for review when ready.")
    assert "Submit it" not in _result_text(viewer, submission)

    services.submission_submit(submission=submission, user=submitter_a)
    text = _result_text(submitter, submission)
    assert text.startswith("Submitted for review on") and "when ready" not in text

    services.submission_approve(submission=submission, reviewer=analyst)
    text = _result_text(submitter, submission)
    assert text.startswith("Approved on") and "current data" in text
    assert "when ready" not in text


def test_history_lists_versions_per_period_and_kind(client_as, viewer_a, practice_a, open_period):
    for seed in (1, 2):
        upload(
            practice_a,
            "provider_year",
            csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2, seed=seed)),
        )
    upload(practice_a, "rvu_detail", csv_bytes(RVU_HEADER, rvu_rows()))
    text = client_as(viewer_a).get(LIST).content.decode()
    assert "2025 · Provider year" in text and "2025 · RVU detail" in text
    assert ">v2<" in text and ">v1<" in text


def test_stalled_processing_offers_retry(client_as, submitter_a, practice_a, open_period):
    result = services.submission_upload(
        practice=practice_a,
        kind="provider_year",
        period=open_period,
        file=io.BytesIO(csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2))),
        filename="a.csv",
        queue=False,
    )
    client = client_as(submitter_a)
    assert "Retry" not in client.get(_detail(result.submission)).content.decode()
    Submission.objects.across_practices().filter(pk=result.submission.pk).update(
        status="validating", heartbeat_at=timezone.now() - timedelta(hours=2)
    )
    assert "Retry" in client.get(_detail(result.submission)).content.decode()
    response = client.post(f"{_detail(result.submission)}retry/")
    assert response.status_code == 302
    result.submission.refresh_from_db()
    assert result.submission.status in ("uploaded", "validated")


def test_template_downloads_need_sign_in(client, client_as, viewer_a):
    url = "/practices/submission-templates/provider_year.xlsx"
    assert client.get(url).status_code == 302
    response = client_as(viewer_a).get(url)
    assert response.status_code == 200
    assert "provider_year_template.xlsx" in response["Content-Disposition"]


# --- staff --------------------------------------------------------------------------------------------
def test_review_queue_and_approval(client_as, analyst, practice_a, submitter_a, open_period):
    submission = upload(
        practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(3))
    )
    services.submission_submit(submission=submission, user=submitter_a)
    client = client_as(analyst)
    queue = client.get("/staff/submissions/review/").content.decode()
    assert "Alpha Radiology" in queue and f"/staff/submissions/{submission.pk}/" in queue
    review = client.get(f"/staff/submissions/{submission.pk}/").content.decode()
    assert "RAD-001" not in review, "staff never see the practice's own ids"
    assert practice_a.pseudonymize("RAD-001")[:12] in review
    undecided = client.post(f"/staff/submissions/{submission.pk}/", {"comment": "fine"})
    assert undecided.status_code == 400, "a decision is never taken by default"
    submission.refresh_from_db()
    assert submission.status == "submitted"
    response = client.post(f"/staff/submissions/{submission.pk}/", {"action": "approve"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "approved" and submission.is_current


def test_return_needs_a_comment_the_practice_then_sees(
    client_as, analyst, practice_a, submitter_a, open_period
):
    submission = upload(
        practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(3))
    )
    services.submission_submit(submission=submission, user=submitter_a)
    client = client_as(analyst)
    url = f"/staff/submissions/{submission.pk}/"
    assert client.post(url, {"action": "return", "comment": ""}).status_code == 400
    client.post(url, {"action": "return", "comment": "Check RAD-002's FTE."})
    submission.refresh_from_db()
    assert submission.status == "returned"
    page = client_as(submitter_a).get(_detail(submission)).content.decode()
    assert "Check RAD-002&#x27;s FTE." in page or "Check RAD-002's FTE." in page


def test_members_and_other_staff_cannot_review(client_as, admin_a, make_staff, open_period):
    assert client_as(admin_a).get("/staff/submissions/review/").status_code == 403
    assert client_as(make_staff(None)).get("/staff/submissions/review/").status_code == 403


def test_analyst_opens_and_closes_periods(client_as, analyst, db):
    client = client_as(analyst)
    response = client.post("/staff/submissions/periods/", {"year": 2026, "deadline": "2027-03-31"})
    assert response.status_code == 302
    period = ReportingPeriod.objects.get(year=2026)
    assert period.status == "open" and str(period.deadline) == "2027-03-31"
    assert client.post("/staff/submissions/periods/", {"year": 2026}).status_code == 400
    client.post(
        f"/staff/submissions/periods/{period.pk}/",
        {f"p{period.pk}-status": "closed", f"p{period.pk}-deadline": "2027-03-31"},
    )
    period.refresh_from_db()
    assert period.status == "closed"
    assert "2026" in client.get("/staff/submissions/periods/").content.decode()


def test_stored_rows_show_every_provider_year_column(client_as, viewer_a, practice_a, open_period):
    from practices.submissions.kinds import schema_for

    header = schema_for("provider_year").column_names
    row = [
        "RAD-001", "2025", "neuro", "0.9", "10000.50", "550000.00", "1.0", "400000.00",
        "150000.00", "80000.00", "partner", "12", "40",
    ]  # fmt: skip
    submission = upload(practice_a, "provider_year", csv_bytes(header, [row]))
    assert submission.status == "validated", submission.progress_message
    page = client_as(viewer_a).get(_detail(submission)).content.decode()
    rows = page.split('id="rows-h"', 1)[1]
    for label in (
        "Provider (your id)", "Year", "Subspecialty", "Clinical FTE", "Work RVUs",
        "Total compensation", "Total FTE", "Base compensation", "Incentive compensation",
        "Benefits", "Partner status", "Years in practice", "Call shifts",
    ):  # fmt: skip
        assert f">{label}</th>" in rows, label
    for shown in ("RAD-001", "$400,000.00", "$150,000.00", "$80,000.00", ">12<", ">40<", ">1.000<"):
        assert shown in rows, shown
