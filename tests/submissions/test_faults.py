"""Faults during imports (issue 8): Retry during a slow store, the broker down, the database
connection lost mid-task, a damaged or missing stored file. Each leaves the submission in a
state the practice can act on, never half-written and never stuck."""

from __future__ import annotations

import io
import json
import threading
import time
from base64 import b64decode
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from practices.submissions import reading, services
from practices.submissions.models import RvuDetailMonth, Submission, SubmissionIssue
from tests.faults import (
    ThreadRun,
    celery_broker,
    lock_waiters,
    raw_connection,
    redis_server,
    wait_for,
)
from tests.submissions.factories import (
    PROVIDER_YEAR_HEADER,
    RVU_HEADER,
    csv_bytes,
    period,
    provider_year_rows,
    rvu_rows,
)

# Runs again in .ci/run's second pass, against the machine's PostgreSQL server and Redis.
pytestmark = pytest.mark.services

MONTHS = RvuDetailMonth._meta.db_table
RVU = csv_bytes(RVU_HEADER, rvu_rows(providers=("P1", "P2", "P3")))  # 3 providers x 2 months


def _upload(practice, content=RVU, kind="rvu_detail", name="rvu.csv", queue=False):
    return services.submission_upload(
        practice=practice,
        kind=kind,
        period=period(),
        file=io.BytesIO(content),
        filename=name,
        queue=queue,
    )


def _fresh(submission) -> Submission:
    return Submission.objects.for_practice(submission.practice).get(pk=submission.pk)


def _process(submission_id):
    return ThreadRun(lambda: services.submission_process(submission_id=submission_id))


def _months(practice) -> int:
    return RvuDetailMonth.objects.for_practice(practice).count()


@pytest.fixture
def own_redis(tmp_path):
    yield from redis_server(tmp_path)


# --- 1. Retry during a slow store ------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_retry_during_a_slow_store_is_refused_and_the_run_completes(practice_a, settings):
    settings.SUBMISSION_HEARTBEAT_SECONDS = 0.2
    settings.SUBMISSION_STALE_MINUTES = 0.03  # 1.8 s
    submission = _upload(practice_a).submission
    looked_stalled = _fresh(submission)  # what a page loaded earlier saw...
    looked_stalled.heartbeat_at = timezone.now() - timedelta(hours=1)  # ...when it looked stale

    blocker = raw_connection(autocommit=False)
    blocker.execute(f'LOCK TABLE "{MONTHS}" IN ACCESS EXCLUSIVE MODE')  # storing waits
    run = _process(submission.pk)
    run.start()
    try:
        wait_for(lambda: lock_waiters(blocker, MONTHS), what="the run to wait on the lock")
        assert _fresh(submission).progress_message.startswith("Storing")
        time.sleep(2.5)  # past the stale limit, still storing
        # The heartbeat kept the run fresh while it stored; Retry reads the state again under
        # the row lock and refuses, whatever the page showed.
        assert not services.submission_is_stalled(_fresh(submission))
        with pytest.raises(ValidationError):
            services.submission_retry(submission=looked_stalled)
    finally:
        blocker.rollback()
        blocker.close()
    run.finish()
    assert run.error is None, run.error
    done = _fresh(submission)
    assert done.status == "validated" and run.result.status == "validated"
    assert _months(practice_a) == 6 and done.row_count == 3 * 2 * 3
    # Nothing is broken afterwards: Submit works, a re-upload is recognized as identical.
    services.submission_submit(submission=done)
    again = _upload(practice_a)
    assert not again.created and "(submitted)" in again.message


@pytest.mark.django_db(transaction=True)
def test_a_silent_run_handed_over_by_retry_stores_nothing_and_the_new_run_completes(
    practice_a, settings
):
    # The first run's heartbeat never beats (a hung thread, a paused VM): after the stale limit
    # Retry hands the submission to a second run while the first is still storing.
    settings.SUBMISSION_HEARTBEAT_SECONDS = 3600
    settings.SUBMISSION_STALE_MINUTES = 0.01
    settings.SUBMISSION_SILENT_SECONDS = 0.5
    submission = _upload(practice_a).submission
    blocker = raw_connection(autocommit=False)
    blocker.execute(f'LOCK TABLE "{MONTHS}" IN ACCESS EXCLUSIVE MODE')
    first = _process(submission.pk)
    first.start()
    try:
        wait_for(lambda: lock_waiters(blocker, MONTHS), what="the first run to wait")
        time.sleep(1)
        with mock.patch("practices.submissions.tasks.process_submission.delay") as delay:
            services.submission_retry(submission=_fresh(submission))
        delay.assert_called_once_with(submission.pk)
        second = _process(submission.pk)  # what the re-queued task runs
        second.start()
        wait_for(lambda: len(lock_waiters(blocker, MONTHS)) == 2, what="both runs to wait")
    finally:
        blocker.rollback()
        blocker.close()
    first.finish()
    second.finish()
    assert first.error is None and first.result is None  # superseded: wrote nothing
    assert second.error is None, second.error
    done = _fresh(submission)
    assert done.status == "validated" and done.attempts == 2
    assert _months(practice_a) == 6  # stored once


