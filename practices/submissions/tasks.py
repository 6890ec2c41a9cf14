"""Celery tasks of data submissions. They take ids and call services; running one twice is
harmless (the service does nothing for a submission that is no longer being processed)."""

from __future__ import annotations

from celery import shared_task

import coalition.celery  # noqa: F401 - the project's Celery app, current before a task is queued
from practices.submissions import services


# The outcome lives on the submission; there is no result to keep.
@shared_task(name="submissions.process_submission", acks_late=True, ignore_result=True)
def process_submission(submission_id: int) -> str:
    submission = services.submission_process(submission_id=submission_id)
    return submission.status if submission is not None else "skipped"
