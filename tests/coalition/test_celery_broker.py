"""A task really crosses the broker to a separate worker process and its result comes back.

With CELERY_BROKER_URL set (Redis in CI) that broker is used; without it, the file-system
broker that `make run` uses. Either way the worker is a real `celery worker` process."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from celery import Celery

from coalition.tasks import health_check

ROOT = Path(__file__).resolve().parents[2]


def _broker_config(var_dir: Path) -> dict:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if url:
        return {"broker_url": url, "result_backend": os.environ.get("CELERY_RESULT_BACKEND", url)}
    queue = var_dir / "celery" / "queue"
    queue.mkdir(parents=True, exist_ok=True)
    (var_dir / "celery" / "results").mkdir(parents=True, exist_ok=True)
    return {
        "broker_url": "filesystem://",
        "broker_transport_options": {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(var_dir / "celery" / "processed"),
            "control_folder": str(var_dir / "celery" / "control"),
            "store_processed": False,
        },
        "result_backend": f"file://{var_dir / 'celery' / 'results'}",
    }


@pytest.fixture
def worker(tmp_path):
    queue_name = f"test-{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coalition.settings",
        "COALITION_VAR_DIR": str(tmp_path),
        "CELERY_TASK_ALWAYS_EAGER": "0",
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
def test_task_crosses_the_broker_to_a_worker_and_back(worker):
    queue_name, var_dir = worker
    producer = Celery("producer", set_as_current=False)
    producer.conf.update(_broker_config(var_dir), task_serializer="json", accept_content=["json"])
    token = secrets.token_hex(8)
    try:
        result = producer.send_task(health_check.name, args=[token], queue=queue_name)
        answer = result.get(timeout=60)
    except Exception:
        print((var_dir / "worker.log").read_text())
        raise
    assert answer["token"] == token
    assert answer["database_ok"] is True
    assert answer["worker_pid"] != os.getpid()