def test_storing_over_rows_an_earlier_run_left_is_harmless(practice_a, open_period):
    # The broken state of the issue: rows stored, yet the submission still `validating`
    # (silent). A new run replaces those rows instead of failing on rvu_month_unique.
    submission = _upload(practice_a).submission
    services.submission_process(submission_id=submission.pk)
    Submission.objects.for_practice(practice_a).filter(pk=submission.pk).update(
        status="validating", heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    assert _months(practice_a) == 6
    again = services.submission_process(submission_id=submission.pk)
    assert again.status == "validated" and _months(practice_a) == 6
    assert not SubmissionIssue.objects.for_practice(practice_a).filter(severity="error").exists()


# --- 2. Broker down ----------------------------------------------------------------------------
def _queued_ids(redis_client, queue="celery") -> list[int]:
    ids = []
    for raw in redis_client.lrange(queue, 0, -1):
        message = json.loads(raw)
        if message["headers"]["task"] == "submissions.process_submission":
            args = json.loads(b64decode(message["body"]))[0]
            ids.append(args[0])
    return ids


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_broker_down_upload_and_retry_answer_clearly_and_the_sweeper_resumes(
    own_redis, practice_a, submitter_a, client_as, api_as, settings
):
    settings.SUBMISSION_REQUEUE_SECONDS = 0
    period()
    page, api = client_as(submitter_a), api_as(submitter_a)
    content = csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(3))
    with celery_broker(own_redis.url):
        own_redis.stop()  # the broker goes down
        web = page.post(
            "/practices/alpha/submissions/",
            {"kind": "provider_year", "year": 2025, "file": SimpleUploadedFile("a.csv", content)},
            follow=True,
        )
        assert web.status_code == 200
        assert "cannot be reached" in web.content.decode()
        answer = api.post(
            "/api/v1/practices/alpha/submissions/",
            {"kind": "rvu_detail", "year": 2025, "file": SimpleUploadedFile("r.csv", RVU)},
            format="multipart",
        )
        assert answer.status_code == 202, answer.content
        assert answer.json()["queued"] is False and "cannot be reached" in answer.json()["message"]
        saved = list(Submission.objects.for_practice(practice_a).order_by("pk"))
        assert [s.status for s in saved] == ["uploaded", "uploaded"]  # saved, recoverable

        # A Retry during the outage answers 503 with a clear message, not 500.
        Submission.objects.for_practice(practice_a).filter(pk=saved[1].pk).update(
            status="validating", heartbeat_at=None
        )
        retried = api.post(f"/api/v1/practices/alpha/submissions/{saved[1].pk}/retry/")
        assert retried.status_code == 503 and "cannot be reached" in retried.json()["detail"]
        Submission.objects.for_practice(practice_a).filter(pk=saved[0].pk).update(
            status="validating", heartbeat_at=None
        )
        on_page = page.post(f"/practices/alpha/submissions/{saved[0].pk}/retry/", follow=True)
        assert on_page.status_code == 200 and "cannot be reached" in on_page.content.decode()
        assert services.submissions_requeue_stalled() == []  # still down: nothing sent

        own_redis.start()  # the broker is back (empty): the sweeper sends both again
        assert sorted(services.submissions_requeue_stalled()) == [s.pk for s in saved]
        assert sorted(_queued_ids(own_redis.client())) == [s.pk for s in saved]


