"""Quality test files written straight from known instants, so that every expected figure can be
computed independently (numpy) from the same instants."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from practices.submissions import services
from practices.submissions.models import ReportingPeriod
from tests.submissions.factories import upload

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


CLASSES = ("ED", "inpatient", "outpatient")
MEASURE_CODES = ("critical_result_10min", "mammography_recall", "patient_experience")


def approve(submission):
    assert submission.status == "validated", submission.progress_message
    services.submission_submit(submission=submission)
    services.submission_approve(submission=submission)


def generate_practice_year(practice, rng: random.Random, index: int, year: int = 2024) -> dict:
    """Upload one practice's three files; return the raw figures the reference needs."""
    styles = ("z", "offset", "naive")
    exams, seconds_by_class = [], {c: [] for c in CLASSES}
    for n in range(rng.randint(25, 60)):
        patient_class = rng.choice(list(CLASSES))
        completed = datetime(year, 1, 3, tzinfo=UTC) + timedelta(
            seconds=rng.randint(0, 355 * 86400)
        )
        seconds = int(rng.lognormvariate(7.5 + index * 0.05, 0.9))
        seconds_by_class[patient_class].append(seconds)
        exams.append(
            (
                f"P{index}-{n}",
                rng.choice(["CT", "MR", "XR"]),
                patient_class,
                rng.choice(["stat", "routine"]),
                completed,
                seconds,
                rng.choice(styles),
            )
        )
    rows = exam_rows(exams, zone=practice.time_zone)
    approve(upload(practice, "exam_turnaround", csv_bytes(TAT_HEADER, rows), year=year))
    scores = {s: rng.randint(0, 30) for s in ("1", "2a", "2b", "3a", "3b")}
    scores["1"] += 100
    peer = [["R1", f"{year}-0{1 + k % 9}", "CT", s, c] for k, (s, c) in enumerate(scores.items())]
    approve(
        upload(
            practice,
            "peer_review",
            csv_bytes(["provider_id", "service_month", "modality", "score", "count"], peer),
            year=year,
        )
    )
    measures = {}
    for code in MEASURE_CODES:
        denominator = rng.randint(50, 5000)
        measures[code] = (rng.randint(0, denominator), denominator)
    approve(
        upload(
            practice,
            "quality_measure",
            csv_bytes(
                ["year", "measure_code", "numerator", "denominator"],
                [[year, code, n, d] for code, (n, d) in measures.items()],
            ),
            year=year,
        )
    )
    return {"seconds": seconds_by_class, "scores": scores, "measures": measures}
