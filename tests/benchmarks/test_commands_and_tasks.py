"""compute_benchmarks, export_benchmarks, the Celery task and the demo seed."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from benchmarks import demo, services
from benchmarks.models import BenchmarkCell, BenchmarkRelease, ReferenceFigure
from benchmarks.tasks import compute_release
from tests.benchmarks import factories

COLUMNS = [
    "metric",
    "year",
    "dimension",
    "value",
    "n_practices",
    "n_observations",
    "mean",
    "p10",
    "p25",
    "p50",
    "p75",
    "p90",
    "suppressed",
    "suppression_reason",
]


@pytest.fixture
def year_2022(db):
    members = factories.practices(8)
    return factories.coalition_year(
        members, year=2022, providers_per_practice=[3, 20, 12, 9, 15, 7, 11, 6], seed=5
    )


def test_compute_benchmarks_computes_a_draft(year_2022):
    out = io.StringIO()
    call_command("compute_benchmarks", "--year", "2022", stdout=out)
    release = BenchmarkRelease.objects.get(year=2022)
    assert release.status == "draft"
    assert (
        "2022 draft v1" in out.getvalue() and "from 16 submissions of 8 practices" in out.getvalue()
    )
    call_command("compute_benchmarks", "--year", "2022", "--publish", stdout=io.StringIO())
    release.refresh_from_db()
    assert release.status == "published"


def test_compute_benchmarks_refuses_to_publish_a_recent_year(db):
    factories.coalition_year(factories.practices(5), year=2100, providers_per_practice=2)
    with pytest.raises(CommandError, match="publishable from"):
        call_command("compute_benchmarks", "--year", "2100", "--publish", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("compute_benchmarks", "--year", "1999", stdout=io.StringIO())


def test_export_benchmarks_csv_has_the_spec_columns_and_blanks(year_2022, capsys):
    call_command("compute_benchmarks", "--year", "2022", "--publish", stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_benchmarks", "--year", "2022", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == COLUMNS
    release = BenchmarkRelease.objects.get(year=2022)
    assert len(rows) == BenchmarkCell.objects.filter(release=release).count()
    suppressed = [r for r in rows if r["suppressed"] == "true"]
    assert suppressed
    for row in suppressed:
        assert row["suppression_reason"]
        assert all(row[c] == "" for c in COLUMNS[4:12])
    partial = [r for r in rows if r["suppressed"] == "false" and r["suppression_reason"]]
    for row in partial:
        assert row["p10"] == row["p90"] == "" and row["p50"] != ""


def test_export_benchmarks_xlsx_to_a_file(year_2022, tmp_path):
    call_command("compute_benchmarks", "--year", "2022", "--publish", stdout=io.StringIO())
    target = tmp_path / "b.xlsx"
    call_command(
        "export_benchmarks",
        "--year",
        "2022",
        "--format",
        "xlsx",
        "--output",
        str(target),
        stderr=io.StringIO(),
    )
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert len(rows) > 50


def test_export_benchmarks_needs_a_published_release(year_2022):
    call_command("compute_benchmarks", "--year", "2022", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No published release"):
        call_command("export_benchmarks", "--year", "2022", "--format", "csv", stdout=io.StringIO())
    draft = BenchmarkRelease.objects.get(year=2022)
    out = io.StringIO()
    call_command(
        "export_benchmarks",
        "--year",
        "2022",
        "--format",
        "csv",
        "--release",
        str(draft.pk),
        stdout=out,
    )
    assert out.getvalue().startswith("metric,year,")


def test_task_is_queued_after_commit_and_is_idempotent(
    year_2022, django_capture_on_commit_callbacks, celery_results_dir
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        release = services.release_request(year=2022)
    assert release.status == "queued" and len(callbacks) == 1
    callbacks[0]()  # the eager task runs
    release.refresh_from_db()
    assert release.status == "draft"
    first = list(
        BenchmarkCell.objects.filter(release=release)
        .order_by("id")
        .values("metric", "dimension", "value", "p50", "mean", "suppressed")
    )
    assert compute_release.delay(release.pk).get() == "draft"
    again = list(
        BenchmarkCell.objects.filter(release=release)
        .order_by("id")
        .values("metric", "dimension", "value", "p50", "mean", "suppressed")
    )
    assert first == again
    services.release_publish(release=release, user=None, today=date(2024, 1, 1))
    assert compute_release.delay(release.pk).get() == "published"
    assert compute_release.delay(999_999).get() == "discarded"


def test_a_failing_computation_marks_the_release_failed(year_2022, monkeypatch):
    from benchmarks import engine

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(engine, "compute", broken)
    release = services.release_request(year=2022, enqueue=False)
    with pytest.raises(RuntimeError):
        services.release_compute(release_id=release.pk)
    release.refresh_from_db()
    assert release.status == "failed" and "disk on fire" in release.error


def test_demo_seeds_references_and_publishes_finished_years(year_2022):
    factories.coalition_year(
        list(factories.practices(6, prefix="late")), year=2026, providers_per_practice=3
    )
    assert demo.seed(today=date(2026, 5, 1)) == [2022]
    assert (
        ReferenceFigure.objects.filter(metric="wrvu_per_fte", statistic="p50").get().value == 10693
    )
    assert ReferenceFigure.objects.count() == 6
    assert demo.seed(today=date(2026, 5, 1)) == []  # idempotent
    assert ReferenceFigure.objects.count() == 6
    assert not BenchmarkRelease.objects.filter(year=2026).exists()
