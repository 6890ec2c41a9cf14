"""The reminders of the PSO (a scheduled task): owners of overdue corrective actions, and PSO
staff of events untriaged for more than PSO_UNTRIAGED_DAYS days. Each reminder is sent once a
day at most, however often the task runs: the ReminderSent row and the e-mail go together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from quality.pso import selectors
from quality.pso.models import ReminderSent


@dataclass
class RemindersSent:
    overdue_actions: int = 0
    untriaged_events: int = 0


def _pso_staff_addresses() -> list[str]:
    users = get_user_model().objects.filter(
        is_active=True, groups__permissions__codename="manage_safety_events"
    )
    return sorted({u.email for u in users.distinct() if u.email})


def _once(kind: str, object_id: int, today: date, recipients: list[str], subject: str, body: str):
    """Send unless sent today; True when sent."""
    if not recipients:
        return False
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                kind=kind, object_id=object_id, sent_on=today, recipients=len(recipients)
            )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except IntegrityError:
        return False  # another run sent it today
    return True


def reminders_send(*, today: date | None = None) -> RemindersSent:
    today = today or timezone.localdate()
    sent = RemindersSent()
    # No narrative, practice name or patient detail goes into an e-mail: the reference only.
    for action in selectors.overdue_actions(today=today):
        days = (today - action.due_on).days
        if _once(
            "overdue_action",
            action.pk,
            today,
            [action.owner.email] if action.owner.email else [],
            f"Corrective action overdue: {action.event.reference}",
            f"A corrective action you own for safety event {action.event.reference} was due on "
            f"{action.due_on:%Y-%m-%d} ({days} day(s) ago). Sign in to the coalition site to "
            "record it as done or to update it.",
        ):
            sent.overdue_actions += 1
    staff = _pso_staff_addresses()
    for event in selectors.untriaged_events(older_than_days=settings.PSO_UNTRIAGED_DAYS):
        days = (timezone.now() - event.reported_at).days
        if _once(
            "untriaged_event",
            event.pk,
            today,
            staff,
            f"Safety event waiting for triage: {event.reference}",
            f"Safety event {event.reference} was reported {days} day(s) ago and is not triaged "
            "yet. Sign in to the coalition site to triage it.",
        ):
            sent.untriaged_events += 1
    return sent
