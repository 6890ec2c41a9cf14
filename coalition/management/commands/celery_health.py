"""celery_health: send a task through the broker and wait for a worker's answer."""

import secrets

from celery.exceptions import TimeoutError as CeleryTimeout
from django.core.management.base import BaseCommand, CommandError

from coalition.tasks import health_check


class Command(BaseCommand):
    help = "Check that a Celery worker answers through the configured broker."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=20.0)

    def handle(self, *args, timeout: float, **options):
        token = secrets.token_hex(8)
        try:
            result = health_check.delay(token).get(timeout=timeout)
        except CeleryTimeout:
            raise CommandError(f"No worker answered within {timeout:g} s.") from None
        if result.get("token") != token or not result.get("database_ok"):
            raise CommandError(f"Unexpected answer from the worker: {result}")
        self.stdout.write(self.style.SUCCESS(f"Worker {result['worker_pid']} answered."))