def test_sweeper_requeues_never_started_and_silent_submissions_only(
    practice_a, open_period, settings, django_capture_on_commit_callbacks
):
    settings.SUBMISSION_REQUEUE_SECONDS = 300
    settings.SUBMISSION_SILENT_SECONDS = 120
    settings.SUBMISSION_MAX_ATTEMPTS = 3
    now = timezone.now()
    rows = {}
    for name, status, age, attempts in [
        ("never_started", "uploaded", 600, 0),
        ("just_uploaded", "uploaded", 10, 0),
        ("silent", "validating", 600, 1),
        ("alive", "validating", 5, 1),
        ("gave_up", "validating", 600, 3),
        ("retried_by_hand", "uploaded", 600, 3),  # a Retry after the sweeper gave up
        ("done", "validated", 600, 1),
    ]:
        content = csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(2, prefix=name))
        submission = _upload(practice_a, content, kind="provider_year", name="a.csv").submission
        Submission.objects.for_practice(practice_a).filter(pk=submission.pk).update(
            status=status, heartbeat_at=now - timedelta(seconds=age), attempts=attempts
        )
        rows[name] = submission.pk
    with (
        mock.patch("practices.submissions.tasks.process_submission.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = services.submissions_requeue_stalled()
    assert sorted(sent) == sorted([rows["never_started"], rows["silent"], rows["retried_by_hand"]])
    assert sorted(c.args[0] for c in delay.call_args_list) == sorted(sent)
    silent = Submission.objects.for_practice(practice_a).get(pk=rows["silent"])
    assert silent.status == "uploaded" and silent.processing_token is None


# --- 3. Database connection lost mid-task ---------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_connection_lost_mid_task_records_the_failure_on_a_fresh_connection(practice_a, settings):
    settings.SUBMISSION_HEARTBEAT_SECONDS = 3600
    submission = _upload(practice_a).submission
    reading_started, go_on = threading.Event(), threading.Event()
    real_read = reading.read_file

    def read_when_told(*args, **kwargs):
        reading_started.set()
        go_on.wait(15)
        return real_read(*args, **kwargs)

    blocker = raw_connection(autocommit=False)
    killer = raw_connection()
    with mock.patch.object(reading, "read_file", read_when_told):
        run = _process(submission.pk)
        run.start()
        try:
            assert reading_started.wait(15)
            # Hold the submission's row: the run's next progress update waits on it...
            blocker.execute(
                f'SELECT 1 FROM "{Submission._meta.db_table}" WHERE id = %s FOR UPDATE',  # noqa: S608
                [submission.pk],
            )
            go_on.set()
            pid = wait_for(
                lambda: killer.execute(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE 'UPDATE%%progress_percent%%'"
                ).fetchone(),
                what="the run to wait on the row",
            )[0]
            killer.execute("SELECT pg_terminate_backend(%s)", [pid])  # ...when its connection drops
        finally:
            go_on.set()
            blocker.rollback()
            blocker.close()
            killer.close()
        run.finish()
    assert run.error is not None  # the task fails (and is logged)...
    failed = _fresh(submission)
    # ...and says so at once, written on a fresh connection: no false progress until the
    # stale limit.
    assert failed.status == "validating"
    assert failed.progress_message == "Processing stopped by an internal error; retry it."
    assert failed.heartbeat_at is None and services.submission_is_stalled(failed)
    assert _months(practice_a) == 0
    with mock.patch("practices.submissions.tasks.process_submission.delay"):
        services.submission_retry(submission=failed)
    assert services.submission_process(submission_id=submission.pk).status == "validated"


# --- 6. The stored file is checked --------------------------------------------------------------
def _stored_path(submission) -> Path:
    return Path(_fresh(submission).file.path)


@pytest.mark.parametrize("damage", ["truncate", "delete", "alter"])
def test_a_damaged_or_missing_stored_file_fails_clearly_and_may_be_uploaded_again(
    practice_a, open_period, damage
):
    submission = _upload(practice_a).submission
    path = _stored_path(submission)
    if damage == "truncate":
        path.write_bytes(RVU[: len(RVU) // 2])  # cut in half, on a line boundary or not
    elif damage == "delete":
        path.unlink()
    else:
        path.write_bytes(RVU.replace(b"P1", b"P9"))  # same size, other content
    assert services.submission_process(submission_id=submission.pk).status == "rejected"
    failed = _fresh(submission)
    assert failed.issue_counts == {"stored_file_damaged": 1}
    assert "Upload the same file again" in failed.progress_message
    assert _months(practice_a) == 0  # not one row of the damaged copy
    issue = SubmissionIssue.objects.for_practice(practice_a).get(submission=failed)
    assert "stored copy" in issue.message

    again = _upload(practice_a)  # the identical file: accepted, not a no-op
    assert again.created and again.submission.version == 2
    assert services.submission_process(submission_id=again.submission.pk).status == "validated"
    assert _months(practice_a) == 6


def test_an_identical_file_after_an_ordinary_rejection_is_still_a_no_op(practice_a, open_period):
    bad = csv_bytes(RVU_HEADER, [["P1", "2025-01", "bad", "CT", "1", "1"]])
    submission = _upload(practice_a, bad).submission
    assert services.submission_process(submission_id=submission.pk).status == "rejected"
    assert not _upload(practice_a, bad).created
