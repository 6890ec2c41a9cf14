"""Helpers of the fault tests: a raw connection to the test database (to hold locks and end
other backends), a run of the import in a thread of its own, a Redis server the test starts and
stops itself, and pointing the project's Celery app at it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections


def wait_for(condition, *, timeout: float = 15.0, interval: float = 0.05, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what or condition}")


def raw_connection(*, autocommit: bool = True) -> psycopg.Connection:
    """A connection of its own to the test database, outside Django."""
    params = connection.settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=autocommit,
    )


def database_url() -> str:
    """The test database as a DATABASE_URL, for processes the test starts."""
    p = connection.settings_dict
    auth = p["USER"] + (f":{p['PASSWORD']}" if p["PASSWORD"] else "")
    return f"postgresql://{auth}@{p['HOST'] or '127.0.0.1'}:{p['PORT'] or 5432}/{p['NAME']}"


def lock_waiters(conn: psycopg.Connection, table: str) -> list[int]:
    """Backends waiting for a lock on the table."""
    return [
        row[0]
        for row in conn.execute(
            "SELECT pid FROM pg_locks WHERE NOT granted AND relation = %s::regclass", [table]
        )
    ]


class ThreadRun(threading.Thread):
    """Calls fn() in a thread with its own database connection; keeps the result or error."""

    def __init__(self, fn):
        super().__init__(daemon=True)
        self.fn = fn
        self.result = None
        self.error: BaseException | None = None

    def run(self):
        try:
            self.result = self.fn()
        except BaseException as error:  # the test inspects it
            self.error = error
        finally:
            connections.close_all()

    def finish(self, timeout: float = 30.0):
        self.join(timeout)
        assert not self.is_alive(), "the run did not finish"
        return self


def _free_port(first: int = 63790, last: int = 63990) -> int:
    for port in range(first, last):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for a Redis server")


class OwnRedis:
    """A redis-server on a free loopback port, started and stopped by the test."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_for(lambda: _pings(client), timeout=10, what="redis-server to start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def client(self):
        import redis

        return redis.Redis(port=self.port)


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:  # not up yet
        return False


def redis_server(tmp_path):
    """The body of an `own_redis` fixture (each test module declares it)."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def _reset_pools(app) -> None:
    # kombu keeps connection and producer pools per broker address, process-wide: close and
    # forget them all, so the next send connects afresh (a later test may reuse the port).
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def celery_broker(url: str):
    """The project's Celery app sends to this broker for real (not eagerly) meanwhile."""
    from coalition.celery import app

    conf = app.conf
    saved = conf.broker_url, conf.task_always_eager, conf.broker_transport_options
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    saved_env = os.environ.get("CELERY_BROKER_URL")
    _reset_pools(app)
    os.environ["CELERY_BROKER_URL"] = url
    conf.broker_url = url
    conf.task_always_eager = False
    conf.broker_transport_options = {"visibility_timeout": 600}
    try:
        yield app
    finally:
        _reset_pools(app)
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        conf.broker_url, conf.task_always_eager, conf.broker_transport_options = saved
