"""Scheduled purchasing work. `purchasing.send_alerts` runs from celery beat
(CELERY_BEAT_SCHEDULE); it is idempotent, so a repeated or overlapping run sends nothing twice."""

from __future__ import annotations

from celery import shared_task

import coalition.celery  # noqa: F401 - the project's Celery app, current before a task is queued


@shared_task(name="purchasing.send_alerts")
def send_alerts() -> dict:
    from coalition.purchasing import services

    run = services.alerts_refresh()
    return {"created": run.created, "emailed": run.emailed, "messages": run.messages}
