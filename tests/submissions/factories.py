"""Helpers for the submission tests: realistic rows of each kind, files made from them, and
uploads processed the way the Celery task processes them."""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from practices.submissions import services
from practices.submissions.kinds import schema_for
from practices.submissions.models import ReportingPeriod, Submission

YEAR = 2025

PROVIDER_YEAR_HEADER = [
    "provider_id",
    "year",
    "subspecialty",
    "clinical_fte",
    "work_rvus",
    "total_compensation",
    "partner_status",
]
RVU_HEADER = ["provider_id", "service_month", "cpt_code", "modality", "units", "work_rvus"]
FINANCIALS_HEADER = [
    "year",
    "total_revenue",
    "provider_expense",
    "operating_expense",
    "radiologist_fte",
    "hospital_support_received",
]


def period(year: int = YEAR, status: str = "open") -> ReportingPeriod:
    found, _ = ReportingPeriod.objects.get_or_create(year=year, defaults={"status": status})
    return found


def provider_year_rows(n: int = 5, *, year: int = YEAR, seed: int = 1, prefix: str = "RAD"):
    rng = random.Random(seed)
    subspecialties = ["neuro", "breast", "abdominal", "musculoskeletal", "general"]
    rows = []
    for i in range(n):
        fte = Decimal(rng.choice(["1.0", "0.9", "0.8", "1.0", "0.75"]))
        wrvu = (Decimal(rng.randint(9000, 13000)) * fte).quantize(Decimal("0.01"))
        comp = (Decimal(rng.randint(480_000, 680_000)) * fte).quantize(Decimal("0.01"))
        rows.append(
            [
                f"{prefix}-{i + 1:03d}",
                str(year),
                subspecialties[i % len(subspecialties)],
                str(fte),
                str(wrvu),
                str(comp),
                ["partner", "employed", "contractor"][i % 3],
            ]
        )
    return rows


def rvu_rows(*, providers=("RAD-001", "RAD-002"), months=(1, 2), year: int = YEAR):
    codes = [("70450", "CT", "0.85"), ("71046", "XR", "0.22"), ("70553", "MR", "2.29")]
    rows = []
    for provider in providers:
        for month in months:
            for n, (code, modality, per_unit) in enumerate(codes, start=1):
                units = 10 * n + month
                rows.append(
                    [
                        provider,
                        f"{year}-{month:02d}",
                        code,
                        modality,
                        str(units),
                        str((Decimal(per_unit) * units).quantize(Decimal("0.0001"))),
                    ]
                )
    return rows


def financials_rows(*, year: int = YEAR):
    return [[str(year), "25174696.00", "24150000.00", "7343305.00", "32.33", "1500000.00"]]


def csv_bytes(header, rows, *, delimiter=",", encoding="utf-8", newline="\n", bom=False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(header, rows, *, sheet: str = "data", extra_sheets=()) -> bytes:
    workbook = Workbook()
    for title in extra_sheets:
        workbook.create_sheet(title).append(["not", "this", "one"])
    ws = workbook.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(practice, kind: str, content: bytes, *, filename: str = "", user=None, year=YEAR):
    """Upload through the service and process right away (as the task would)."""
    result = services.submission_upload(
        practice=practice,
        kind=kind,
        period=period(year),
        file=SimpleUploadedFile(filename or f"{kind}.csv", content),
        filename=filename or f"{kind}.csv",
        uploaded_by=user,
        queue=False,
    )
    if result.created:
        services.submission_process(submission_id=result.submission.pk)
    result.submission.refresh_from_db()
    return result.submission


def approved(practice, kind: str, content: bytes, *, user=None, year=YEAR, analyst=None):
    submission = upload(practice, kind, content, user=user, year=year)
    assert submission.status == Submission.Status.VALIDATED, submission.progress_message
    services.submission_submit(submission=submission, user=user)
    return services.submission_approve(submission=submission, reviewer=analyst)


def header_of(kind: str) -> list[str]:
    return schema_for(kind).column_names
