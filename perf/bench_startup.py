"""Command start-up, measured from the shell: what an operator waits for between pressing Enter
and getting the prompt back (process start, imports, Django set-up, system checks, the work,
exit), wall clock, each command a child process of its own.

1. `manage.py help` against a bare `django-admin help` (Django alone, no project settings).
   Target: within 2x. Measured beside them: the same `help` of the smallest Django project on
   PostgreSQL (contenttypes and auth, nothing else), the floor any Django project on this
   database stands on.
2. `manage.py import_data` of the 1,008,000-row rvu_detail file of perf/bench_ingest.py against
   a bare `psql \\copy` of the same file into a plain table of the same database. Target:
   within 3x.

Both sides of each pair run alternately, in the same run, on the same machine; the medians are
compared. `python -m perf.run_all startup` runs it.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELP_RUNS = 7
IMPORT_RUNS = 5
TARGET_HELP_RATIO = 2.0
TARGET_IMPORT_RATIO = 3.0
BARE_TABLE = "perf_startup_bare_rvu_detail"


def timed(command: list[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one child process, from its start to its exit."""
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - fixed commands built here
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stderr[-3000:]}")
    return elapsed


def environments(database_url: str) -> tuple[dict[str, str], dict[str, str]]:
    """(Django alone, the project): the bare side gets no project settings at all."""
    bare = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    project = {**os.environ, "DJANGO_SETTINGS_MODULE": "coalition.settings"}
    project["DATABASE_URL"] = database_url
    return bare, project


MINIMAL_SETTINGS = """
SECRET_KEY = "perf-startup-minimal-project"
USE_TZ = True
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "postgres"}}
"""


def measure_help(bare_env: dict[str, str], project_env: dict[str, str], folder: Path) -> dict:
    bin_dir = Path(sys.executable).parent
    django_admin = [str(bin_dir / "django-admin"), "help"]
    manage = [sys.executable, "manage.py", "help"]
    (folder / "perf_minimal_settings.py").write_text(MINIMAL_SETTINGS)
    minimal_env = {
        **bare_env,
        "DJANGO_SETTINGS_MODULE": "perf_minimal_settings",
        "PYTHONPATH": str(folder),
    }
    timed(django_admin, bare_env)  # the first run of each reads the files from disk
    timed(manage, project_env)
    timed(django_admin, minimal_env)
    bare, project, minimal = [], [], []
    for _ in range(HELP_RUNS):
        bare.append(timed(django_admin, bare_env))
        project.append(timed(manage, project_env))
        minimal.append(timed(django_admin, minimal_env))
    return {"bare": bare, "project": project, "minimal": minimal}


def measure_import(project_env: dict[str, str], database_url: str, csv_path: Path) -> dict:
    from perf.bench_ingest import _cleanup
    from practices import services as practice_services

    psql = shutil.which("psql")
    if psql is None:
        raise RuntimeError("psql (Debian package postgresql-client) is needed for the baseline")
    create = (
        f"DROP TABLE IF EXISTS {BARE_TABLE}; CREATE TABLE {BARE_TABLE} (provider_id text, "
        "service_month text, cpt_code text, modality text, units numeric, work_rvus numeric)"
    )
    copy = [
        psql,
        database_url,
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        f"\\copy {BARE_TABLE} FROM '{csv_path}' (FORMAT csv, HEADER true)",
    ]
    checkpoint = [psql, database_url, "-X", "-q", "-c", "CHECKPOINT"]
    bare, project, stamp = [], [], int(time.time())
    try:
        for run in range(IMPORT_RUNS):
            subprocess.run([psql, database_url, "-X", "-q", "-c", create], check=True)  # noqa: S603
            # Each timed command starts from a checkpoint: none pays for writing out the pages
            # the run before it (or its clean-up) left dirty.
            subprocess.run(checkpoint, check=True)  # noqa: S603
            bare.append(timed(copy, project_env))
            slug = f"perf-startup-{stamp}-{run}"
            practice_services.practice_create(
                name=f"Perf {slug}", slug=slug, state="OH", radiologist_fte=300
            )
            subprocess.run(checkpoint, check=True)  # noqa: S603
            try:
                command = [
                    sys.executable,
                    "manage.py",
                    "import_data",
                    "--practice",
                    slug,
                    "--kind",
                    "rvu_detail",
                    str(csv_path),
                ]
                project.append(timed(command, project_env))
            finally:
                _cleanup(slug)
            print(
                f"   run {run + 1}: psql \\copy {bare[-1]:.2f} s, import_data {project[-1]:.2f} s",
                flush=True,
            )
    finally:
        subprocess.run(  # noqa: S603
            [psql, database_url, "-X", "-q", "-c", f"DROP TABLE IF EXISTS {BARE_TABLE}"],
            check=False,
        )
    return {"bare": bare, "project": project}


