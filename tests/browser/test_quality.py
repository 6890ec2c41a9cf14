"""Quality in the browser: a member reads the practice's quality page (charts with the target,
the table of figures, its own turnaround and peer review with its own provider ids) and
downloads it; an analyst reads the release's quality cells and suppression report."""

from __future__ import annotations

import random
from datetime import date

import pytest
from playwright.sync_api import expect

from benchmarks import services
from tests.benchmarks.factories import practices as make_practices
from tests.browser.helpers import downloaded_text, open_page, path_is, screenshot, sign_in
from tests.factories import TEST_PASSWORD, enable_totp
from tests.quality.helpers import generate_practice_year

pytestmark = pytest.mark.browser


@pytest.fixture
def quality_release(practice_a, practice_b):
    members = [practice_a, practice_b, *make_practices(6, prefix="qbrowser")]
    rng = random.Random(11)
    for index, practice in enumerate(members):
        generate_practice_year(practice, rng, index, year=2024)
    release = services.release_request(year=2024, enqueue=False)
    release = services.release_compute(release_id=release.pk)
    return services.release_publish(release=release, user=None, today=date(2025, 6, 1))


def test_member_walks_the_quality_page(page, live_server, quality_release, viewer_a):
    sign_in(page, live_server, viewer_a.email, TEST_PASSWORD)
    page.get_by_role("navigation", name="Alpha Radiology").get_by_role(
        "link", name="Quality", exact=True
    ).click()
    expect(page).to_have_url(path_is("/practices/alpha/quality/"))
    expect(page.get_by_role("heading", name="Quality at Alpha Radiology")).to_be_visible()
    expect(page.get_by_text("Coalition figures of the 2024 release")).to_be_visible()
    summary = page.get_by_role("table", name="Each metric")
    recall = summary.get_by_role("row", name="Screening mammography recall rate (%)")
    expect(recall).to_contain_text("inside the band")
    expect(recall).to_contain_text("Target band from 8")
    expect(summary.get_by_role("row", name="Peer review major discrepancies (%)")).to_contain_text(
        "lower"
    )
    # Each metric has its band chart with the target drawn, and its trend.
    section = page.get_by_role("region", name="Median report turnaround, emergency (minutes)")
    chart = section.get_by_role("img", name="your practice against the coalition and the target")
    expect(chart).to_be_visible()
    expect(chart).to_contain_text("Target: at most 30 minutes")
    # The practice's own turnaround and peer review, with its own provider id.
    expect(page.get_by_role("heading", name="Your report turnaround, 2024")).to_be_visible()
    turnaround = page.get_by_role("table", name="Your own exams by patient class and modality")
    expect(turnaround.get_by_role("rowheader", name="ED").first).to_be_visible()
    providers = page.get_by_role("table", name="Your providers (your own ids)")
    expect(providers.get_by_role("rowheader", name="R1")).to_be_visible()
    expect(page.get_by_text("Beta Imaging")).to_have_count(0)
    screenshot(page, "quality-page")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = downloaded_text(download.value)
    assert text.splitlines()[0].startswith("section,year,metric")
    assert "tat_within_target_pct_ed" in text


def test_analyst_reads_the_quality_cells_and_suppression(
    browser, live_server, quality_release, make_staff
):
    analyst = make_staff("analyst", totp=False)
    secret = enable_totp(analyst)
    tab = open_page(browser, live_server.url)
    sign_in(tab, live_server, analyst.email, TEST_PASSWORD, totp_secret=secret)
    tab.goto(f"/staff/benchmarks/releases/{quality_release.pk}/?metric=tat_median_minutes_ed")
    expect(tab.get_by_text("tat_median_minutes_ed").first).to_be_visible()
    tab.goto(f"/staff/benchmarks/releases/{quality_release.pk}/suppression/")
    expect(tab.get_by_text("peer_review_major_discrepancy_pct").first).to_be_visible()
    screenshot(tab, "quality-suppression")
    tab.context.close()
