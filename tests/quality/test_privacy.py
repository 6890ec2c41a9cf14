"""No exam id and no exam time is stored anywhere after imports: every column of every table and
every file under MEDIA_ROOT and var/ is scanned for them (and issues and logs never echo them)."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from practices.submissions import services
from practices.submissions.models import Submission
from tests.quality.helpers import TAT_HEADER, csv_bytes, exam_rows, iso
from tests.quality.helpers import period as period_for

pytestmark = pytest.mark.django_db

# Distinctive days (never the 1st, never today, never a date other tests, examples or messages
# use: the scan of var/ reads the database's write-ahead log, which holds every test's rows)
# and ids that cannot occur by chance.
INSTANTS = [
    datetime(2025, 4, 29, 13, 31, 7, tzinfo=UTC),
    datetime(2025, 7, 23, 2, 14, 51, tzinfo=UTC),
    datetime(2025, 10, 8, 5, 45, 33, tzinfo=UTC),
    datetime(2025, 9, 17, 22, 3, 19, tzinfo=UTC),
]
SECONDS = [1337, 5521, 98765, 42]


def _exams(prefix: str, style: str):
    return [
        (f"{prefix}{n:05d}QX", "CT", "ED", "stat", instant, seconds, style)
        for n, (instant, seconds) in enumerate(zip(INSTANTS, SECONDS, strict=True))
    ]


def _needles(exams, zone: str) -> set[str]:
    found = set()
    for exam_id, *_, completed, seconds, _style in exams:
        found |= {exam_id, exam_id.lower()}
        for instant in (completed, completed + timedelta(seconds=seconds)):
            for style in ("z", "offset", "naive"):
                found.add(iso(instant, style, zone))
            found.add(instant.strftime("%Y-%m-%d %H:%M:%S"))  # how PostgreSQL prints a time
            found.add(instant.strftime("%Y-%m-%d"))  # the date of service
            found.add(str(int(instant.timestamp())))  # an epoch
    return found


def _database_hits(needles: set[str]) -> list[tuple[str, str]]:
    hits = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type IN ('BASE TABLE', 'VIEW')"
        )
        tables = [row[0] for row in cursor.fetchall()]
        patterns = [f"%{needle}%" for needle in needles]
        for table in tables:
            cursor.execute(
                f'SELECT x::text FROM "{table}" x WHERE x::text LIKE ANY(%s)',  # noqa: S608
                [patterns],
            )
            for (text,) in cursor.fetchall():
                hits += [(table, needle) for needle in needles if needle in text]
    return hits


def _file_hits(roots: list[Path], needles: set[str]) -> list[tuple[str, str]]:
    hits = []
    encoded = [(n, n.encode()) for n in needles]
    for root in roots:
        if not root.exists():
            continue
        for folder, _, names in os.walk(root):
            for name in names:
                path = Path(folder) / name
                try:
                    data = path.read_bytes()
                except OSError:
                    continue
                hits += [(str(path), n) for n, raw in encoded if raw in data or n in name]
    return hits


def test_no_exam_id_or_time_is_stored_anywhere(
    practice_a, api_as, submitter_a, analyst, tmp_path, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    zone = practice_a.time_zone
    web = _exams("WEBACC", "naive")
    api_exams = _exams("APIACC", "offset")
    cli = _exams("CLIACC", "z")
    bad = _exams("BADACC", "z")
    needles = _needles(web, zone) | _needles(api_exams, zone) | _needles(cli, zone)
    needles |= _needles(bad, zone)
    period = period_for(2025)
    with django_capture_on_commit_callbacks(execute=True):
        # The service path of the web page, then the API, then import_data.
        web_upload = services.submission_upload(
            practice=practice_a,
            kind="exam_turnaround",
            period=period,
            file=SimpleUploadedFile("web.csv", csv_bytes(TAT_HEADER, exam_rows(web, zone))),
            filename="web.csv",
            uploaded_by=submitter_a,
        )
    web_upload.submission.refresh_from_db()
    assert web_upload.submission.status == "validated"
    client = api_as(submitter_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/practices/alpha/submissions/",
            {
                "kind": "exam_turnaround",
                "year": 2025,
                "file": SimpleUploadedFile(
                    "api.csv", csv_bytes(TAT_HEADER, exam_rows(api_exams, zone))
                ),
            },
            format="multipart",
        )
    assert response.status_code == 202, response.content
    assert client.get(response.json()["url"]).json()["status"] == "validated"
    path = Path(tmp_path) / "cli.csv"
    path.write_bytes(csv_bytes(TAT_HEADER, exam_rows(cli, zone)))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_data", "--practice", "alpha", "--kind", "exam_turnaround", str(path))
    # A rejected file (finalized before completed in its last row) goes too.
    rows = exam_rows(bad, zone)
    rows[-1][5] = "2025-01-05T00:00:00Z"
    bad_path = Path(tmp_path) / "bad.csv"
    bad_path.write_bytes(csv_bytes(TAT_HEADER, rows))
    with django_capture_on_commit_callbacks(execute=True):
        rejected = services.submission_upload(
            practice=practice_a,
            kind="exam_turnaround",
            period=period,
            file=SimpleUploadedFile("bad.csv", bad_path.read_bytes()),
            filename="bad.csv",
        )
    rejected.submission.refresh_from_db()
    assert rejected.submission.status == "rejected"
    with pytest.raises(CommandError):
        call_command(
            "import_data", "--practice", "alpha", "--kind", "exam_turnaround", str(bad_path)
        )
    path.unlink()
    bad_path.unlink()

    submissions = Submission.objects.for_practice(practice_a)
    assert submissions.count() == 4
    assert all(not s.file for s in submissions)  # no exam file is kept
    # The scan finds what is there (the original file name is kept) ...
    assert ("submissions_submission", "web.csv") in _database_hits({"web.csv"})
    # ... and no exam id or time is.
    assert _database_hits(needles) == []
    media = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    roots = [media, Path(settings.BASE_DIR) / "var", Path(tmp_path)]
    canary = Path(tmp_path) / "canary.txt"
    canary.write_text("CANARY-7731")
    assert _file_hits(roots, {"CANARY-7731"}) == [(str(canary), "CANARY-7731")]
    canary.unlink()
    assert _file_hits(roots, needles) == []
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not [n for n in needles if n in logged]
