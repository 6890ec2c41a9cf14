"""import_contracts FILE: CSV or XLSX, one row per tier; idempotent; all or nothing; errors name
the row and column."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from coalition.purchasing.models import Contract, Tier, Vendor

HEADER = (
    "vendor,contract_number,category,starts_on,ends_on,admin_fee_pct,tier_name,"
    "tier_min_annual_commitment,tier_discount_pct"
)
GOOD = [
    "Contrastco,CT-1,contrast,2025-01-01,2026-12-31,2.5,Bronze,0,4",
    'Contrastco,CT-1,contrast,2025-01-01,2026-12-31,2.5,Silver,"$50,000",7',
    "Contrastco,CT-1,contrast,2025-01-01,2026-12-31,2.5,Gold,150000.00,10.5",
    "PACS Inc,IT-2,IT,2025-07-01,2028-06-30,3,Standard,0,6",
]


def _write(tmp_path, lines, name="catalog.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n")
    return path


def _run(path):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_contracts", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_vendors_contracts_and_tiers(db, tmp_path):
    out, _ = _run(_write(tmp_path, GOOD))
    assert "contracts added: 2" in out and "tiers added: 4" in out
    ct = Contract.objects.get(number="CT-1")
    assert ct.vendor.name == "Contrastco" and ct.category == "contrast"
    assert ct.admin_fee_pct == Decimal("2.5")
    tiers = list(ct.tiers.order_by("rank").values_list("name", "min_annual_commitment"))
    assert tiers == [("Bronze", 0), ("Silver", 50000), ("Gold", 150000)]
    assert Contract.objects.get(number="IT-2").category == "it"


def test_same_file_again_changes_nothing(db, tmp_path):
    path = _write(tmp_path, GOOD)
    _run(path)
    before = (
        list(Contract.objects.values()),
        list(Tier.objects.order_by("pk").values()),
        list(Vendor.objects.values()),
    )
    out, _ = _run(path)
    assert "contracts added: 0, changed: 0, unchanged: 2" in out
    assert "tiers added: 0, changed: 0" in out
    after = (
        list(Contract.objects.values()),
        list(Tier.objects.order_by("pk").values()),
        list(Vendor.objects.values()),
    )
    assert before == after


def test_a_changed_row_updates_in_place(db, tmp_path):
    _run(_write(tmp_path, GOOD))
    changed = [GOOD[0], GOOD[1].replace(",7", ",8"), GOOD[2], GOOD[3].replace("2028", "2029")]
    out, _ = _run(_write(tmp_path, changed, "v2.csv"))
    assert "changed: 1" in out and "tiers added: 0, changed: 1" in out
    assert Tier.objects.get(contract__number="CT-1", name="Silver").discount_pct == 8
    assert Contract.objects.get(number="IT-2").ends_on.year == 2029


def test_xlsx_is_read_too(db, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    from datetime import date

    sheet.append(
        ["Contrastco", "CT-9", "supplies", date(2025, 1, 1), date(2025, 12, 31), 1.5, "Only", 0, 3]
    )
    path = tmp_path / "catalog.xlsx"
    workbook.save(path)
    _run(path)
    contract = Contract.objects.get(number="CT-9")
    assert str(contract.starts_on) == "2025-01-01" and contract.admin_fee_pct == Decimal("1.5")


@pytest.mark.parametrize(
    ("line", "row", "column", "code"),
    [
        (
            "Contrastco,CT-5,toys,2025-01-01,2025-12-31,1,Only,0,3",
            3,
            "category",
            "not_in_vocabulary",
        ),
        ("Contrastco,CT-5,it,2025-13-01,2025-12-31,1,Only,0,3", 3, "starts_on", "bad_date"),
        ("Contrastco,CT-5,it,2025-06-01,2025-01-31,1,Only,0,3", 3, "ends_on", "bad_term"),
        (
            "Contrastco,CT-5,it,2025-01-01,2025-12-31,-1,Only,0,3",
            3,
            "admin_fee_pct",
            "out_of_range",
        ),
        (
            "Contrastco,CT-5,it,2025-01-01,2025-12-31,4,Only,0,3",
            3,
            "admin_fee_disclosed_amount",
            "fee_needs_disclosure",
        ),
        (
            "Contrastco,CT-5,it,2025-01-01,2025-12-31,1,Only,-5,3",
            3,
            "tier_min_annual_commitment",
            "out_of_range",
        ),
        (",CT-5,it,2025-01-01,2025-12-31,1,Only,0,3", 3, "vendor", "required"),
        (
            "Contrastco,CT-1,contrast,2025-01-01,2026-12-31,2.5,Platinum,100,12",
            3,
            "tier_min_annual_commitment",
            "tier_order",
        ),
        (
            "Contrastco,CT-1,contrast,2025-01-01,2027-12-31,2.5,Platinum,900000,12",
            3,
            "ends_on",
            "inconsistent_contract",
        ),
    ],
)
def test_bad_rows_are_reported_with_row_and_column_and_nothing_is_stored(
    db, tmp_path, line, row, column, code
):
    # Row 2 is a good row of CT-1 (its top tier), row 3 the bad one, row 4 another good one.
    lines = ["Contrastco,CT-1,contrast,2025-01-01,2026-12-31,2.5,Gold,150000,10", line, GOOD[3]]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_contracts", str(_write(tmp_path, lines)), stdout=io.StringIO(), stderr=err
        )
    assert f"row {row}, {column} [{code}]" in err.getvalue()
    assert not Contract.objects.exists() and not Vendor.objects.exists()


def test_tier_below_an_existing_tier_is_refused(db, tmp_path):
    _run(_write(tmp_path, GOOD))
    lines = [GOOD[0], GOOD[1].replace('"$50,000"', "200000"), GOOD[2]]  # Silver above Gold
    with pytest.raises(CommandError):
        call_command(
            "import_contracts",
            str(_write(tmp_path, lines, "bad.csv")),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Tier.objects.get(contract__number="CT-1", name="Silver").min_annual_commitment == 50000


def test_unknown_column_and_hostile_file(db, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(HEADER + ",extra\n" + GOOD[0] + ",1\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_contracts", str(path), stdout=io.StringIO(), stderr=err)
    assert "unknown_column" in err.getvalue()
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_contracts", str(bomb), stdout=io.StringIO(), stderr=err)
    assert "bad_xlsx" in err.getvalue()
