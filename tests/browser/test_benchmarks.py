"""Benchmarks in the browser: a member reads the practice's position (charts with their tables,
its own median and providers, reference figures) and filters it; an analyst computes a draft,
reads its suppression report and publishes it, while members never see the draft."""

from __future__ import annotations

import re
import statistics
import urllib.request
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from benchmarks import services
from benchmarks.economics import services as economics_services
from benchmarks.models import BenchmarkCell, BenchmarkRelease
from benchmarks.templatetags.benchmark_format import figure
from tests.benchmarks import factories
from tests.browser.helpers import SCREENSHOT_DIR, open_page, path_is, screenshot, sign_in
from tests.factories import TEST_PASSWORD, enable_totp

pytestmark = pytest.mark.browser

PROVIDERS_PER_PRACTICE = [14, 9, 12, 20, 7, 16, 11, 5, 18, 13, 8, 10]
MIN_CLINICAL_FTE = Decimal("0.5")
WRVU_PER_FTE = re.compile(r"^Work RVUs per clinical FTE")
REVENUE_PER_FTE = re.compile(r"^Revenue per radiologist FTE")


@pytest.fixture(autouse=True)
def warm_live_server(live_server):
    """The live server's first request loads the URL configuration and every view module,
    which on a busy machine takes longer than a browser wait; make it before the browser."""
    url = f"{live_server.url}/accounts/login/"
    urllib.request.urlopen(url, timeout=120).close()  # noqa: S310 - the live server, http


@pytest.fixture
def coalition_members(practice_a, practice_b):
    """Twelve practices, Alpha Radiology among them."""
    return [practice_a, practice_b, *factories.practices(10)]


def approved_year(members, year: int) -> factories.YearData:
    return factories.coalition_year(
        members, year=year, providers_per_practice=PROVIDERS_PER_PRACTICE, seed=year
    )


def published_release(year: int) -> BenchmarkRelease:
    release = services.release_request(year=year, enqueue=False)
    release = services.release_compute(release_id=release.pk)
    return services.release_publish(release=release, user=None)


def wrvu_per_fte(provider: factories.ProviderRow) -> Decimal:
    return provider.work_rvus / provider.clinical_fte


def counted(provider: factories.ProviderRow) -> bool:
    return provider.clinical_fte >= MIN_CLINICAL_FTE


@pytest.fixture
def analyst_page(browser, live_server) -> Iterator[Page]:
    """The analyst's own browser, beside the member's `page`."""
    tab = open_page(browser, live_server.url)
    yield tab
    tab.context.close()


def year_options(page: Page) -> list[str]:
    return page.get_by_label("Year", exact=True).locator("option").all_inner_texts()


