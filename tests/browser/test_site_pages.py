"""Error pages, the staff home, the audit trail and a submission's stored rows, as a person
sees them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from practices.submissions.kinds import schema_for
from tests.browser.helpers import path_is, screenshot, sign_in
from tests.factories import TEST_PASSWORD, InvitationFactory, UserFactory, enable_totp
from tests.submissions.factories import csv_bytes, period, upload

pytestmark = pytest.mark.browser


def test_error_pages_keep_the_site_layout(page, live_server, viewer_a):
    page.goto("/no-such-page/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("link", name="Radiology Coalition")).to_be_visible()
    page.get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(path_is("/accounts/login/"))
    page.goto("/no-such-page/")
    screenshot(page, "error-404-visitor")

    sign_in(page, live_server, viewer_a.email, TEST_PASSWORD)
    page.goto("/staff/audit/")
    expect(page.get_by_role("heading", name="You are not allowed to see this page")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    screenshot(page, "error-403-member")


def test_staff_homes_and_the_audit_trail(page, live_server, browser, make_staff, practice_a):
    analyst = make_staff("analyst", totp=False)
    secret = enable_totp(analyst)
    inviter = UserFactory(full_name="Dana Whitfield", email="dana@example.org")
    InvitationFactory(practice=practice_a, invited_by=inviter, role="submitter")
    sign_in(page, live_server, analyst.email, TEST_PASSWORD, totp_secret=secret)
    page.goto("/")
    staff = page.get_by_role("region", name="Coalition staff")
    for name in (
        "Review queue",
        "Reporting periods",
        "Benchmark releases",
        "Disclosure rules",
        "Reference figures",
        "Member directory",
        "Audit trail",
    ):
        expect(staff.get_by_role("link", name=name, exact=True)).to_be_visible()
    screenshot(page, "staff-home-analyst")

    staff.get_by_role("link", name="Audit trail", exact=True).click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    invitation_row = page.get_by_role("row").filter(has_text="invitation")
    expect(invitation_row.first).to_contain_text("Dana Whitfield")
    expect(invitation_row.first).to_contain_text("Submitter")
    screenshot(page, "audit-trail")

    pso = make_staff("pso_staff", totp=False)
    pso_secret = enable_totp(pso)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    pso_page = context.new_page()
    sign_in(pso_page, live_server, pso.email, TEST_PASSWORD, totp_secret=pso_secret)
    pso_page.goto("/")
    pso_staff = pso_page.get_by_role("region", name="Coalition staff")
    expect(pso_staff.get_by_role("link", name="PSO event queue")).to_be_visible()
    expect(pso_staff.get_by_role("link", name="Review queue")).to_be_visible()
    screenshot(pso_page, "staff-home-pso")
    context.close()


def test_stored_rows_show_every_column(page, live_server, practice_a, viewer_a):
    header = schema_for("provider_year").column_names
    rows = [
        ["RAD-001", "2025", "neuro", "0.9", "10000.50", "550000.00", "1.0", "400000.00",
         "150000.00", "80000.00", "partner", "12", "40"],
        ["RAD-002", "2025", "breast", "1.0", "9000", "500000", "", "", "", "", "employed", "", ""],
    ]  # fmt: skip
    period()
    submission = upload(practice_a, "provider_year", csv_bytes(header, rows))
    sign_in(page, live_server, viewer_a.email, TEST_PASSWORD)
    page.goto(f"/practices/alpha/submissions/{submission.pk}/")
    stored = page.get_by_role("region", name="Stored rows")
    expect(stored.get_by_role("columnheader")).to_have_count(13)
    expect(stored.get_by_role("columnheader", name="Call shifts")).to_be_visible()
    expect(stored.get_by_role("cell", name="$150,000.00")).to_be_visible()
    screenshot(page, "submission-stored-rows")
