"""Spend, savings and admin fees equal a hand computation, by every grouping, on the pages, in
the API and in purchasing_report."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from coalition.purchasing import selectors
from coalition.purchasing.models import PurchaseRecord
from tests.factories import PracticeFactory
from tests.purchasing.factories import contract_with_tiers, purchase

D = Decimal


@pytest.fixture
def program(practice_a, practice_b):
    """Two vendors, three contracts, two practices, purchases in 2025 and one in 2026."""
    ct = contract_with_tiers(number="CT-1", vendor="Contrastco", category="contrast", fee="2.5")
    it = contract_with_tiers(number="IT-9", vendor="=Formula Systems", category="it", fee="1.25")
    eq = contract_with_tiers(
        number="EQ-3", vendor="Contrastco", category="equipment", fee="4", disclosed="50000"
    )
    # (practice, contract, day, quantity, list, paid)
    lines = [
        (practice_a, ct, date(2025, 2, 3), "12", "48.00", "41.50"),
        (practice_a, ct, date(2025, 6, 9), "7.5", "48.00", "39.99"),
        (practice_a, it, date(2025, 3, 1), "1", "12000.00", "10500.00"),
        (practice_a, eq, date(2025, 11, 20), "2", "99999.99", "87654.32"),
        (practice_b, ct, date(2025, 4, 4), "30", "48.00", "40.25"),
        (practice_b, it, date(2025, 8, 8), "3", "12000.00", "12500.00"),  # above list price
        (practice_b, ct, date(2026, 1, 5), "5", "50.00", "42.00"),  # another year
    ]
    for practice, contract, day, quantity, listed, paid in lines:
        purchase(practice, contract, on=day, quantity=quantity, list_price=listed, price_paid=paid)
    return {"ct": ct, "it": it, "eq": eq, "lines": lines}


def _hand(lines, key, year):
    """The definitions, computed directly: per group the exact sums, then cents half up."""
    groups: dict = {}
    for practice, contract, day, quantity, listed, paid in lines:
        if day.year != year:
            continue
        q, lp, pp = D(quantity), D(listed), D(paid)
        g = groups.setdefault(key(practice, contract), [D(0), D(0), D(0)])
        g[0] += q * pp
        g[1] += q * lp
        g[2] += q * pp * contract.admin_fee_pct / 100
    cent = D("0.01")
    return {
        name: {
            "spend": s.quantize(cent, "ROUND_HALF_UP"),
            "list_total": lt.quantize(cent, "ROUND_HALF_UP"),
            "savings": (lt - s).quantize(cent, "ROUND_HALF_UP"),
            "admin_fees": f.quantize(cent, "ROUND_HALF_UP"),
        }
        for name, (s, lt, f) in groups.items()
    }


KEYS = {
    "practice": lambda p, c: p.name,
    "vendor": lambda p, c: c.vendor.name,
    "category": lambda p, c: c.get_category_display(),
    "contract": lambda p, c: c.number,
}


@pytest.mark.parametrize("by", list(KEYS))
def test_report_equals_hand_computation(program, by):
    rows = selectors.spend_report(
        purchases=PurchaseRecord.objects.across_practices(), by=by, year=2025
    )
    got = {
        r.group: {k: getattr(r, k) for k in ("spend", "list_total", "savings", "admin_fees")}
        for r in rows
    }
    assert got == _hand(program["lines"], KEYS[by], 2025)
    assert {r.year for r in rows} == {2025}


def test_a_figure_checked_by_hand(program):
    """Contrastco 2025: spend 12 x 41.50 + 7.5 x 39.99 + 30 x 40.25 + 2 x 87654.32
    = 498 + 299.925 + 1207.50 + 175308.64 = 177314.065 -> 177314.07 (half up);
    fees = (498 + 299.925 + 1207.5) x 2.5% + 175308.64 x 4% = 50.135625 + 7012.3456."""
    rows = selectors.spend_report(
        purchases=PurchaseRecord.objects.across_practices(), by="vendor", year=2025
    )
    contrastco = next(r for r in rows if r.group == "Contrastco")
    assert contrastco.spend == D("177314.07")
    assert contrastco.admin_fees == D("7062.48")
    assert contrastco.list_total == D("202375.98")  # 576 + 360 + 1440 + 199999.98
    assert contrastco.savings == D("25061.92")  # 202375.98 - 177314.065 = 25061.915


def test_a_practice_sees_only_its_own_purchases(program, practice_a):
    rows = selectors.spend_report(
        purchases=PurchaseRecord.objects.for_practice(practice_a), by="contract", year=2025
    )
    assert {r.group for r in rows} == {"CT-1", "IT-9", "EQ-3"}
    ct = next(r for r in rows if r.group == "CT-1")
    assert ct.spend == D("797.93")  # 498 + 299.925 = 797.925 -> 797.93


def test_purchasing_report_command_csv(program):
    out = io.StringIO()
    call_command(
        "purchasing_report", "--year", "2025", "--by", "vendor", "--format", "csv", stdout=out
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == ["group", "year", "spend", "list_total", "savings", "admin_fees"]
    expected = _hand(program["lines"], KEYS["vendor"], 2025)
    by_group = {r["group"]: r for r in rows}
    # A vendor name that a spreadsheet would run as a formula is escaped.
    assert "'=Formula Systems" in by_group
    assert by_group["'=Formula Systems"]["spend"] == str(expected["=Formula Systems"]["spend"])
    assert by_group["Contrastco"]["admin_fees"] == str(expected["Contrastco"]["admin_fees"])


def test_purchasing_report_command_xlsx(program, tmp_path):
    target = tmp_path / "r.xlsx"
    call_command(
        "purchasing_report",
        "--year",
        "2025",
        "--by",
        "practice",
        "--format",
        "xlsx",
        "--output",
        str(target),
        stderr=io.StringIO(),
    )
    sheet = openpyxl.load_workbook(target).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("group", "year", "spend", "list_total", "savings", "admin_fees")
    expected = _hand(program["lines"], KEYS["practice"], 2025)
    for group, year, spend, list_total, savings, fees in values[1:]:
        assert year == 2025
        assert D(str(spend)) == expected[group]["spend"]
        assert D(str(fees)) == expected[group]["admin_fees"]
        assert D(str(list_total)) == expected[group]["list_total"]
        assert D(str(savings)) == expected[group]["savings"]


def test_only_current_file_versions_count(program, practice_a):
    """Rows of a file version that is not current (superseded, under review) are not counted."""
    from practices.submissions.models import Submission
    from tests.submissions.factories import period

    submission = Submission.objects.create(
        practice=practice_a,
        period=period(2025),
        kind="purchase_record",
        version=1,
        status="validated",
        original_filename="p.csv",
        sha256="0" * 64,
        size_bytes=1,
    )
    record = purchase(practice_a, program["ct"], on=date(2025, 5, 5), quantity="1000")
    PurchaseRecord.objects.for_practice(practice_a).filter(pk=record.pk).update(
        submission=submission
    )
    rows = selectors.spend_report(
        purchases=PurchaseRecord.objects.for_practice(practice_a), by="contract", year=2025
    )
    assert next(r for r in rows if r.group == "CT-1").spend == D("797.93")
    Submission.objects.for_practice(practice_a).filter(pk=submission.pk).update(
        status="approved", is_current=True
    )
    rows = selectors.spend_report(
        purchases=PurchaseRecord.objects.for_practice(practice_a), by="contract", year=2025
    )
    assert next(r for r in rows if r.group == "CT-1").spend == D("797.93") + 1000 * D("15.00")


def test_disclosure_lists_what_each_vendor_paid_on_the_members_purchases(program, practice_a):
    statement = selectors.admin_fee_disclosure(practice=practice_a, year=2025)
    fees = {(line.vendor, line.contract_number): line.admin_fees for line in statement.lines}
    assert fees == {
        ("Contrastco", "CT-1"): D("19.95"),  # 797.925 x 2.5% = 19.948125
        ("Contrastco", "EQ-3"): D("7012.35"),  # 175308.64 x 4% = 7012.3456
        ("=Formula Systems", "IT-9"): D("131.25"),  # 10500 x 1.25%
    }
    assert statement.total_fees == D("7163.55")
    assert dict((v, f) for v, _, f in statement.by_vendor)["Contrastco"] == D("7032.30")
    other = PracticeFactory()
    assert selectors.admin_fee_disclosure(practice=other, year=2025).lines == []
