"""Group purchasing in the browser: a member browses the catalog and sees the practice's
savings; a submitter enters a purchase and uploads a file of purchases; purchasing staff read
the reports."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from coalition.purchasing.models import PurchaseRecord
from practices.submissions.models import Submission
from tests.browser.helpers import downloaded_text, path_is, screenshot, sign_in
from tests.factories import TEST_PASSWORD, enable_totp
from tests.purchasing.factories import contract_with_tiers, enroll, purchase
from tests.submissions.factories import period

pytestmark = pytest.mark.browser
YEAR = 2025


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.PURCHASING_PRIVATE_DIR = tmp_path / "private"


@pytest.fixture
def program(practice_a, practice_b):
    contrast = contract_with_tiers(
        number="GPO-CT-1", vendor="Meridian Contrast", category="contrast", fee="2.5"
    )
    it = contract_with_tiers(
        number="GPO-IT-2", vendor="ClearView PACS", category="it", fee="3.5", disclosed="40000"
    )
    enroll(practice_a, contrast, tier_rank=2)
    purchase(
        practice_a,
        contrast,
        on=date(YEAR, 3, 1),
        quantity="10",
        list_price="48.00",
        price_paid="41.50",
    )
    purchase(
        practice_a, it, on=date(YEAR, 4, 1), quantity="2", list_price="420.00", price_paid="380.00"
    )
    purchase(
        practice_b,
        contrast,
        on=date(YEAR, 3, 9),
        quantity="100",
        list_price="48.00",
        price_paid="40.00",
    )
    return contrast, it


def test_member_browses_the_catalog_and_sees_the_practices_savings(
    page, live_server, admin_a, program
):
    sign_in(page, live_server, admin_a.email, TEST_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contract catalog").click()
    expect(page).to_have_url(path_is("/purchasing/"))
    catalog = page.get_by_role("table")
    expect(catalog.get_by_role("row", name=re.compile("GPO-CT-1"))).to_contain_text(
        "Meridian Contrast"
    )
    expect(catalog.get_by_role("row", name=re.compile("GPO-IT-2"))).to_contain_text("above 3%")
    page.get_by_label("Category").select_option("contrast")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("row", name=re.compile("GPO-IT-2"))).to_have_count(0)
    screenshot(page, "purchasing-catalog")
    page.get_by_role("link", name="GPO-CT-1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("GPO-CT-1")
    expect(page.get_by_role("row", name=re.compile("Silver"))).to_contain_text("$50,000.00")

    page.goto(f"{live_server.url}/practices/alpha/")
    page.get_by_role("navigation", name="Alpha Radiology").get_by_role(
        "link", name="Purchasing"
    ).click()
    expect(page).to_have_url(path_is("/practices/alpha/purchasing/"))
    # 10 x 41.50 + 2 x 380 = 1,175.00 spent; 10 x 6.50 + 2 x 40 = 145.00 saved.
    summary = page.get_by_text(re.compile("your practice spent"))
    expect(summary).to_contain_text("$1,175.00")
    expect(summary).to_contain_text("$145.00")
    expect(page.locator("svg.spend-chart")).to_be_visible()
    expect(page.get_by_text("Beta Imaging")).to_have_count(0)
    tiers = page.get_by_role("region", name="Tier tracking")
    expect(tiers.get_by_role("row", name=re.compile("GPO-CT-1"))).to_contain_text("Silver")
    screenshot(page, "purchasing-member-savings")
    with page.expect_download() as pdf:
        page.get_by_role("link", name="PDF").click()
    assert pdf.value.suggested_filename == f"admin-fee-disclosure-alpha-{YEAR}.pdf"


def test_submitter_enters_a_purchase_and_uploads_a_file(
    page, live_server, practice_a, submitter_a, program
):
    reporting_period = period(YEAR)
    reporting_period.status = "open"
    reporting_period.save()
    sign_in(page, live_server, submitter_a.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/practices/alpha/purchasing/purchases/")
    form = page.get_by_role("region", name="Enter a purchase")
    form.get_by_label("Contract").select_option(label="GPO-CT-1 (Meridian Contrast)")
    form.get_by_label("Purchased on").fill(f"{YEAR}-05-02")
    form.get_by_label("Item").fill("Iohexol 350 100 mL")
    form.get_by_label("Quantity").fill("4")
    form.get_by_label("List price (unit)").fill("48")
    form.get_by_label("Price paid (unit)").fill("49")
    form.get_by_role("button", name="Record purchase").click()
    expect(page.get_by_text("Purchase of Iohexol 350 100 mL recorded.")).to_be_visible()
    expect(page.get_by_text("Warning: The price paid is above the list price.")).to_be_visible()
    screenshot(page, "purchasing-entry")
    assert (
        PurchaseRecord.objects.for_practice(practice_a).filter(item="Iohexol 350 100 mL").exists()
    )

    page.goto(f"{live_server.url}/practices/alpha/submissions/")
    upload_form = page.get_by_role("region", name="Upload a file")
    upload_form.get_by_label("Kind of file").select_option("purchase_record")
    upload_form.get_by_label("Reporting year").select_option(str(YEAR))
    content = (
        "contract_number,purchased_on,item,quantity,list_price,price_paid\n"
        f"GPO-CT-1,{YEAR}-06-01,Gadobutrol 15 mL,3,112.00,101.00\n"
        f"NOPE-9,{YEAR}-06-02,Gadobutrol 15 mL,3,112.00,101.00\n"
    ).encode()
    upload_form.get_by_label(re.compile(r"^File\b")).set_input_files(
        files=[{"name": "purchases.csv", "mimeType": "text/csv", "buffer": content}]
    )
    upload_form.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rejected")
    expect(page.get_by_role("row", name=re.compile("unknown_contract"))).not_to_have_count(0)
    expect(page.get_by_text(re.compile("contract_number")).first).to_be_visible()
    screenshot(page, "purchasing-upload-rejected")
    rejected = Submission.objects.for_practice(practice_a).get()
    assert rejected.status == "rejected"
    assert not PurchaseRecord.objects.for_practice(practice_a).filter(submission=rejected).exists()


def test_purchasing_staff_read_the_reports(page, live_server, make_staff, program):
    staff = make_staff("purchasing", totp=False)
    secret = enable_totp(staff)
    sign_in(page, live_server, staff.email, TEST_PASSWORD, totp_secret=secret)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Purchasing").click()
    expect(page).to_have_url(path_is("/staff/purchasing/"))
    page.get_by_label("Group by").select_option("practice")
    page.get_by_label("Year", exact=True).select_option(str(YEAR))
    page.get_by_role("button", name="Show").click()
    table = page.get_by_role("table")
    # Beta: 100 x 40 = 4,000 spent, 800 saved, 2.5% fee = 100.
    expect(table.get_by_role("row", name=re.compile("Beta Imaging"))).to_contain_text("$4,000.00")
    expect(table.get_by_role("row", name=re.compile("Beta Imaging"))).to_contain_text("$100.00")
    expect(table.get_by_role("row", name=re.compile("Alpha Radiology"))).to_contain_text(
        "$1,175.00"
    )
    screenshot(page, "purchasing-staff-reports")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    lines = downloaded_text(download.value).splitlines()
    assert lines[0] == "group,year,spend,list_total,savings,admin_fees"
    assert "Beta Imaging,2025,4000.00,4800.00,800.00,100.00" in lines
    page.get_by_role("link", name="Tier tracking").click()
    expect(page.get_by_role("row", name=re.compile("Alpha Radiology"))).to_contain_text("GPO-CT-1")
