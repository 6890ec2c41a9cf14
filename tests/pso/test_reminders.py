"""The reminder task: owners of overdue actions and PSO staff of untriaged events, each
reminder once a day however often the task runs; also through a real worker."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from datetime import date, timedelta

import pytest
from celery import Celery
from django.core import mail
from django.db import connection
from django.utils import timezone

from quality.pso import services
from quality.pso.models import ReminderSent, SafetyEvent
from quality.pso.reminders import reminders_send
from tests.coalition.test_celery_broker import ROOT, _broker_config
from tests.pso.factories import report


def _overdue_and_untriaged(practice, pso, owner):
    event = report(practice)
    services.safety_event_triage(event=event, by=pso, likelihood="possible", owner=pso)
    services.safety_event_start_analysis(event=event, by=pso)
    services.corrective_action_add(
        event=event,
        by=pso,
        description="Screening question on prior reactions",
        strength="stronger",
        owner=owner,
        due_on=timezone.localdate() - timedelta(days=3),
    )
    waiting = report(practice)
    SafetyEvent.objects.for_practice(practice).filter(pk=waiting.pk).update(
        reported_at=timezone.now() - timedelta(days=10)
    )
    report(practice)  # reported today: not reminded
    return event, waiting


def test_reminders_go_once_a_day(practice_a, admin_a, make_staff):
    pso = make_staff("pso_staff")
    _, waiting = _overdue_and_untriaged(practice_a, pso, admin_a)
    first = reminders_send()
    assert (first.overdue_actions, first.untriaged_events) == (1, 1)
    assert sorted(m.subject for m in mail.outbox) == [
        "Corrective action overdue: SE-2025-0001",
        f"Safety event waiting for triage: {waiting.reference}",
    ]
    overdue = next(m for m in mail.outbox if m.subject.startswith("Corrective"))
    assert overdue.to == [admin_a.email]
    assert next(m for m in mail.outbox if m.subject.startswith("Safety")).to == [pso.email]
    # No narrative or practice name goes out by e-mail.
    assert all(practice_a.name not in m.body and "Hives" not in m.body for m in mail.outbox)
    again = reminders_send()
    assert (again.overdue_actions, again.untriaged_events) == (0, 0)
    assert len(mail.outbox) == 2
    tomorrow = reminders_send(today=timezone.localdate() + timedelta(days=1))
    assert tomorrow.overdue_actions == 1


def test_done_actions_are_not_reminded(practice_a, admin_a, make_staff):
    pso = make_staff("pso_staff")
    event, _ = _overdue_and_untriaged(practice_a, pso, admin_a)
    from quality.pso import selectors

    for action in selectors.event_actions(event=event):
        services.corrective_action_complete(action=action, by=pso, done_on=date.today())
    assert reminders_send().overdue_actions == 0


@pytest.fixture
def db_worker(tmp_path, transactional_db):
    """A real `celery worker` process on the test database."""
    settings_dict = connection.settings_dict
    url = (
        f"postgresql://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )
    queue_name = f"test-{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coalition.settings",
        "COALITION_VAR_DIR": str(tmp_path),
        "DATABASE_URL": url,
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "coalition",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue_name,
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield queue_name, tmp_path
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.mark.broker
def test_reminder_task_through_a_real_worker_sends_each_once(db_worker, make_staff):
    from tests.factories import MembershipFactory, PracticeFactory

    queue_name, var_dir = db_worker
    practice = PracticeFactory(slug="reminded")
    owner = MembershipFactory(practice=practice).user
    pso = make_staff("pso_staff")
    _overdue_and_untriaged(practice, pso, owner)
    producer = Celery("producer", set_as_current=False)
    producer.conf.update(_broker_config(var_dir), task_serializer="json", accept_content=["json"])
    try:
        answers = [
            producer.send_task("quality.pso.tasks.send_reminders", queue=queue_name).get(timeout=90)
            for _ in range(2)
        ]
    except Exception:
        print((var_dir / "worker.log").read_text())
        raise
    finally:
        producer.close()
    assert answers == [
        {"overdue_actions": 1, "untriaged_events": 1},
        {"overdue_actions": 0, "untriaged_events": 0},
    ]
    assert ReminderSent.objects.count() == 2
    log = (var_dir / "worker.log").read_text()
    assert log.count("Subject: Corrective action overdue") == 1
