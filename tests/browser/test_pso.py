"""The PSO as people use it: a member reports an event in a minute, PSO staff triage it, write
the root-cause analysis, add an action and close it, and a member reads the coalition trends."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from quality.pso.models import SafetyEvent
from tests.browser.helpers import open_page, path_is, screenshot, sign_in
from tests.factories import TEST_PASSWORD, enable_totp
from tests.pso.factories import report

pytestmark = pytest.mark.browser

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_report_triage_analyze_close_and_read_trends(
    page, browser, live_server, practice_a, viewer_a, make_staff
):
    pso = make_staff("pso_staff", totp=False)
    enable_totp(pso, SECRET)

    # A member reports, anonymously; an identifier in the narrative is refused in place.
    sign_in(page, live_server, viewer_a.email, TEST_PASSWORD)
    page.goto(f"/practices/{practice_a.slug}/safety/")
    page.get_by_role("link", name="Report an event").first.click()
    expect(page.get_by_role("heading", name="Report a safety event")).to_be_visible()
    page.get_by_label("Type of event").select_option("contrast_reaction")
    page.get_by_label("Did it reach the patient?").select_option("incident")
    page.get_by_label("Harm to the patient").select_option("mild")
    page.get_by_label("Discovered on").fill("2025-03-14")
    page.get_by_label("Modality").select_option("CT")
    page.get_by_label("Communication").check()
    narrative = page.get_by_label("What happened (no patient identifiers)")
    narrative.fill("Mr. Alvarez had hives after contrast")
    page.get_by_label("Report anonymously").check()
    page.get_by_role("button", name="Report the event").click()
    expect(page.get_by_role("alert").filter(has_text="a person's name")).to_be_visible()
    screenshot(page, "pso-report-refused")
    page.get_by_label("What happened (no patient identifiers)").fill(
        "Hives ten minutes after IV contrast; treated and released."
    )
    page.get_by_role("button", name="Report the event").click()
    expect(page.get_by_role("heading", name="Safety event SE-2025-0001")).to_be_visible()
    expect(page.get_by_text("anonymously")).to_be_visible()
    event = SafetyEvent.objects.for_practice(practice_a).get()
    assert event.reporter is None

    # PSO staff: the queue, triage, analysis, an action, closing.
    staff = open_page(browser, live_server.url)
    sign_in(staff, live_server, pso.email, TEST_PASSWORD, totp_secret=SECRET)
    staff.goto("/staff/pso/")
    staff.get_by_role("link", name="SE-2025-0001").click()
    expect(staff).to_have_url(path_is(f"/staff/pso/events/{event.pk}/"))
    staff.get_by_label("Likelihood of recurrence").select_option("possible")
    staff.get_by_label("Owner (PSO staff)").select_option(label=f"{pso.full_name} ({pso.email})")
    staff.get_by_role("button", name="Triage").click()
    expect(staff.get_by_text("Moderate (mild harm x possible)")).to_be_visible()
    staff.get_by_role("button", name="Start the analysis").click()
    staff.get_by_label("RCA team").fill("Lead technologist, radiologist, nurse manager")
    staff.get_by_label("Causal statements").fill(
        "No question on prior reactions -> reaction not foreseen -> hives"
    )
    staff.get_by_role("button", name="Save the analysis").click()
    staff.get_by_label("Description").fill("Prior-reaction question in the worklist")
    staff.get_by_label("Strength").select_option("stronger")
    staff.get_by_label("Action owner").select_option(label=f"{pso.full_name} ({pso.email})")
    staff.get_by_label("Due on").fill("2030-01-31")
    staff.get_by_role("button", name="Add the action").click()
    expect(
        staff.get_by_role("cell", name="Prior-reaction question in the worklist")
    ).to_be_visible()
    screenshot(staff, "pso-workspace")
    staff.get_by_role("button", name="Close the event").click()
    expect(staff.locator("h1 .badge")).to_have_text("Closed")
    staff.context.close()

    # The member sees who at the PSO read it, and the de-identified coalition trends.
    page.goto(f"/practices/{practice_a.slug}/safety/access-log/")
    expect(page.get_by_role("cell", name=pso.email).first).to_be_visible()
    for _ in range(2):
        report(practice_a, event_type="fall")
    page.goto(f"/practices/{practice_a.slug}/safety/trends/")
    expect(page.get_by_role("heading", name="Coalition safety trends")).to_be_visible()
    expect(page.get_by_role("img", name="Events by type and year")).to_be_visible()
    expect(page.get_by_text("withheld").first).to_be_visible()  # one practice: fewer than 5
    screenshot(page, "pso-trends")
