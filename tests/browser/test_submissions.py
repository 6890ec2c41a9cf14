"""Data submissions in the browser: a submitter downloads a template, uploads a file, follows its
check and submits it; a file with errors is rejected with its report; an analyst approves or
returns a submitted file and the practice sees the outcome."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, Route, expect

from practices.submissions import services
from practices.submissions.models import Submission
from tests.browser.helpers import downloaded_text, open_page, path_is, screenshot, sign_in
from tests.factories import TEST_PASSWORD, enable_totp
from tests.submissions.factories import (
    PROVIDER_YEAR_HEADER,
    YEAR,
    csv_bytes,
    header_of,
    period,
    provider_year_rows,
    upload,
)

pytestmark = pytest.mark.browser

DAYS_TO_DEADLINE = 30
LEAKED_EMAIL = "jane.doe@example.com"
BAD_NUMBER = "twelve thousand"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a throw-away directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def open_period(db):
    reporting_period = period(YEAR)
    reporting_period.deadline = timezone.localdate() + timedelta(days=DAYS_TO_DEADLINE)
    reporting_period.save()
    return reporting_period


@pytest.fixture
def analyst_page(browser, live_server) -> Iterator[Page]:
    """The analyst's own browser, beside the practice's `page`."""
    tab = open_page(browser, live_server.url)
    yield tab
    tab.context.close()


def submitted_file(practice, submitter, rows: int = 4) -> Submission:
    """A provider_year file the practice has uploaded, seen validated and submitted."""
    submission = upload(
        practice, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(rows))
    )
    assert submission.status == Submission.Status.VALIDATED, submission.progress_message
    return services.submission_submit(
        submission=submission, user=submitter, note="Two new partners joined in March."
    )


def open_submissions_page(page: Page) -> None:
    page.get_by_role("navigation", name="Alpha Radiology").get_by_role(
        "link", name="Submissions", exact=True
    ).click()
    expect(page).to_have_url(path_is("/practices/alpha/submissions/"))
    expect(page.get_by_role("heading", name="Data submissions of Alpha Radiology")).to_be_visible()


def choose_file(page: Page, name: str, content: bytes) -> None:
    upload_form = page.get_by_role("region", name="Upload a file")
    upload_form.get_by_label("Kind of file").select_option("provider_year")
    upload_form.get_by_label("Reporting year").select_option(str(YEAR))
    upload_form.get_by_label(re.compile(r"^File\b")).set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )


def test_submitter_downloads_a_template_uploads_a_file_and_submits_it(
    page, live_server, practice_a, submitter_a, open_period
):
    sign_in(page, live_server, submitter_a.email, TEST_PASSWORD)
    open_submissions_page(page)

    # The open period, its deadline and the days left.
    periods = page.get_by_role("region", name="Reporting periods")
    period_row = periods.get_by_role("row", name=str(YEAR))
    expect(period_row).to_contain_text("Open")
    expect(period_row).to_contain_text(open_period.deadline.strftime("%B %-d, %Y"))
    expect(period_row).to_contain_text(f"{DAYS_TO_DEADLINE} days left")
    expect(page.get_by_text("Nothing uploaded yet.")).to_be_visible()

    # The CSV template of provider_year is its header row.
    templates = page.get_by_role("region", name="Templates")
    provider_year_item = templates.get_by_role("listitem").filter(has_text="Provider year")
    with page.expect_download() as template_download:
        provider_year_item.get_by_role("link", name="CSV", exact=True).click()
    template = template_download.value
    assert template.suggested_filename == "provider_year_template.csv"
    assert downloaded_text(template).splitlines() == [",".join(header_of("provider_year"))]
    screenshot(page, "submissions-list")

    # Upload through the file picker. Each stage waits (held by the test) long enough to be
    # read: first the file is sent, then the server's check is followed.
    held: dict[str, Route] = {}

    def hold_upload(route: Route) -> None:
        if route.request.method == "POST" and "upload" not in held:
            held["upload"] = route
        else:
            route.continue_()

    def hold_first_progress_poll(route: Route) -> None:
        if "progress" not in held:
            held["progress"] = route
        else:
            route.continue_()

    page.route("**/practices/alpha/submissions/", hold_upload)
    page.route("**/practices/alpha/submissions/*/progress/", hold_first_progress_poll)
    content = csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(5, prefix="ALPHA"))
    choose_file(page, "provider_year_2025.csv", content)
    upload_form = page.get_by_role("region", name="Upload a file")
    expect(upload_form.get_by_text("Selected: provider_year_2025.csv")).to_be_visible()
    upload_form.get_by_role("button", name="Upload and check").click()

    stage = upload_form.get_by_role("status")
    expect(stage).to_have_text("Uploading…")
    expect(upload_form.get_by_role("progressbar")).to_be_visible()
    expect(upload_form.get_by_role("button", name="Upload and check")).to_be_disabled()
    held["upload"].continue_()
    expect(stage).to_have_text("Uploaded. Checking the file…")
    screenshot(page, "submissions-upload-progress")
    held["progress"].continue_()

    # The result: validated, with the practice's own provider ids.
    submission = Submission.objects.for_practice(practice_a).get()
    expect(page).to_have_url(path_is(f"/practices/alpha/submissions/{submission.pk}/"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(f"Provider year {YEAR}, version 1")
    expect(heading).to_contain_text("Validated")
    result = page.get_by_role("region", name="Result")
    expect(result).to_contain_text("Validated: 5 rows stored. Submit it for review when ready.")
    stored_rows = page.get_by_role("region", name="Stored rows")
    expect(stored_rows.get_by_role("columnheader", name="Provider (your id)")).to_be_visible()
    expect(stored_rows.get_by_role("row")).to_have_count(6)  # header and five providers
    for local_id in ("ALPHA-001", "ALPHA-005"):
        expect(stored_rows.get_by_role("cell", name=local_id, exact=True)).to_be_visible()
    pseudonym = practice_a.pseudonymize("ALPHA-001")
    expect(page.get_by_text(pseudonym[:10])).to_have_count(0)
    screenshot(page, "submission-validated")

    # Submit it with a note.
    result.get_by_label("Note for the analysts (optional)").fill("Two new partners in March.")
    result.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status").filter(has_text="Submitted for review")).to_be_visible()
    expect(heading).to_contain_text("Submitted")
    file_facts = page.get_by_role("region", name="File")
    expect(file_facts.locator("dt:text-is('Submitted') + dd")).to_contain_text(
        "“Two new partners in March.”"
    )
    expect(result.get_by_role("button", name="Submit for review")).to_have_count(0)
    expect(result).to_contain_text("Submitted for review on")
    expect(result).not_to_contain_text("Submit it for review when ready")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_a_file_with_errors_is_rejected_with_row_column_and_reason(
    page, live_server, practice_a, submitter_a, open_period
):
    rows = provider_year_rows(3)
    rows[0][4] = BAD_NUMBER  # work_rvus of row 2
    rows[1][0] = LEAKED_EMAIL  # provider_id of row 3
    sign_in(page, live_server, submitter_a.email, TEST_PASSWORD)
    open_submissions_page(page)
    choose_file(page, "provider_year_errors.csv", csv_bytes(PROVIDER_YEAR_HEADER, rows))
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Rejected")
    rejected = Submission.objects.for_practice(practice_a).get()
    expect(page).to_have_url(path_is(f"/practices/alpha/submissions/{rejected.pk}/"))
    report = page.get_by_role("region", name="2 errors: nothing was stored")
    expect(report).to_contain_text("Fix them in your file and upload it again")

    counts = report.locator("table").filter(has=page.get_by_role("columnheader", name="Count"))
    expect(counts.get_by_role("row", name="not_a_number")).to_contain_text("1")
    expect(counts.get_by_role("row", name="phi_email")).to_contain_text("1")

    errors = report.get_by_role("table", name="Errors")
    bad_number = errors.get_by_role("row").filter(has_text="work_rvus")
    expect(bad_number.get_by_role("cell").nth(0)).to_have_text("2")
    expect(bad_number.get_by_role("cell").nth(2)).to_contain_text("is not a number")
    leaked_id = errors.get_by_role("row").filter(has_text="provider_id")
    expect(leaked_id.get_by_role("cell").nth(0)).to_have_text("3")
    expect(leaked_id.get_by_role("cell").nth(2)).to_contain_text("e-mail")
    screenshot(page, "submission-rejected")

    # The offending values are never repeated, on the page or in its source.
    expect(page.get_by_text(LEAKED_EMAIL)).to_have_count(0)
    expect(page.get_by_text(BAD_NUMBER)).to_have_count(0)
    assert LEAKED_EMAIL not in page.content() and BAD_NUMBER not in page.content()
    expect(page.get_by_role("region", name="Stored rows")).to_have_count(0)

    with page.expect_download() as report_download:
        report.get_by_role("link", name="Download the error report (CSV)").click()
    error_csv = report_download.value
    assert error_csv.suggested_filename == f"provider_year_{YEAR}_v1_errors.csv"
    text = downloaded_text(error_csv)
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["row", "column", "error", "message"]
    assert sorted((line[0], line[1], line[2]) for line in lines[1:]) == [
        ("2", "work_rvus", "not_a_number"),
        ("3", "provider_id", "phi_email"),
    ]
    assert LEAKED_EMAIL not in text and BAD_NUMBER not in text


def test_analyst_approves_a_submitted_file_and_the_practice_sees_it_current(
    page, analyst_page, live_server, practice_a, submitter_a, make_staff, open_period
):
    submission = submitted_file(practice_a, submitter_a)
    analyst = make_staff("analyst", totp=False)
    secret = enable_totp(analyst)

    sign_in(analyst_page, live_server, analyst.email, TEST_PASSWORD, totp_secret=secret)
    analyst_page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Review queue", exact=True
    ).click()
    expect(analyst_page).to_have_url(path_is("/staff/submissions/review/"))
    expect(
        analyst_page.get_by_role("heading", name="Submissions waiting for review")
    ).to_be_visible()
    waiting = analyst_page.get_by_role("row", name="Alpha Radiology")
    expect(waiting).to_contain_text("provider_year")
    expect(waiting).to_contain_text(f"v{submission.version}")
    screenshot(analyst_page, "staff-review-queue")
    waiting.get_by_role("link", name="Review").click()

    # Rows by pseudonym; the practice's own ids never reach a staff page.
    expect(analyst_page).to_have_url(path_is(f"/staff/submissions/{submission.pk}/"))
    expect(analyst_page.get_by_role("heading", level=1)).to_contain_text(
        f"Alpha Radiology: Provider year {YEAR}, version 1"
    )
    expect(analyst_page.get_by_text("Two new partners joined in March.")).to_be_visible()
    rows = analyst_page.get_by_role("region", name="Rows", exact=True)
    expect(rows.get_by_role("columnheader", name="Provider pseudonym")).to_be_visible()
    for local_id in ("RAD-001", "RAD-004"):
        pseudonym = practice_a.pseudonymize(local_id)
        expect(rows.locator(f"code[title='{pseudonym}']")).to_have_text(f"{pseudonym[:12]}…")
    expect(analyst_page.get_by_text("RAD-00")).to_have_count(0)
    screenshot(analyst_page, "staff-review-submission")

    decision = analyst_page.get_by_role("region", name="Decision")
    decision.get_by_label("Action").select_option(label="Approve")
    decision.get_by_role("button", name="Record decision").click()
    expect(analyst_page).to_have_url(path_is("/staff/submissions/review/"))
    expect(analyst_page.get_by_role("status")).to_contain_text(
        f"{submission} approved; it is now current."
    )
    expect(analyst_page.get_by_role("cell", name="Nothing waits for review.")).to_be_visible()

    # The practice sees the version approved and current in its history.
    sign_in(page, live_server, submitter_a.email, TEST_PASSWORD)
    open_submissions_page(page)
    history = page.get_by_role("region", name=f"Provider year {YEAR}")
    version_row = history.get_by_role("row", name="v1")
    expect(version_row).to_contain_text("Approved")
    expect(version_row).to_contain_text("current")
    screenshot(page, "submissions-history-approved")


def test_analyst_returns_a_file_with_a_comment_the_practice_sees(
    page, analyst_page, live_server, practice_a, submitter_a, make_staff, open_period
):
    submission = submitted_file(practice_a, submitter_a)
    analyst = make_staff("analyst", totp=False)
    secret = enable_totp(analyst)
    comment = "Row 3 lists 0.75 clinical FTE; please confirm it against payroll."

    sign_in(analyst_page, live_server, analyst.email, TEST_PASSWORD, totp_secret=secret)
    analyst_page.goto(f"/staff/submissions/{submission.pk}/")
    decision = analyst_page.get_by_role("region", name="Decision")
    decision.get_by_label("Action").select_option(label="Return to the practice")
    decision.get_by_role("button", name="Record decision").click()
    # A return needs a comment.
    expect(decision.get_by_role("alert")).to_contain_text("Say what the practice should fix.")
    decision.get_by_label("Comment for the practice").fill(comment)
    decision.get_by_role("button", name="Record decision").click()
    expect(analyst_page).to_have_url(path_is("/staff/submissions/review/"))
    expect(analyst_page.get_by_role("status")).to_contain_text(
        f"{submission} returned to the practice."
    )

    sign_in(page, live_server, submitter_a.email, TEST_PASSWORD)
    open_submissions_page(page)
    version_row = page.get_by_role("region", name=f"Provider year {YEAR}").get_by_role(
        "row", name="v1"
    )
    expect(version_row).to_contain_text("Returned")
    expect(version_row).to_contain_text(comment)
    version_row.get_by_role("link", name="v1").click()

    expect(page).to_have_url(path_is(f"/practices/alpha/submissions/{submission.pk}/"))
    result = page.get_by_role("region", name="Result")
    expect(result.get_by_role("note")).to_have_text(f"Analyst's comment (returned): {comment}")
    # The practice may send the same version again, with a note.
    expect(result.get_by_role("button", name="Submit for review")).to_be_enabled()
    screenshot(page, "submission-returned")


def test_a_large_file_being_checked_shows_its_rows_checked_and_follows_them(
    page, live_server, practice_a, submitter_a, open_period
):
    """A file read in batches reports "Checked N of M rows" as it goes; its page shows that
    state with the bar and follows the run to its end without a reload by the user."""
    submission = upload(
        practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(3))
    )
    mid_check = {
        "status": Submission.Status.VALIDATING,
        "progress_percent": 38,
        "progress_message": "Checked 2,000,000 of 5,000,000 rows",
        "heartbeat_at": timezone.now(),
        "row_count": 0,  # nothing stored yet
    }
    Submission.objects.for_practice(practice_a).filter(pk=submission.pk).update(**mid_check)
    sign_in(page, live_server, submitter_a.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/practices/alpha/submissions/{submission.pk}/")
    result = page.get_by_role("region", name="Result")
    expect(result.get_by_role("status")).to_contain_text("Checked 2,000,000 of 5,000,000 rows")
    expect(result.locator("progress")).to_have_attribute("value", "38")
    screenshot(page, "submission-checking-rows")

    # The page follows the run: the next batch, then the end of the run.
    Submission.objects.for_practice(practice_a).filter(pk=submission.pk).update(
        progress_percent=45, progress_message="Checked 4,000,000 of 5,000,000 rows"
    )
    expect(result.get_by_role("status")).to_contain_text("Checked 4,000,000 of 5,000,000 rows")
    Submission.objects.for_practice(practice_a).filter(pk=submission.pk).update(
        status=Submission.Status.VALIDATED, progress_percent=100, progress_message="Done"
    )
    expect(page.get_by_role("region", name="Result").locator("progress")).to_have_count(0)
