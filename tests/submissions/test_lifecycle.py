"""Versions, review and the import task: SPEC section 3's life cycle, all-or-nothing imports,
idempotent tasks and recovery from a worker that died mid-file."""

from __future__ import annotations

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from practices.submissions import services, storage
from practices.submissions.models import (
    Provider,
    ProviderYearRecord,
    RvuDetailMonth,
    Submission,
    SubmissionIssue,
)
from tests.submissions.factories import (
    PROVIDER_YEAR_HEADER,
    RVU_HEADER,
    approved,
    csv_bytes,
    period,
    provider_year_rows,
    rvu_rows,
    upload,
)


def _py(n=3, seed=1):
    return csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(n, seed=seed))


def test_versions_count_up_and_approval_supersedes(practice_a, open_period, submitter_a, analyst):
    first = approved(practice_a, "provider_year", _py(seed=1), user=submitter_a, analyst=analyst)
    assert first.version == 1 and first.is_current
    second = upload(practice_a, "provider_year", _py(seed=2), user=submitter_a)
    assert second.version == 2 and second.status == "validated"
    first.refresh_from_db()
    assert first.is_current, "an unapproved new version does not replace the current one"
    services.submission_submit(submission=second, user=submitter_a)
    services.submission_approve(submission=second, reviewer=analyst, comment="fine")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.is_current) == ("superseded", False)
    assert (second.status, second.is_current) == ("approved", True)
    assert second.reviewed_by == analyst and second.reviewed_at is not None
    current = Submission.objects.for_practice(practice_a).filter(is_current=True)
    assert list(current) == [second]


def test_identical_file_is_a_no_op_with_a_message(practice_a, open_period):
    content = _py()
    first = upload(practice_a, "provider_year", content)
    result = services.submission_upload(
        practice=practice_a,
        kind="provider_year",
        period=open_period,
        file=io.BytesIO(content),
        filename="again.csv",
        queue=False,
    )
    assert not result.created and result.submission == first
    assert "identical to version 1" in result.message
    assert Submission.objects.for_practice(practice_a).count() == 1


def test_same_file_for_another_kind_or_practice_is_not_a_duplicate(
    practice_a, practice_b, open_period
):
    content = _py()
    upload(practice_a, "provider_year", content)
    other = upload(practice_b, "provider_year", content)
    assert other.version == 1 and other.status == "validated"


def test_return_with_comment_then_resubmit(practice_a, open_period, submitter_a, analyst):
    submission = upload(practice_a, "provider_year", _py(), user=submitter_a)
    services.submission_submit(submission=submission, user=submitter_a, note="first try")
    with pytest.raises(ValidationError):
        services.submission_return(submission=submission, reviewer=analyst, comment="  ")
    services.submission_return(
        submission=submission, reviewer=analyst, comment="Row 3 FTE looks wrong."
    )
    submission.refresh_from_db()
    assert submission.status == "returned" and submission.review_comment == "Row 3 FTE looks wrong."
    services.submission_submit(submission=submission, user=submitter_a, note="It is right.")
    submission.refresh_from_db()
    assert submission.status == "submitted" and submission.submitter_note == "It is right."


def test_only_submitted_versions_can_be_approved(practice_a, open_period, analyst):
    submission = upload(practice_a, "provider_year", _py())
    with pytest.raises(ValidationError):
        services.submission_approve(submission=submission, reviewer=analyst)
    rejected = upload(practice_a, "provider_year", csv_bytes(PROVIDER_YEAR_HEADER, [["x"] * 7]))
    with pytest.raises(ValidationError):
        services.submission_submit(submission=rejected)


def test_an_older_version_cannot_be_submitted_over_a_newer_one(practice_a, open_period):
    old = upload(practice_a, "provider_year", _py(seed=1))
    upload(practice_a, "provider_year", _py(seed=2))
    with pytest.raises(ValidationError, match="newer version"):
        services.submission_submit(submission=old)


def test_an_older_version_cannot_be_approved_after_a_newer_one(practice_a, open_period, analyst):
    old = upload(practice_a, "provider_year", _py(seed=1))
    services.submission_submit(submission=old)
    new = approved(practice_a, "provider_year", _py(seed=2), analyst=analyst)
    old.refresh_from_db()
    assert old.status == "superseded", "the pending older version left the queue"
    assert new.is_current


def test_database_allows_one_current_version_only(practice_a, open_period, analyst):
    approved(practice_a, "provider_year", _py(seed=1), analyst=analyst)
    second = upload(practice_a, "provider_year", _py(seed=2))
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.for_practice(practice_a).filter(pk=second.pk).update(
            status="approved", is_current=True
        )


def test_closed_period_refuses_uploads(practice_a, db):
    closed = period(2019, status="closed")
    with pytest.raises(ValidationError, match="closed"):
        services.submission_upload(
            practice=practice_a,
            kind="provider_year",
            period=closed,
            file=io.BytesIO(_py()),
            filename="a.csv",
        )