def test_member_reads_the_practice_position_with_charts_tables_and_own_ids(
    page, live_server, coalition_members, practice_a, viewer_a
):
    data = {year: approved_year(coalition_members, year) for year in (2023, 2024)}
    releases = {year: published_release(year) for year in (2023, 2024)}
    services.reference_figures_seed()
    own = [p for p in data[2024].providers if p.practice_id == practice_a.pk and counted(p)]
    everyone = [wrvu_per_fte(p) for p in data[2024].providers if counted(p)]
    coalition_median = BenchmarkCell.objects.get(
        release=releases[2024], metric="wrvu_per_fte", dimension="all", value="all"
    ).p50

    sign_in(page, live_server, viewer_a.email, TEST_PASSWORD)
    page.get_by_role("navigation", name="Alpha Radiology").get_by_role(
        "link", name="Benchmarks", exact=True
    ).click()
    expect(page).to_have_url(path_is("/practices/alpha/benchmarks/"))
    expect(page.get_by_role("heading", name="Where Alpha Radiology stands")).to_be_visible()
    expect(page.get_by_text("Coalition figures of the 2024 release (version 1")).to_be_visible()

    # Work RVUs per FTE: the band chart and, beside it, the table of its figures.
    section = page.get_by_role("region", name=WRVU_PER_FTE)
    chart = section.get_by_role("img", name="Work RVUs per clinical FTE: your practice against")
    expect(chart).to_be_visible()
    expect(chart).to_have_js_property("tagName", "svg")
    table = section.get_by_role("table", name="Coalition band and your practice, 2024")
    expect(table).to_be_visible()
    all_row = table.get_by_role("row", name="All", exact=False).filter(
        has=page.get_by_role("rowheader", name="All", exact=True)
    )
    cells = all_row.get_by_role("cell")
    expect(cells.nth(1)).to_have_text(str(len(everyone)))  # observations
    expect(cells.nth(4)).to_have_text(figure(coalition_median))  # coalition median
    own_median = statistics.median(wrvu_per_fte(p) for p in own)
    expect(cells.nth(7)).to_have_text(figure(own_median))  # the practice's median
    expect(cells.nth(8)).to_have_text(str(len(own)))

    # External reference figures beside the chart.
    references = section.get_by_role("table", name="External reference figures")
    expect(references.get_by_role("row", name="Median")).to_contain_text("10,693")
    expect(references.get_by_role("row", name="75th percentile")).to_contain_text("13,260")

    # The practice's own providers, by its own ids, with their percentile ranks.
    section.get_by_text("Your providers' percentile ranks").click()
    for provider in own:
        below = sum(1 for value in everyone if value < wrvu_per_fte(provider))
        rank = round(100 * below / (len(everyone) - 1))
        provider_row = section.get_by_role("row", name=provider.local_id, exact=False).filter(
            has=page.get_by_role("rowheader", name=provider.local_id, exact=True)
        )
        expect(provider_row.get_by_role("cell").last).to_have_text(str(rank))
    other_ids = [p.local_id for p in data[2024].providers if p.practice_id != practice_a.pk]
    expect(page.get_by_text(other_ids[0])).to_have_count(0)
    expect(page.get_by_text("Beta Imaging")).to_have_count(0)
    screenshot(page, "benchmarks-position")

    # The year filter: 2023.
    filters = page.get_by_role("form", name="Choose year and comparison")
    assert year_options(page) == ["2024", "2023"]
    filters.get_by_label("Year", exact=True).select_option("2023")
    filters.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/practices/alpha/benchmarks/\?year=2023"))
    expect(page.get_by_text("Coalition figures of the 2023 release")).to_be_visible()
    own_2023 = [p for p in data[2023].providers if p.practice_id == practice_a.pk and counted(p)]
    table_2023 = page.get_by_role("region", name=WRVU_PER_FTE).get_by_role(
        "table", name="Coalition band and your practice, 2023"
    )
    expect(table_2023.get_by_role("cell").nth(7)).to_have_text(
        figure(statistics.median(wrvu_per_fte(p) for p in own_2023))
    )

    # The dimension filter: by subspecialty, a row per subspecialty the practice has.
    filters.get_by_label("Compare within").select_option(label="Subspecialty")
    filters.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"dimension=subspecialty"))
    by_subspecialty = page.get_by_role("region", name=WRVU_PER_FTE).get_by_role(
        "table", name="Coalition band and your practice, 2023"
    )
    expect(by_subspecialty.get_by_role("columnheader", name="Subspecialty")).to_be_visible()
    subspecialties = {p.subspecialty for p in own_2023}
    expect(by_subspecialty.get_by_role("rowheader")).to_have_count(len(subspecialties))
    practice_level = page.get_by_role("region", name=REVENUE_PER_FTE)
    expect(practice_level).to_contain_text(
        "Subspecialty does not apply to this practice-level metric; shown for all practices."
    )
    screenshot(page, "benchmarks-position-by-subspecialty")


