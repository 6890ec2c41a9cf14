"""What every command, worker and test process pays before it starts working: Django's set-up
imports neither Celery, nor drf-spectacular, nor openpyxl, Arrow, polars, numpy or cryptography
(each is imported where it is used; the upload kinds name their polars functions by path), and
a task queued from such a process still goes through the project's Celery app.
The times themselves are measured by perf/bench_startup.py, not here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# drf_spectacular itself is an installed app (cheap); its schema machinery is what weighs.
HEAVY = (
    "celery.app",
    "kombu",
    "drf_spectacular.plumbing",
    "openpyxl",
    "pyarrow",
    "polars",
    "numpy",
    "cryptography.hazmat.bindings._rust",
)

PROBE = """
import json, sys
import django
django.setup()
loaded = sorted(set(sys.modules) & set(sys.argv[1:]))
from practices.submissions.tasks import process_submission
from benchmarks.tasks import compute_release
from coalition.tasks import health_check
from quality.pso.tasks import send_reminders
apps = sorted(
    {t.app.main for t in (process_submission, compute_release, health_check, send_reminders)}
)
from django.conf import settings
print(json.dumps({"loaded": loaded, "apps": apps,
                  "broker": process_submission.app.conf.broker_url == settings.CELERY_BROKER_URL}))
"""


def _probe() -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "coalition.settings"}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, *HEAVY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_django_setup_imports_no_heavy_library_and_tasks_use_the_project_app():
    found = _probe()
    assert found["loaded"] == []
    assert found["apps"] == ["coalition"]
    assert found["broker"]


def test_import_data_runs_the_model_checks_only():
    from django.core.checks import Tags

    from practices.submissions.management.commands.import_data import Command

    assert list(Command.requires_system_checks) == [Tags.models]
