"""Quality benchmark (issue 9, section 5), two measurements in one run:

1. Ingest: an exam_turnaround CSV of QUALITY_PERF_EXAMS rows (5,000,000 by default) through
   `manage.py import_data`, command start to exit, in a process started by a small launcher
   (so that its peak resident memory is its own), against a bare PostgreSQL COPY of the same
   file into a plain table. Targets: at most 3x the COPY, peak memory under 1 GB.
2. Release: a release of the year over QUALITY_PERF_PRACTICES practices (40) x
   QUALITY_PERF_EXAMS_PER_PRACTICE exams (1,000,000), against a polars script computing the same
   per-practice medians (per patient class) from the same files. Target: the release costs no
   more than the script. The practices' data are stored through the kind's own store function
   (the histograms and year summaries an import writes); the release then reads only those.

`python -m perf.run_all quality` runs it; smaller sizes through the environment variables, and
QUALITY_PERF_PARTS=ingest (or release) runs one part only: its rows of the docs/performance.md
section are rewritten and the other part's rows are kept as they were.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMS = int(os.environ.get("QUALITY_PERF_EXAMS", 5_000_000))
PRACTICES = int(os.environ.get("QUALITY_PERF_PRACTICES", 40))
EXAMS_PER_PRACTICE = int(os.environ.get("QUALITY_PERF_EXAMS_PER_PRACTICE", 1_000_000))
YEAR = 2019  # a year no demo data or published release uses
TARGET_INGEST_RATIO = 3.0
TARGET_PEAK_MB = 1024
TARGET_RELEASE_RATIO = 1.0
SLUG = "perf-quality"
PARTS = [part.strip() for part in os.environ.get("QUALITY_PERF_PARTS", "ingest,release").split(",")]


LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    json.dump({"status": status, "seconds": seconds, "maxrss_kb": usage.ru_maxrss}, out)
"""


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def bare_copy_seconds(path: Path, rows: int) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS perf_bare_exam_turnaround")
        cursor.execute(
            "CREATE TABLE perf_bare_exam_turnaround (exam_id text, modality text, "
            "patient_class text, priority text, completed_at timestamptz, "
            "finalized_at timestamptz)"
        )
        started = time.perf_counter()
        with (
            path.open("rb") as handle,
            cursor.cursor.copy(
                "COPY perf_bare_exam_turnaround FROM STDIN (FORMAT csv, HEADER true)"
            ) as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM perf_bare_exam_turnaround")
        assert cursor.fetchone()[0] == rows
        cursor.execute("DROP TABLE perf_bare_exam_turnaround")
    return elapsed


def _practice(slug: str, index: int = 0):
    from practices import services
    from practices.models import Practice

    practice = Practice.objects.filter(slug=slug).first()
    if practice is None:
        states = ["NY", "OH", "TX", "CA"]
        practice = services.practice_create(
            name=f"Perf quality {slug}",
            slug=slug,
            state=states[index % 4],
            radiologist_fte=[12, 30, 70, 140][(index // 4) % 4],
        )
    return practice


def _cleanup(prefix: str) -> None:
    from django.db import connection

    from benchmarks.models import BenchmarkRelease
    from practices.models import Practice
    from practices.submissions.models import Submission

    BenchmarkRelease.objects.filter(year=YEAR).exclude(status="published").delete()
    for practice in Practice.objects.filter(slug__startswith=prefix):
        Submission.objects.for_practice(practice).delete()
        practice.delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM quality_turnaroundgroup")


def _write_exams(frame, path: Path) -> None:
    """The file demo.exam_turnaround_csv would write (its values need neither quoting nor the
    formula guard), written by polars: the row-by-row writer takes minutes for millions."""
    import polars as pl

    from quality.schemas import EXAM_TURNAROUND

    frame.with_columns(
        pl.col("exam_id").cast(pl.String),
        *[
            pl.from_epoch(pl.col(c), time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias(c)
            for c in ("completed_at", "finalized_at")
        ],
    ).select(EXAM_TURNAROUND.column_names).write_csv(path, line_terminator="\n")


def ingest(workdir: Path) -> dict:
    from quality import demo

    path = workdir / "exam_turnaround.csv"
    started = time.perf_counter()
    _write_exams(demo.exam_frame(year=YEAR, exams=EXAMS, seed=9), path)
    print(f"  wrote {EXAMS:,} exams in {time.perf_counter() - started:.1f}s", flush=True)
    _cleanup(SLUG)
    _practice(SLUG)
    copy_seconds = bare_copy_seconds(path, EXAMS)
    command = [
        sys.executable,
        "manage.py",
        "import_data",
        "--practice",
        SLUG,
        "--kind",
        "exam_turnaround",
        str(path),
    ]
    load_before = _load()
    # A year of a large practice is over the default upload limit (100 MB): an operator
    # importing it raises SUBMISSION_MAX_UPLOAD_BYTES, as here.
    env = {**os.environ, "SUBMISSION_MAX_UPLOAD_BYTES": str(2 * 10**9)}
    figures = workdir / "command.json"
    # The command is started by a small launcher process: a child forked from this process
    # (which holds the generated exams) would report this process's resident memory as its
    # own peak. The launcher times the command from its start to its exit.
    process = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-c", LAUNCHER, str(figures), *command],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        env=env,
        check=False,
    )
    output = process.stdout.decode()
    measured = json.loads(figures.read_text())
    if measured["status"] != 0:
        raise RuntimeError(f"import_data failed ({measured['status']}): {output[-2000:]}")
    import_seconds = measured["seconds"]
    peak_mb = measured["maxrss_kb"] / 1024
    result = {
        "rows": EXAMS,
        "file_mb": path.stat().st_size / 1e6,
        "copy_seconds": copy_seconds,
        "import_seconds": import_seconds,
        "ratio": import_seconds / copy_seconds,
        "peak_mb": peak_mb,
        "load": f"{load_before} before, {_load()} after",
        "output": output.strip().splitlines()[-1] if output.strip() else "",
        "command": " ".join(["manage.py", *command[2:-1], "exam_turnaround.csv"]),
    }
    path.unlink()
    _cleanup(SLUG)
    return result


def release(workdir: Path) -> dict:
    import polars as pl
    from django.db import transaction

    from benchmarks import services
    from practices.submissions.models import ReportingPeriod, Submission
    from practices.submissions.validation import Validated
    from quality import demo, storage

    _cleanup(f"{SLUG}-r")
    period, _ = ReportingPeriod.objects.get_or_create(year=YEAR, defaults={"status": "closed"})
    files = []
    started = time.perf_counter()
    for index in range(PRACTICES):
        practice = _practice(f"{SLUG}-r{index}", index)
        frame = demo.exam_frame(
            year=YEAR, exams=EXAMS_PER_PRACTICE, seed=100 + index, speed=0.7 + index / PRACTICES
        )
        path = workdir / f"practice-{index}.csv"
        path.write_bytes(demo.exam_turnaround_csv(frame))
        files.append(path)
        validated = Validated(
            frame=frame.with_columns(
                (pl.col("completed_at") * 1_000_000).alias("completed_at"),
                (pl.col("finalized_at") * 1_000_000).alias("finalized_at"),
            )
        )
        with transaction.atomic():
            submission = Submission.objects.create(
                practice=practice,
                period=period,
                kind="exam_turnaround",
                version=1,
                status=Submission.Status.APPROVED,
                is_current=True,
                original_filename=path.name,
                sha256=f"{index:064d}",
                size_bytes=path.stat().st_size,
                row_count=frame.height,
            )
            storage.store_exam_turnaround(validated, submission=submission)
    print(
        f"  stored {PRACTICES} x {EXAMS_PER_PRACTICE:,} exams in "
        f"{time.perf_counter() - started:.1f}s",
        flush=True,
    )

    # The polars script: per practice and class, the median turnaround in minutes, from the
    # files (times parsed, real elapsed time).
    load_before = _load()
    started = time.perf_counter()
    medians = []
    for index, path in enumerate(files):
        exams = pl.scan_csv(path).select(
            pl.col("patient_class"),
            (
                pl.col("finalized_at").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC")
                - pl.col("completed_at").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC")
            )
            .dt.total_seconds()
            .alias("seconds"),
        )
        medians.append(
            exams.group_by("patient_class")
            .agg((pl.col("seconds") / 60).median().alias("median_minutes"))
            .with_columns(pl.lit(index).alias("practice"))
            .collect()
        )
    script = pl.concat(medians)
    script_seconds = time.perf_counter() - started

    started = time.perf_counter()
    draft = services.release_request(year=YEAR, enqueue=False)
    draft = services.release_compute(release_id=draft.pk)
    release_seconds = time.perf_counter() - started
    from benchmarks.models import BenchmarkCell

    cell = BenchmarkCell.objects.get(
        release=draft, metric="tat_median_minutes_ed", dimension="all", value="all"
    )
    script_ed = script.filter(pl.col("patient_class") == "ED")["median_minutes"]
    same = abs(float(cell.p50) - float(script_ed.median())) < 0.001 if cell.p50 else None
    for path in files:
        path.unlink()
    _cleanup(f"{SLUG}-r")
    return {
        "practices": PRACTICES,
        "exams": EXAMS_PER_PRACTICE,
        "script_seconds": script_seconds,
        "release_seconds": release_seconds,
        "ratio": release_seconds / script_seconds,
        "same_median": same,
        "load": f"{load_before} before, {_load()} after",
    }


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _ingest_markdown(first: dict) -> str:
    return f"""
## Quality: exam turnaround ingest

`QUALITY_PERF_PARTS=ingest python -m perf.run_all quality` (perf/bench_quality.py; size:
QUALITY_PERF_EXAMS). The command, `{first["command"]}` (SUBMISSION_MAX_UPLOAD_BYTES raised to
2 GB), runs in its own process, timed from its start to its exit by a small launcher process,
whose wait4 gives the command's peak resident memory.

| measurement | figure |
| --- | --- |
| exam_turnaround file | {first["rows"]:,} rows, {first["file_mb"]:.0f} MB |
| bare COPY into a plain table | {first["copy_seconds"]:.1f} s |
| `manage.py import_data`, command start to exit | {first["import_seconds"]:.1f} s |
| ratio (target at most {TARGET_INGEST_RATIO:.0f}x) | **{first["ratio"]:.2f}x**, {_verdict(first["ratio"] <= TARGET_INGEST_RATIO)} |
| peak resident memory of the command (target under 1 GB) | **{first["peak_mb"]:.0f} MB**, {_verdict(first["peak_mb"] < TARGET_PEAK_MB)} |
| load average during the import | {first["load"]} |

The machine is shared (2 cores, other work running): the load averages show how busy it was.
The file is read in batches of 32 MB and checked batch by batch; the exams become per-group
histograms and keyed tags (docs/quality.md), so the stored rows are a few hundred.
"""


def _release_markdown(second: dict) -> str:
    return f"""
## Quality: the quality release

`QUALITY_PERF_PARTS=release python -m perf.run_all quality` (perf/bench_quality.py; sizes:
QUALITY_PERF_PRACTICES, QUALITY_PERF_EXAMS_PER_PRACTICE).

| measurement | figure |
| --- | --- |
| release over {second["practices"]} practices x {second["exams"]:,} exams | {second["release_seconds"]:.2f} s |
| polars script, per-practice medians from the same files | {second["script_seconds"]:.2f} s |
| ratio (target at most {TARGET_RELEASE_RATIO:.0f}x) | **{second["ratio"]:.3f}x**, {_verdict(second["ratio"] <= TARGET_RELEASE_RATIO)} |
| release's ED median of practice medians equals the script's | {second["same_median"]} |
| load average during the release | {second["load"]} |

The machine is shared (2 cores, other work running): the load averages show how busy it was.
The release reads the year summaries stored at import (three rows per practice-year), never the
exams; the script parses every exam of every file.
"""


def main() -> None:
    from perf.report import write_section

    with tempfile.TemporaryDirectory(prefix="perf-quality-") as folder:
        workdir = Path(folder)
        if "ingest" in PARTS:
            first = ingest(workdir)
            print(f"  ingest: {first}", flush=True)
            write_section("quality_ingest", _ingest_markdown(first))
        if "release" in PARTS:
            second = release(workdir)
            print(f"  release: {second}", flush=True)
            write_section("quality", _release_markdown(second))


if __name__ == "__main__":
    main()
