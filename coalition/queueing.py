"""Sending Celery tasks without letting an unreachable broker turn a saved change into a 500.

The work a task does is always recorded in the database first (a submission `uploaded`, a
release `queued`), so a message that could not be sent is not lost work: the sweepers
(`submissions.requeue_stalled`, `benchmarks.requeue_stalled_releases`, run by Celery beat)
send it again once the broker answers. Callers say so to the user instead of failing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What publishing raises when the broker cannot be reached (Redis down, a file-system broker's
# folder missing): kombu wraps connection errors in OperationalError; the rest are the raw ones.
BROKER_ERRORS = (OperationalError, ConnectionError, OSError, TimeoutError)


class QueueUnavailable(Exception):
    """The change was saved but its task could not be sent; a sweeper will send it later."""


@dataclass
class Enqueued:
    # None until the surrounding transaction commits and the message is sent.
    ok: bool | None = None

    @property
    def failed(self) -> bool:
        return self.ok is False


def send_task(task, *args) -> bool:
    """task.delay(*args); False (logged) when the broker cannot be reached."""
    if task.app.conf.task_always_eager:
        task.delay(*args)  # runs here: its own errors must propagate
        return True
    try:
        task.delay(*args)
    except BROKER_ERRORS as error:
        logger.warning(
            "Could not queue %s%s: broker unreachable (%s)", task.name, args, type(error).__name__
        )
        return False
    return True


def enqueue_on_commit(task, *args) -> Enqueued:
    """Send the task once the current transaction commits; the returned outcome says whether
    it was sent (read it after the outermost transaction has ended)."""
    outcome = Enqueued()

    def send():
        outcome.ok = send_task(task, *args)

    transaction.on_commit(send)
    return outcome
