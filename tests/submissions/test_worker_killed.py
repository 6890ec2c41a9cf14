"""A worker killed (kill -9) in the middle of an import: its task is delivered again to the next
worker within seconds here (minutes with the production settings), which takes the silent run
over and completes the import. Real worker processes, through a Redis server the test starts
itself (so it runs the same with either configured broker)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from practices.submissions import services
from practices.submissions.models import RvuDetailMonth, Submission
from tests.faults import (
    celery_broker,
    database_url,
    lock_waiters,
    raw_connection,
    redis_server,
    wait_for,
)
from tests.submissions.factories import RVU_HEADER, csv_bytes, period, rvu_rows

ROOT = Path(__file__).resolve().parents[2]
MONTHS = RvuDetailMonth._meta.db_table


@pytest.fixture
def own_redis(tmp_path):
    yield from redis_server(tmp_path)


def _start_worker(tmp_path: Path, broker: str, name: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coalition.settings",
        "DATABASE_URL": database_url(),  # the test's database
        "COALITION_VAR_DIR": str(tmp_path),  # the uploads are under tmp_path/media
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        # The production defaults are 600 s, 10 s and 120 s; the same mechanism, faster.
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": "2",
        "SUBMISSION_HEARTBEAT_SECONDS": "0.3",
        "SUBMISSION_SILENT_SECONDS": "1.5",
    }
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "coalition", "worker", "--pool=solo"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"),
            *("-n", f"{name}@%h"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _logs(tmp_path: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted(tmp_path.glob("*.log")))


@pytest.mark.broker
@pytest.mark.timeout(480)  # booting two worker processes on a loaded machine can take minutes
@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_import_runs_again_on_the_next_worker(own_redis, practice_a, tmp_path):
    period()
    content = csv_bytes(RVU_HEADER, rvu_rows(providers=("P1", "P2", "P3")))
    blocker = raw_connection(autocommit=False)
    blocker.execute(f'LOCK TABLE "{MONTHS}" IN ACCESS EXCLUSIVE MODE')  # the store waits
    # Two workers from the start (each takes seconds to boot): one takes the task and is
    # killed, the other is already up when the task is handed out again.
    workers = {name: _start_worker(tmp_path, own_redis.url, name) for name in ("one", "two")}
    try:
        with celery_broker(own_redis.url):
            result = services.submission_upload(
                practice=practice_a,
                kind="rvu_detail",
                period=period(),
                file=io.BytesIO(content),
                filename="rvu.csv",
            )
        assert result.queued
        submission = result.submission
        wait_for(lambda: lock_waiters(blocker, MONTHS), timeout=240, what="a worker to store")
        busy = wait_for(
            lambda: [n for n in workers if "received" in (tmp_path / f"{n}.log").read_text()],
            what="the busy worker's log",
        )[0]
        workers[busy].send_signal(signal.SIGKILL)  # mid-task
        workers[busy].wait(timeout=10)
        blocker.rollback()  # the dead worker's half-done store is rolled back by the server

        def done():
            return Submission.objects.for_practice(practice_a).get(pk=submission.pk).status in (
                "validated",
                "rejected",
            )

        try:
            wait_for(done, timeout=120, interval=0.3, what="the other worker to finish")
        except AssertionError:
            print(_logs(tmp_path))
            raise
    finally:
        blocker.close()
        for process in workers.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
    finished = Submission.objects.for_practice(practice_a).get(pk=submission.pk)
    assert finished.status == "validated", finished.progress_message
    assert finished.attempts == 2  # the killed run, then the one that took over
    assert RvuDetailMonth.objects.for_practice(practice_a).count() == 6
