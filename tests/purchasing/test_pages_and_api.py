"""Who sees what: members the catalog and their own figures, purchasing staff everything,
analysts and PSO staff nothing; bad input answers 4xx and stores nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coalition.purchasing.models import Contract, Enrollment, PurchaseRecord, Tier, Vendor
from tests.purchasing.factories import contract_with_tiers, enroll, purchase


@pytest.fixture
def contract(db):
    return contract_with_tiers(number="CT-1", vendor="Contrastco", fee="2")


MEMBER_PAGES = ["/purchasing/", "/purchasing/contracts/{contract}/"]
STAFF_PAGES = [
    "/staff/purchasing/",
    "/staff/purchasing/tier-tracking/",
    "/staff/purchasing/alerts/",
    "/staff/purchasing/vendors/",
    "/staff/purchasing/contracts/",
    "/staff/purchasing/contracts/{contract}/",
    "/staff/purchasing/enrollments/",
]


def test_members_read_the_catalog_and_not_staff_pages(viewer_a, client_as, contract):
    client = client_as(viewer_a)
    for url in MEMBER_PAGES:
        response = client.get(url.format(contract=contract.pk))
        assert response.status_code == 200, url
        assert b"CT-1" in response.content
    for url in STAFF_PAGES:
        assert client.get(url.format(contract=contract.pk)).status_code == 403, url


@pytest.mark.parametrize("group", ["analyst", "pso_staff"])
def test_analysts_and_pso_staff_see_nothing(
    make_staff, client_as, api_as, contract, practice_a, group
):
    client = client_as(make_staff(group))
    for url in MEMBER_PAGES + STAFF_PAGES:
        assert client.get(url.format(contract=contract.pk)).status_code == 403, url
    assert client.get("/practices/alpha/purchasing/").status_code == 404
    api = api_as(make_staff(group))
    assert api.get("/api/v1/purchasing/contracts/").status_code == 403
    assert api.get("/api/v1/purchasing/reports/").status_code == 403


def test_purchasing_staff_see_all_pages(
    purchasing_staff, client_as, contract, practice_a, practice_b
):
    enroll(practice_a, contract)
    purchase(practice_a, contract, on=date(2025, 3, 3))
    purchase(practice_b, contract, on=date(2025, 3, 3), quantity="3")
    client = client_as(purchasing_staff)
    for url in MEMBER_PAGES + STAFF_PAGES:
        assert client.get(url.format(contract=contract.pk)).status_code == 200, url
    response = client.get("/staff/purchasing/?by=practice&year=2025")
    assert b"Alpha Radiology" in response.content and b"Beta Imaging" in response.content
    assert b"<svg" in response.content
    csv_text = client.get("/staff/purchasing/?by=practice&year=2025&format=csv").content.decode()
    assert csv_text.splitlines()[0] == "group,year,spend,list_total,savings,admin_fees"
    assert "Beta Imaging,2025,45.00,60.00,15.00,0.90" in csv_text
    assert client.get("/staff/purchasing/?format=pdf").status_code == 400
    assert client.get("/staff/purchasing/?year=abc").status_code == 400
    # Purchasing staff are not members: a practice's own pages stay closed to them.
    assert client.get("/practices/alpha/purchasing/").status_code == 404


def test_staff_manage_vendors_contracts_tiers_enrollments(purchasing_staff, client_as, practice_a):
    client = client_as(purchasing_staff)
    assert client.post("/staff/purchasing/vendors/", {"name": "PACS Inc"}).status_code == 302
    vendor = Vendor.objects.get(name="PACS Inc")
    data = {
        "number": "IT-7",
        "vendor": vendor.pk,
        "category": "it",
        "starts_on": "2025-01-01",
        "ends_on": "2026-12-31",
        "admin_fee_pct": "3.5",
    }
    response = client.post("/staff/purchasing/contracts/", data)
    assert response.status_code == 400 and b"disclosed amount" in response.content
    response = client.post(
        "/staff/purchasing/contracts/", {**data, "admin_fee_disclosed_amount": "20000"}
    )
    assert response.status_code == 302
    contract = Contract.objects.get(number="IT-7")
    url = f"/staff/purchasing/contracts/{contract.pk}/"
    for name, minimum in (("Base", "0"), ("Plus", "100000")):
        response = client.post(
            url,
            {"add_tier": "1", "name": name, "min_annual_commitment": minimum, "discount_pct": "5"},
        )
        assert response.status_code == 302
    response = client.post(
        url, {"add_tier": "1", "name": "Bad", "min_annual_commitment": "10", "discount_pct": "9"}
    )
    assert response.status_code == 400
    assert contract.tiers.count() == 2
    base = Tier.objects.get(name="Base")
    enrollment = {
        "practice": practice_a.pk,
        "contract": contract.pk,
        "tier": base.pk,
        "starts_on": "2025-01-01",
        "ends_on": "2025-12-31",
    }
    assert client.post("/staff/purchasing/enrollments/", enrollment).status_code == 302
    assert (
        client.post(
            "/staff/purchasing/enrollments/", {**enrollment, "starts_on": "2025-06-01"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/staff/purchasing/enrollments/", {**enrollment, "starts_on": "2024-06-01"}
        ).status_code
        == 400
    )
    assert Enrollment.objects.for_practice(practice_a).count() == 1


def test_member_pages_show_own_figures_only(admin_a, client_as, contract, practice_a, practice_b):
    enroll(practice_a, contract)
    purchase(
        practice_a, contract, on=date(2025, 3, 3), quantity="2", list_price="100", price_paid="80"
    )
    purchase(
        practice_b, contract, on=date(2025, 3, 3), quantity="999", list_price="100", price_paid="1"
    )
    client = client_as(admin_a)
    response = client.get("/practices/alpha/purchasing/?by=contract&year=2025")
    assert response.status_code == 200
    assert b"$160.00" in response.content and b"$40.00" in response.content  # spend, savings
    assert b"999" not in response.content and b"Beta" not in response.content
    assert client.get("/practices/alpha/purchasing/prices/").status_code == 200
    assert client.get("/practices/beta/purchasing/").status_code == 404


def test_purchase_entry_on_the_site(submitter_a, viewer_a, client_as, contract, practice_a):
    data = {
        "contract": contract.pk,
        "purchased_on": "2025-04-01",
        "item": "Gadget",
        "quantity": "3",
        "list_price": "10",
        "price_paid": "12",
    }
    response = client_as(submitter_a).post(
        "/practices/alpha/purchasing/purchases/", data, follow=True
    )
    assert response.status_code == 200
    assert b"above the list price" in response.content and b"not enrolled" in response.content
    assert PurchaseRecord.objects.for_practice(practice_a).count() == 1
    response = client_as(submitter_a).post(
        "/practices/alpha/purchasing/purchases/", {**data, "quantity": "-2"}
    )
    assert response.status_code == 400
    assert (
        client_as(viewer_a).post("/practices/alpha/purchasing/purchases/", data).status_code == 403
    )
    assert PurchaseRecord.objects.for_practice(practice_a).count() == 1


def test_api_purchases_create_list_and_bad_input(
    submitter_a, api_as, contract, practice_a, practice_b
):
    client = api_as(submitter_a)
    url = "/api/v1/practices/alpha/purchasing/purchases/"
    body = {
        "contract": "CT-1",
        "purchased_on": "2025-04-01",
        "item": "Gadget",
        "quantity": "3",
        "list_price": "10.00",
        "price_paid": "9.00",
    }
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.content
    assert [w["code"] for w in response.json()["warnings"]] == ["not_enrolled"]
    for bad, field in (
        ({"contract": "NOPE"}, "contract"),
        ({"quantity": "-1"}, "quantity"),
        ({"price_paid": "-1"}, "price_paid"),
        ({"purchased_on": "2031-01-01"}, "purchased_on"),
        ({"practice": practice_b.pk, "quantity": "0"}, "quantity"),
    ):
        response = client.post(url, {**body, **bad}, format="json")
        assert response.status_code == 400 and field in response.json(), (bad, response.content)
    assert PurchaseRecord.objects.for_practice(practice_a).count() == 1
    assert not PurchaseRecord.objects.for_practice(practice_b).exists()
    for index in range(5):
        purchase(practice_a, contract, on=date(2025, 1, index + 1))
    with CaptureQueriesContext(connection) as queries:
        listed = client.get(url)
    assert listed.status_code == 200 and listed.json()["count"] == 6
    assert len(queries) <= 6, [q["sql"] for q in queries]
    spend = client.get("/api/v1/practices/alpha/purchasing/spend/?by=vendor&year=2025").json()
    assert spend == [
        {
            "group": "Contrastco",
            "year": 2025,
            "spend": "777.00",
            "list_total": "1030.00",
            "savings": "253.00",
            "admin_fees": "15.54",
        }
    ]
    assert client.get("/api/v1/practices/alpha/purchasing/spend/?by=practice").status_code == 400
    assert client.get("/api/v1/practices/alpha/purchasing/spend/?year=20x5").status_code == 400
    assert client.get("/api/v1/practices/alpha/purchasing/prices/?year=abc").status_code == 400
    assert client.get("/api/v1/practices/alpha/purchasing/tiers/").status_code == 200
    assert client.get("/api/v1/purchasing/contracts/?category=supplies").json()["count"] == 1
    assert client.get("/api/v1/purchasing/reports/").status_code == 403


def test_staff_report_api(purchasing_staff, api_as, contract, practice_a):
    purchase(practice_a, contract, on=date(2025, 3, 3))
    rows = api_as(purchasing_staff).get("/api/v1/purchasing/reports/?by=practice&year=2025").json()
    assert rows == [
        {
            "group": "Alpha Radiology",
            "year": 2025,
            "spend": "150.00",
            "list_total": "200.00",
            "savings": "50.00",
            "admin_fees": "3.00",
        }
    ]
    assert api_as(purchasing_staff).get("/api/v1/purchasing/reports/?by=nothing").status_code == 400


def test_fee_disclosure_pdf_and_xlsx(admin_a, client_as, contract, practice_a):
    purchase(
        practice_a,
        contract,
        on=date(2025, 3, 3),
        quantity="100",
        price_paid="12.34",
        list_price="20",
    )
    client = client_as(admin_a)
    pdf = client.get("/practices/alpha/purchasing/disclosure/?year=2025&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get("/practices/alpha/purchasing/disclosure/?year=2025&format=xlsx")
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("vendor", "contract_number", "category")
    assert rows[1][0] == "Contrastco" and Decimal(str(rows[1][6])) == Decimal("24.68")  # 1234 x 2%
    assert (
        client.get("/practices/alpha/purchasing/disclosure/?year=2025&format=doc").status_code
        == 400
    )
    assert (
        client.get("/practices/alpha/purchasing/disclosure/?year=x&format=pdf").status_code == 400
    )