def test_upload_queues_the_task_on_commit(
    practice_a, open_period, django_capture_on_commit_callbacks
):
    with (
        mock.patch("practices.submissions.tasks.process_submission.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = services.submission_upload(
            practice=practice_a,
            kind="provider_year",
            period=open_period,
            file=io.BytesIO(_py()),
            filename="a.csv",
        )
    delay.assert_called_once_with(result.submission.pk)


def test_eager_task_processes_the_upload(
    practice_a, open_period, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.submission_upload(
            practice=practice_a,
            kind="provider_year",
            period=open_period,
            file=io.BytesIO(_py()),
            filename="a.csv",
        )
    result.submission.refresh_from_db()
    assert result.submission.status == "validated"
    assert result.submission.progress_percent == 100


def test_running_the_task_twice_changes_nothing(practice_a, open_period):
    from practices.submissions.tasks import process_submission

    submission = upload(practice_a, "provider_year", _py(5))
    before = list(ProviderYearRecord.objects.for_practice(practice_a).order_by("id").values())
    assert process_submission(submission.pk) == "skipped"
    after = list(ProviderYearRecord.objects.for_practice(practice_a).order_by("id").values())
    assert before == after and len(after) == 5


def test_worker_dying_mid_store_leaves_nothing_and_can_be_retried(practice_a, open_period):
    content = csv_bytes(RVU_HEADER, rvu_rows(providers=("P1", "P2", "P3")))
    result = services.submission_upload(
        practice=practice_a,
        kind="rvu_detail",
        period=open_period,
        file=io.BytesIO(content),
        filename="rvu.csv",
        queue=False,
    )
    real_copy = storage.copy_stream

    def copy_then_die(*args, **kwargs):
        real_copy(*args, **kwargs)  # the rows are in the table, inside the transaction...
        raise SystemExit("worker killed")  # ...when the worker dies

    with mock.patch.object(storage, "copy_stream", copy_then_die), pytest.raises(SystemExit):
        services.submission_process(submission_id=result.submission.pk)
    submission = Submission.objects.for_practice(practice_a).get(pk=result.submission.pk)
    assert submission.status == "validating"
    assert not RvuDetailMonth.objects.for_practice(practice_a).exists()
    assert not Provider.objects.for_practice(practice_a).exists()
    assert not SubmissionIssue.objects.for_practice(practice_a).exists()

    # While the dead run's heartbeat is fresh, a redelivered task leaves it be...
    with pytest.raises(services.SubmissionBusy):
        services.submission_process(submission_id=submission.pk)
    # ...once it has gone silent, a redelivered task takes over (a fresh token) and finishes.
    Submission.objects.for_practice(practice_a).filter(pk=submission.pk).update(
        heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    assert services.submission_process(submission_id=submission.pk).status == "validated"
    assert RvuDetailMonth.objects.for_practice(practice_a).count() == 3 * 2


def test_internal_error_marks_the_submission_for_retry(
    practice_a, open_period, django_capture_on_commit_callbacks
):
    result = services.submission_upload(
        practice=practice_a,
        kind="provider_year",
        period=open_period,
        file=io.BytesIO(_py()),
        filename="a.csv",
        queue=False,
    )
    with (
        mock.patch.object(storage, "copy_rows", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        services.submission_process(submission_id=result.submission.pk)
    submission = Submission.objects.for_practice(practice_a).get(pk=result.submission.pk)
    assert submission.status == "validating"
    assert services.submission_is_stalled(submission)
    assert not ProviderYearRecord.objects.for_practice(practice_a).exists()
    with (
        mock.patch("practices.submissions.tasks.process_submission.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.submission_retry(submission=submission)
    submission.refresh_from_db()
    assert submission.status == "uploaded"
    delay.assert_called_once_with(submission.pk)
    assert services.submission_process(submission_id=submission.pk).status == "validated"


def test_retry_is_refused_while_processing_is_alive(practice_a, open_period):
    result = services.submission_upload(
        practice=practice_a,
        kind="provider_year",
        period=open_period,
        file=io.BytesIO(_py()),
        filename="a.csv",
        queue=False,
    )
    with pytest.raises(ValidationError):
        services.submission_retry(submission=result.submission)
    Submission.objects.for_practice(practice_a).filter(pk=result.submission.pk).update(
        status="validating", heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    result.submission.refresh_from_db()
    services.submission_retry(submission=result.submission)


def test_a_stale_run_cannot_store_over_a_newer_run(practice_a, open_period):
    result = services.submission_upload(
        practice=practice_a,
        kind="provider_year",
        period=open_period,
        file=io.BytesIO(_py()),
        filename="a.csv",
        queue=False,
    )
    first = services._start(result.submission.pk)
    Submission.objects.for_practice(practice_a).filter(pk=first.pk).update(status="uploaded")
    second = services._start(result.submission.pk)
    assert first.processing_token != second.processing_token
    # The first run finishes late: its token is no longer the submission's, so it stores nothing.
    assert (
        services._finish(first, token=first.processing_token, validated=None, errors=[], counts={})
        is None
    )
    assert not ProviderYearRecord.objects.for_practice(practice_a).exists()


def test_pseudonyms_are_stable_per_practice_and_differ_between_practices(
    practice_a, practice_b, open_period
):
    upload(practice_a, "provider_year", _py(seed=1))
    upload(practice_a, "provider_year", _py(seed=2))
    upload(practice_b, "provider_year", _py(seed=1))
    a = set(Provider.objects.for_practice(practice_a).values_list("pseudonym", flat=True))
    b = set(Provider.objects.for_practice(practice_b).values_list("pseudonym", flat=True))
    assert len(a) == 3 and len(b) == 3 and not a & b
    assert practice_a.pseudonymize("RAD-001") in a
    stored = set(
        ProviderYearRecord.objects.for_practice(practice_a).values_list(
            "provider_pseudonym", flat=True
        )
    )
    assert stored == a and "RAD-001" not in stored


def test_deleting_a_submission_removes_its_rvu_rows(practice_a, open_period):
    submission = upload(practice_a, "rvu_detail", csv_bytes(RVU_HEADER, rvu_rows()))
    assert RvuDetailMonth.objects.for_practice(practice_a).exists()
    Submission.objects.for_practice(practice_a).filter(pk=submission.pk).delete()
    assert not RvuDetailMonth.objects.for_practice(practice_a).exists()
