"""export_benchmarks --year YEAR --format csv|xlsx [--output FILE] [--release ID]: the year's
current published release (or the given release) as CSV or XLSX, one row per cell with the
columns of SPEC section 8; statistics are blank where suppressed."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from benchmarks import exports, selectors
from benchmarks.models import BenchmarkCell, BenchmarkRelease


class Command(BaseCommand):
    help = "Export a year's published benchmark cells as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["csv", "xlsx"], required=True, dest="file_format")
        parser.add_argument("--output", help="File to write (default: standard output for CSV).")
        parser.add_argument(
            "--release",
            type=int,
            help="A release id of the year, drafts included (default: the current published one).",
        )

    def handle(
        self, *args, year: int, file_format: str, output: str | None, release: int | None, **options
    ):
        if release is not None:
            chosen = BenchmarkRelease.objects.filter(pk=release, year=year).first()
            if chosen is None:
                raise CommandError(f"No release {release} for {year}.")
        else:
            chosen = selectors.current_published_releases().get(year)
            if chosen is None:
                raise CommandError(
                    f"No published release for {year}. Run compute_benchmarks --year {year} "
                    "--publish, or pass --release ID to export a draft."
                )
        cells = (
            BenchmarkCell.objects.filter(release=chosen)
            .select_related("release")
            .order_by("metric", "dimension", "value")
        )
        content = exports.file_bytes(
            selectors.export_rows(cells=cells), selectors.EXPORT_COLUMNS, file_format
        )
        if output:
            Path(output).write_bytes(content)
            self.stderr.write(f"Wrote {len(cells)} cells of {year} v{chosen.version} to {output}.")
        elif file_format == "csv":
            self.stdout.write(content.decode("utf-8"), ending="")
        else:
            if sys.stdout.isatty():
                raise CommandError("XLSX is binary: pass --output FILE.")
            sys.stdout.buffer.write(content)
