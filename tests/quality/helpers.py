"""Quality test files written straight from known instants, so that every expected figure can be
computed independently (numpy) from the same instants."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from practices.submissions.models import ReportingPeriod

TAT_HEADER = ["exam_id", "modality", "patient_class", "priority", "completed_at", "finalized_at"]


def period(year: int) -> ReportingPeriod:
    return ReportingPeriod.objects.get_or_create(year=year, defaults={"status": "open"})[0]


def csv_bytes(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def iso(instant: datetime, style: str, zone: str = "America/New_York") -> str:
    """The instant written as a file might: Z, an offset, or naive local time of the zone."""
    if style == "z":
        return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    local = instant.astimezone(ZoneInfo(zone))
    if style == "offset":
        return local.isoformat()
    return local.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S")


def exam_rows(exams, zone="America/New_York"):
    """exams: (exam_id, modality, class, priority, completed UTC datetime, seconds, style)."""
    rows = []
    for exam_id, modality, patient_class, priority, completed, seconds, style in exams:
        finalized = completed + timedelta(seconds=seconds)
        rows.append(
            [
                exam_id,
                modality,
                patient_class,
                priority,
                iso(completed, style, zone),
                iso(finalized, style, zone),
            ]
        )
    return rows
