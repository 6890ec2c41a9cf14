"""export_safety_events --deidentified --format csv|json [--year YEAR] [--output FILE]: the
PSO's de-identified export (no practice, reporter, exam or provider identity; years only)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quality.pso import exports


class Command(BaseCommand):
    help = "Write the de-identified safety-event export (Common-Formats-like CSV or JSON)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--deidentified",
            action="store_true",
            help="Required: only a de-identified export is offered.",
        )
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--year", type=int, help="Only events discovered in this year.")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, deidentified: bool, format: str, year, output, **options):
        if not deidentified:
            raise CommandError(
                "Only a de-identified export is offered: add --deidentified. Identified "
                "safety events never leave the site."
            )
        data = (
            exports.deidentified_csv(year=year)
            if format == "csv"
            else exports.deidentified_json(year=year)
        )
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"Wrote {output}.")
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
