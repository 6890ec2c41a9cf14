from celery import shared_task

import coalition.celery  # noqa: F401  (tasks go through the project's app and broker)
from quality.pso.reminders import reminders_send


@shared_task(name="quality.pso.tasks.send_reminders")
def send_reminders() -> dict:
    """Scheduled: overdue actions and untriaged events (idempotent: once a day each)."""
    sent = reminders_send()
    return {"overdue_actions": sent.overdue_actions, "untriaged_events": sent.untriaged_events}
