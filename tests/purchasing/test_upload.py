"""The purchase_record upload kind through the registry: import_data, the error report with row
and column, warnings, versions and the all-or-nothing import."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from coalition.purchasing import selectors
from coalition.purchasing.models import PurchaseRecord
from practices.submissions.models import Submission, SubmissionIssue
from tests.purchasing.factories import contract_with_tiers, enroll

HEADER = "contract_number,purchased_on,item,quantity,list_price,price_paid"


@pytest.fixture
def contract(db):
    return contract_with_tiers(number="CT-1", fee="2")


def _file(tmp_path, lines, name="purchases.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n")
    return path


def _import(path, slug="alpha"):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_data",
        "--practice",
        slug,
        "--kind",
        "purchase_record",
        str(path),
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def test_import_data_stores_and_approves(practice_a, contract, tmp_path):
    enroll(practice_a, contract, starts_on=date(2025, 1, 1), ends_on=date(2025, 6, 30))
    path = _file(
        tmp_path,
        [
            "ct-1,2025-02-03,Iohexol 350 100 mL,12,48.00,41.50",
            "CT-1,2025-09-10,Iohexol 350 100 mL,2,48.00,$49.00",  # not enrolled, above list
        ],
    )
    out, _ = _import(path)
    assert "Imported 2 rows as version 1 of purchase_record 2025" in out
    assert "(2 warning(s))" in out
    submission = Submission.objects.for_practice(practice_a).get()
    assert submission.is_current
    rows = PurchaseRecord.objects.for_practice(practice_a).order_by("purchased_on")
    assert [(r.contract_id, r.quantity, r.price_paid, r.source) for r in rows] == [
        (contract.pk, Decimal("12.000"), Decimal("41.50"), "uploaded"),
        (contract.pk, Decimal("2.000"), Decimal("49.00"), "uploaded"),
    ]
    warnings = SubmissionIssue.objects.for_practice(practice_a).filter(severity="warning")
    assert sorted(warnings.values_list("row_number", "column", "code")) == [
        (3, "price_paid", "above_list_price"),
        (3, "purchased_on", "not_enrolled"),
    ]
    report = selectors.spend_report(
        purchases=PurchaseRecord.objects.for_practice(practice_a), by="contract", year=2025
    )
    assert report[0].spend == Decimal("596.00")  # 12 x 41.50 + 2 x 49


@pytest.mark.parametrize(
    ("line", "column", "code"),
    [
        ("NOPE-7,2025-02-03,Gadget,1,10,9", "contract_number", "unknown_contract"),
        ("CT-1,2025-02-30,Gadget,1,10,9", "purchased_on", "bad_date"),
        ("CT-1,2025-02-03,Gadget,-1,10,9", "quantity", "out_of_range"),
        ("CT-1,2025-02-03,Gadget,1,10,-9", "price_paid", "out_of_range"),
        ("CT-1,2025/02/03,Gadget,1,10,9", "purchased_on", "bad_code"),
    ],
)
def test_bad_rows_reject_the_file_with_row_and_column(
    practice_a, contract, tmp_path, line, column, code
):
    path = _file(tmp_path, ["CT-1,2025-01-05,Gadget,1,10,9", line])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_data",
            "--practice",
            "alpha",
            "--kind",
            "purchase_record",
            str(path),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert f"3,{column},{code}," in err.getvalue(), err.getvalue()
    assert not PurchaseRecord.objects.for_practice(practice_a).exists()


def test_outside_the_contract_term_is_an_error(practice_a, db, tmp_path):
    contract_with_tiers(number="CT-2", starts_on=date(2025, 3, 1), ends_on=date(2025, 12, 31))
    path = _file(tmp_path, ["CT-2,2025-02-27,Gadget,1,10,9"])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_data",
            "--practice",
            "alpha",
            "--kind",
            "purchase_record",
            str(path),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "2,purchased_on,outside_term," in err.getvalue()
    assert not PurchaseRecord.objects.for_practice(practice_a).exists()


def test_a_new_version_replaces_the_old_in_reports(practice_a, contract, tmp_path):
    _import(_file(tmp_path, ["CT-1,2025-02-03,Gadget,10,10,9"], "v1.csv"))
    _import(_file(tmp_path, ["CT-1,2025-02-03,Gadget,20,10,8"], "v2.csv"))
    versions = dict(Submission.objects.for_practice(practice_a).values_list("version", "status"))
    assert versions == {1: "superseded", 2: "approved"}
    report = selectors.spend_report(
        purchases=PurchaseRecord.objects.for_practice(practice_a), by="contract", year=2025
    )
    assert [r.spend for r in report] == [Decimal("160.00")]


def test_duplicate_line_is_an_error(practice_a, contract, tmp_path):
    path = _file(tmp_path, ["CT-1,2025-02-03,Gadget,1,10,9", "CT-1,2025-02-03, Gadget ,2,10,9"])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_data",
            "--practice",
            "alpha",
            "--kind",
            "purchase_record",
            str(path),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert (
        "duplicate_key" in err.getvalue()
        or not PurchaseRecord.objects.for_practice(practice_a).exists()
    )


def test_upload_through_the_api_and_review_by_purchasing_staff(
    practice_a,
    submitter_a,
    contract,
    api_as,
    make_staff,
    client_as,
    django_capture_on_commit_callbacks,
):
    from tests.submissions.factories import period

    period(2025)
    client = api_as(submitter_a)
    content = (HEADER + "\nCT-1,2025-04-01,Gadget,3,10,9\n").encode()
    upload = io.BytesIO(content)
    upload.name = "purchases.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/practices/alpha/submissions/",
            {"kind": "purchase_record", "year": 2025, "file": upload},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    submission = Submission.objects.for_practice(practice_a).get()
    assert submission.status == "validated"
    response = client.post(
        f"/api/v1/practices/alpha/submissions/{submission.pk}/submit/", {"note": ""}, format="json"
    )
    assert response.status_code == 200, response.content
    buyer = make_staff("purchasing")
    analyst = make_staff("analyst")
    queue = client_as(buyer).get("/staff/submissions/review/")
    assert queue.status_code == 200
    assert f"/staff/submissions/{submission.pk}/".encode() in queue.content
    assert client_as(analyst).get(f"/staff/submissions/{submission.pk}/").status_code == 404
    response = client_as(buyer).post(
        f"/staff/submissions/{submission.pk}/", {"action": "approve", "comment": ""}
    )
    submission.refresh_from_db()
    assert submission.is_current, response.status_code
