"""Coalition-wide background tasks."""

from __future__ import annotations

import os

from celery import shared_task
from django.db import connection

import coalition.celery  # noqa: F401 - the project's Celery app, current before a task is queued


@shared_task(name="coalition.health_check")
def health_check(token: str) -> dict:
    """Proves the path producer -> broker -> worker -> database -> result backend works.
    Operators run it with `manage.py celery_health`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        database_ok = cursor.fetchone() == (1,)
    return {"token": token, "database_ok": database_ok, "worker_pid": os.getpid()}