def test_analyst_computes_reads_and_publishes_a_release_members_see_only_once_published(
    page, analyst_page, live_server, coalition_members, viewer_a, make_staff
):
    approved_year(coalition_members, 2023)
    published_release(2023)
    approved_year(coalition_members, 2024)
    analyst = make_staff("analyst", totp=False)
    secret = enable_totp(analyst)

    # The analyst computes the 2024 draft.
    sign_in(analyst_page, live_server, analyst.email, TEST_PASSWORD, totp_secret=secret)
    analyst_page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Benchmark releases", exact=True
    ).click()
    expect(analyst_page).to_have_url(path_is("/staff/benchmarks/"))
    compute = analyst_page.get_by_role("region", name="Compute a draft")
    compute.get_by_label("Year").fill("2024")
    compute.get_by_role("button", name="Compute draft").click()
    expect(analyst_page.get_by_role("status")).to_contain_text(
        "Computing the 2024 draft (version 1)."
    )
    draft = BenchmarkRelease.objects.get(year=2024)
    draft_row = analyst_page.get_by_role("row").filter(
        has=analyst_page.get_by_role("link", name="2024", exact=True)
    )
    expect(draft_row).to_contain_text("Draft")
    screenshot(analyst_page, "staff-benchmark-releases")

    # Its suppression report: every withheld cell, why, and what would publish it.
    draft_row.get_by_role("link", name="2024", exact=True).click()
    expect(analyst_page).to_have_url(path_is(f"/staff/benchmarks/releases/{draft.pk}/"))
    expect(analyst_page.get_by_role("heading", level=1)).to_have_text("2024 benchmarks v1 Draft")
    analyst_page.get_by_role("navigation", name="This release").get_by_role(
        "link", name="Suppression report"
    ).click()
    expect(analyst_page.get_by_role("heading", name="Suppression report")).to_be_visible()
    withheld = BenchmarkCell.objects.filter(release=draft).exclude(suppression_reasons=[])
    assert withheld.exists(), "three practices per region must withhold the region cells"
    expect(
        analyst_page.get_by_text(f"{withheld.count()} cells withhold something.")
    ).to_be_visible()
    report = analyst_page.get_by_role("table").filter(
        has=analyst_page.get_by_role("columnheader", name="Needed to publish")
    )
    expect(report.get_by_role("row")).to_have_count(withheld.count() + 1)
    west = (
        report.get_by_role("row")
        .filter(has=analyst_page.get_by_role("cell", name="wrvu_per_fte", exact=True))
        .filter(has=analyst_page.get_by_role("cell", name="west", exact=True))
    )
    expect(west).to_contain_text("whole cell")
    expect(west).to_contain_text("min_practices")
    expect(west).to_contain_text("more practice")
    screenshot(analyst_page, "staff-suppression-report")

    # A member meanwhile: the draft's year is not offered and its page does not exist.
    sign_in(page, live_server, viewer_a.email, TEST_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Benchmarks", exact=True
    ).click()
    expect(page).to_have_url(path_is("/benchmarks/"))
    expect(page.get_by_role("heading", name="Coalition benchmarks")).to_be_visible()
    assert year_options(page) == ["2023"]
    expect(page.get_by_role("link", name="The whole 2023 release")).to_be_visible()
    draft_page = page.goto(f"/benchmarks/releases/{draft.pk}/")
    assert draft_page is not None and draft_page.status == 404
    expect(page.get_by_role("heading", name="Not Found")).to_be_visible()

    # The analyst publishes it.
    analyst_page.get_by_role("navigation", name="This release").get_by_role(
        "link", name="Cells"
    ).click()
    analyst_page.get_by_role("button", name="Publish…").click()
    expect(analyst_page.get_by_role("heading", level=1)).to_have_text(
        "Publish the 2024 benchmarks v1?"
    )
    analyst_page.get_by_role("button", name="Publish 2024 v1").click()
    expect(analyst_page.get_by_role("status")).to_contain_text(
        "The 2024 benchmarks (v1) are published."
    )
    expect(analyst_page.get_by_role("heading", level=1)).to_have_text(
        "2024 benchmarks v1 Published"
    )
    expect(analyst_page.get_by_role("button", name="Publish")).to_have_count(0)

    # Now members see it.
    page.goto("/benchmarks/")
    assert year_options(page) == ["2024", "2023"]
    expect(page.get_by_role("link", name="The whole 2024 release")).to_be_visible()
    page.get_by_role("link", name="The whole 2024 release").click()
    expect(page).to_have_url(path_is(f"/benchmarks/releases/{draft.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("2024 benchmarks version 1")
    screenshot(page, "benchmarks-release-published")


WIDE = {"width": 1366, "height": 900}


def wide_page(browser, live_server) -> Page:
    context = browser.new_context(base_url=live_server.url, viewport=WIDE)
    # Full-page pictures of long tables take a while on a busy machine.
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(30_000)
    return context.new_page()


def picture(page: Page, name: str, at=None) -> None:
    """What a person sees at 1366 x 900 (scrolled to `at`), under test-results/screenshots/."""
    if at is not None:
        at.scroll_into_view_if_needed()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"))


def tables_fit(page: Page) -> list[str]:
    """Tables whose scroll box is wider than what shows (their right columns cut off), and
    reason cells so narrow that their words stack one per line."""
    return page.evaluate(
        """() => {
        const problems = [];
        document.querySelectorAll('main .table-scroll').forEach((box, i) => {
            if (box.scrollWidth > box.clientWidth + 1) {
                problems.push(`table ${i}: ${box.scrollWidth}px in ${box.clientWidth}px`);
            }
        });
        document.querySelectorAll('main table tbody tr td:last-child').forEach((cell) => {
            const text = cell.innerText.trim();
            if (text.split(/\\s+/).length >= 4 && cell.getBoundingClientRect().width < 160) {
                problems.push(`narrow cell (${Math.round(cell.getBoundingClientRect().width)}px): ${text.slice(0, 40)}`);
            }
        });
        return problems;
    }"""
    )


def test_benchmark_pages_at_1366_px(browser, live_server, coalition_members, viewer_a, make_staff):
    """The release table and the suppression report fit their box at 1366 px; the staff
    release page follows a computation by itself, asks before publishing and says when a
    year opens; the position page's legend names the provider dots and the hospital-support
    chart shows the typical range."""
    approved_year(coalition_members, 2023)
    published = published_release(2023)
    approved_year(coalition_members, 2024)
    services.reference_figures_seed()
    economics_services.typical_range_seed()
    analyst = make_staff("analyst", totp=False)
    secret = enable_totp(analyst)

    member = wide_page(browser, live_server)
    sign_in(member, live_server, viewer_a.email, TEST_PASSWORD)
    member.goto(f"/benchmarks/releases/{published.pk}/")
    picture(member, "wide-release-table", member.locator("table.cells, main table").first)
    assert tables_fit(member) == []
    member.goto("/practices/alpha/benchmarks/?year=2023")
    picture(member, "wide-position-wrvu", member.get_by_role("region", name=WRVU_PER_FTE))
    wrvu = member.get_by_role("region", name=WRVU_PER_FTE)
    expect(wrvu.locator("svg.chart").first.locator(".legend")).to_contain_text("Your providers")
    support = member.get_by_role("region", name=re.compile(r"^Hospital support needed"))
    picture(member, "wide-position-support", support)
    band = support.locator("svg.chart").first.locator(".typical-range")
    expect(band).to_have_count(1)
    expect(support.locator("svg.chart").first).to_contain_text("typical range, $100,000–$300,000")
    # The coalition page of the same metric draws the same band.
    member.goto("/benchmarks/?metric=support_needed_per_fte&year=2023")
    coalition_chart = member.locator("figure.chart-figure svg.chart")
    expect(coalition_chart.locator(".typical-range")).to_have_count(1)
    picture(member, "wide-coalition-support", member.locator("main"))

    staff = wide_page(browser, live_server)
    sign_in(staff, live_server, analyst.email, TEST_PASSWORD, totp_secret=secret)
    staff.goto(f"/staff/benchmarks/releases/{published.pk}/suppression/")
    picture(staff, "wide-suppression-report", staff.locator("main table").first)
    assert tables_fit(staff) == []

    # A draft requested but not computed yet: the list shows it queued and follows it.
    queued = services.release_request(year=2024, user=analyst, enqueue=False)
    staff.goto("/staff/benchmarks/")
    row = staff.get_by_role("row").filter(has=staff.get_by_role("link", name="2024", exact=True))
    expect(row).to_contain_text("Queued")
    expect(row.get_by_role("progressbar")).to_have_count(1)
    picture(staff, "wide-releases-queued")
    services.release_compute(release_id=queued.pk)
    expect(row).to_contain_text("Draft", timeout=15_000)
    expect(row.get_by_role("progressbar")).to_have_count(0)
    picture(staff, "wide-releases-computed")

    # Publishing asks first.
    row.get_by_role("link", name="2024", exact=True).click()
    staff.get_by_role("button", name="Publish…").click()
    expect(staff.get_by_role("heading", name="Publish the 2024 benchmarks v1?")).to_be_visible()
    picture(staff, "wide-publish-confirm")
    staff.get_by_role("button", name="Publish 2024 v1").click()
    expect(staff.get_by_role("status")).to_contain_text("The 2024 benchmarks (v1) are published.")

    # A year not yet publishable (the current one): the button is disabled and says when.
    this_year = timezone.localdate().year
    approved_year(coalition_members, this_year)
    future = services.release_compute(
        release_id=services.release_request(year=this_year, user=analyst, enqueue=False).pk
    )
    staff.goto(f"/staff/benchmarks/releases/{future.pk}/")
    expect(staff.get_by_role("button", name="Publish…")).to_be_disabled()
    expect(staff.get_by_text(f"Publishable from April 1, {this_year + 1}")).to_be_visible()
    picture(staff, "wide-release-not-publishable")
    member.context.close()
    staff.context.close()