def main() -> None:
    from django.db import connection

    from perf.bench_benchmarks import database_url_for
    from perf.bench_ingest import write_rvu_file
    from perf.report import write_section

    database_url = database_url_for(connection.settings_dict)
    bare_env, project_env = environments(database_url)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        help_runs = measure_help(bare_env, project_env, Path(folder))
        csv_path = Path(folder) / "rvu_detail.csv"
        rows = write_rvu_file(csv_path)
        size_mb = csv_path.stat().st_size / 1_000_000
        import_runs = measure_import(project_env, database_url, csv_path)
    load_after = os.getloadavg()

    def figures(runs: dict, target: float) -> tuple[float, float, float, str]:
        bare, project = statistics.median(runs["bare"]), statistics.median(runs["project"])
        ratio = project / bare
        return bare, project, ratio, "meets" if ratio <= target else "MISSES"

    h_bare, h_project, h_ratio, h_ok = figures(help_runs, TARGET_HELP_RATIO)
    i_bare, i_project, i_ratio, i_ok = figures(import_runs, TARGET_IMPORT_RATIO)
    h_minimal = statistics.median(help_runs["minimal"])
    m_ratio, p_over_minimal = h_minimal / h_bare, h_project / h_minimal

    def listing(values: list[float]) -> str:
        return ", ".join(f"{v:.2f}" for v in values)

    def load(values: tuple[float, float, float]) -> str:
        return " / ".join(f"{v:.1f}" for v in values)

    markdown = f"""## Command start-up, from the shell

`python -m perf.run_all startup` (part of `make perf`). Each command is a child process timed
by the wall clock from its start to its exit, as an operator waits for it: interpreter start,
imports, Django set-up, the system checks a command runs, the work, exit. Both sides of a pair
run alternately in the same run; medians are compared.

| command | median (s) | baseline | median (s) | ratio | target |
| --- | --- | --- | --- | --- | --- |
| `python manage.py help` | {h_project:.2f} | `django-admin help` (Django alone, no settings) | {h_bare:.2f} | **{h_ratio:.2f}x** | <= {TARGET_HELP_RATIO:.0f}x ({h_ok}) |
| `django-admin help` of the smallest Django project on PostgreSQL (the floor) | {h_minimal:.2f} | `django-admin help` (Django alone, no settings) | {h_bare:.2f} | **{m_ratio:.2f}x** | |
| `python manage.py import_data --practice P --kind rvu_detail FILE` | {i_project:.2f} | `psql URL -c "\\copy T FROM FILE (FORMAT csv, HEADER true)"` | {i_bare:.2f} | **{i_ratio:.2f}x** | <= {TARGET_IMPORT_RATIO:.0f}x ({i_ok}) |

- `help`: {HELP_RUNS} runs each after one unmeasured run: `manage.py help` {listing(help_runs["project"])} s;
  `django-admin help` {listing(help_runs["bare"])} s; the smallest project
  {listing(help_runs["minimal"])} s.
- The smallest Django project on PostgreSQL (settings: contenttypes and auth, one PostgreSQL
  database, nothing of this project) already takes {m_ratio:.2f}x the bare `django-admin help`:
  any project with models imports Django's ORM, and Django loads the database backend (psycopg
  and libpq) while it builds the first model. The project's `help` is {p_over_minimal:.2f}x that floor.
- `import_data`: the rvu_detail file of the ingest benchmark ({rows:,} rows, {size_mb:.1f} MB),
  imported, validated, stored and approved into a new practice each run; the baseline copies
  it into a plain table (text and numeric columns, no keys, no indexes) of the same database.
  Every timed command starts after a `CHECKPOINT`, so that none pays for writing out what the
  run before it left. {IMPORT_RUNS} runs each: `import_data` {listing(import_runs["project"])} s; `psql \\copy`
  {listing(import_runs["bare"])} s.
- Load average of the machine ({os.cpu_count()} cores; 1 / 5 / 15 minutes): {load(load_before)}
  before, {load(load_after)} after. Other work on the machine slows both sides, not always
  equally: compare figures of one run only.

What start-up costs and what was done about it: the install compiles bytecode (uv's
`--compile-bytecode` for the locked packages, `compileall` for the project's own packages in
`make install`, `make test`, `make run` and `make perf`), because with
`PYTHONDONTWRITEBYTECODE=1` Python never writes the `.pyc` files it would otherwise reuse, and
every process compiled every module from source; Django's set-up no longer imports Celery
(the tasks modules import the app), drf-spectacular (imported with the API's URLs, where the
schema is generated), polars and numpy (the upload kinds name their store and check functions
by path, imported on first use) or, through the views, openpyxl and Arrow (imported where a
template is written or a quoted file is read). `import_data` reads and validates the file once:
the rows it checked to find the file's year are the rows it stores. `manage.py` freezes the
garbage collector as a command ends: the interpreter's last collection otherwise walked every
object Django, polars and numpy had left, 0.1-0.2 s of every command on this machine (files
and database connections are still closed as their modules are cleared). Measure a command's imports with
`python -X importtime manage.py help` and its time with `python -m cProfile`.
"""
    write_section("startup", markdown)
    print(markdown)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")
    import django

    django.setup()
    main()
