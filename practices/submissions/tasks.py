"""Celery tasks of data submissions. They take ids and call services; running one twice is
harmless (the service does nothing for a submission that is no longer being processed, and
only the run holding the submission's current token may store)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

import coalition.celery  # noqa: F401 - the project's Celery app, current before a task is queued
from practices.submissions import services


# The outcome lives on the submission; there is no result to keep.
@shared_task(
    name="submissions.process_submission",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=20,
)
def process_submission(self, submission_id: int) -> str:
    try:
        submission = services.submission_process(submission_id=submission_id)
    except services.SubmissionBusy:
        # A live run has it (this message was redelivered or re-queued): look again once that
        # run could have gone silent, and take over only then.
        if self.request.is_eager:
            return "busy"
        raise self.retry(countdown=settings.SUBMISSION_SILENT_SECONDS) from None
    return submission.status if submission is not None else "skipped"


# The sweeper, run by Celery beat (CELERY_BEAT_SCHEDULE): uploads saved while the broker was
# down, or whose run went silent, are sent again.
@shared_task(name="submissions.requeue_stalled", ignore_result=True)
def requeue_stalled_submissions() -> int:
    return len(services.submissions_requeue_stalled())
