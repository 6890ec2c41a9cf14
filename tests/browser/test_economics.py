"""Practice economics in the browser: a practice admin reads the negotiation model of the
worked example, saves a scenario and edits it (a new version, with its history), adds an ask,
meets a clear message for a bad one, and downloads the brief as PDF and XLSX."""

from __future__ import annotations

import io
import urllib.request

import pytest
from playwright.sync_api import expect

from benchmarks.economics import services
from tests.benchmarks.economics.conftest import build_coalition
from tests.browser.helpers import screenshot, sign_in
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_admin_walks_the_economics_page_edits_a_scenario_and_downloads_the_briefs(
    page, live_server, practice_a, practice_b, admin_a
):
    build_coalition(practice_a, practice_b)
    services.typical_range_seed()
    # The live server's first answer (imports, templates) can outlast the browser's wait on a
    # busy machine; warm it up without the browser's deadline.
    with urllib.request.urlopen(f"{live_server.url}/accounts/login/", timeout=180) as response:  # noqa: S310 - the test's own live server
        assert response.status == 200
    sign_in(page, live_server, admin_a.email, TEST_PASSWORD)

    page.goto(f"{live_server.url}/practices/{practice_a.slug}/")
    page.get_by_role("link", name="Economics").click()
    expect(
        page.get_by_role("heading", name="Practice economics and hospital support, 2024")
    ).to_be_visible()
    expect(page.locator("#deficit")).to_have_text("$6,318,609.00")
    expect(page.locator("#support-per-fte")).to_have_text("$195,441.05")
    expect(page.locator("#typical-range")).to_contain_text("within the typical range")
    expect(page.locator("#coalition svg.band-chart").first).to_be_visible()
    screenshot(page, "economics-model")

    # Save a scenario, then edit it: version 2, with version 1 kept in the history.
    form = page.locator("#scenario-form")
    form.get_by_label("Name").fill("Hire two")
    form.get_by_label("Radiologist FTE change").fill("2")
    form.get_by_role("button", name="Save scenario").click()
    expect(page.get_by_text("saved as version 1")).to_be_visible()
    row = page.locator('#scenario-table tr[data-scenario="Hire two"]')
    expect(row).to_contain_text("34.33")
    row.get_by_role("link", name="Hire two").click()
    edit = page.locator("#scenario-edit-form")
    edit.get_by_label("Revenue per RVU change (%)").fill("-5")
    edit.get_by_role("button", name="Save new version").click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    expect(page.locator("#version-table tbody tr")).to_have_count(2)
    screenshot(page, "economics-scenario-history")
    page.get_by_role("link", name="Back to the 2024 model").click()
    expect(page.locator('#scenario-table tr[data-scenario="Hire two"]')).to_contain_text("v2")

    # An ask, and a bad one that is refused with a message.
    asks = page.locator("#ask-form")
    asks.get_by_label("Category").select_option("interventional_call")
    asks.get_by_label("Amount ($)").fill("600000")
    asks.get_by_label("Note").fill("24/7 IR call")
    asks.get_by_role("button", name="Add ask").click()
    expect(page.locator("#asks-total")).to_have_text("$600,000.00")
    asks = page.locator("#ask-form")
    asks.get_by_label("Category").select_option("app_support")
    asks.get_by_label("Amount ($)").fill("-5")
    # The browser's own check would stop a negative number; the server's message is the test.
    page.evaluate("document.querySelector('#ask-form').noValidate = true")
    asks.get_by_role("button", name="Add ask").click()
    expect(page.get_by_role("alert")).to_contain_text("Amount")
    expect(page.locator("#asks-total")).to_have_text("$600,000.00")

    # The briefs.
    with page.expect_download() as pdf_download:
        page.locator("#brief-pdf").click()
    pdf = pdf_download.value
    assert pdf.suggested_filename == "alpha-economics-2024.pdf"
    with open(pdf.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    with page.expect_download() as xlsx_download:
        page.locator("#brief-xlsx").click()
    from openpyxl import load_workbook

    with open(xlsx_download.value.path(), "rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert workbook["Model"]["B11"].value == "=B10-B4"
    assert "Hire two" in [c.value for c in workbook["Scenarios"]["A"]]
    screenshot(page, "economics-after-downloads")
