"""Celery tasks of the benchmarks app. They take ids and call services; running one twice
leaves the same result (a published release is never touched)."""

from __future__ import annotations

from celery import shared_task

import coalition.celery  # noqa: F401 - the project's Celery app, current before a task is queued
from benchmarks import services


@shared_task(name="benchmarks.compute_release")
def compute_release(release_id: int) -> str:
    release = services.release_compute(release_id=release_id)
    return "discarded" if release is None else release.status


# The sweeper, run by Celery beat (CELERY_BEAT_SCHEDULE).
@shared_task(name="benchmarks.requeue_stalled_releases", ignore_result=True)
def requeue_stalled_releases() -> int:
    return len(services.releases_requeue_stalled())
