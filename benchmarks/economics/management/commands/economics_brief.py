"""economics_brief --practice SLUG --year YEAR --format pdf|xlsx|json [--scenario NAME]
[--output FILE]: the practice's hospital-support brief for the year. JSON goes to standard
output unless --output is given; PDF and XLSX need --output (or are written to
SLUG-economics-YEAR.FORMAT in the current directory). Exits non-zero with the message when
the practice, its approved financials or the named scenario are missing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from benchmarks.economics import brief, selectors
from benchmarks.economics.calculations import EconomicsError


class Command(BaseCommand):
    help = "Write a practice's hospital-support brief (PDF, XLSX or JSON) for a year."

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True, help="The practice's slug.")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--format", choices=sorted(brief.FORMATS), required=True, dest="file_format"
        )
        parser.add_argument("--scenario", help="Only this saved scenario (by name).")
        parser.add_argument("--output", help="File to write.")

    def handle(
        self,
        *args,
        practice: str,
        year: int,
        file_format: str,
        scenario: str | None,
        output: str | None,
        **options,
    ):
        from practices.models import Practice

        found = Practice.objects.filter(slug=practice).first()
        if found is None:
            raise CommandError(f"No practice with the slug {practice!r}.")
        try:
            model = selectors.economics_model(practice=found, year=year, scenario_name=scenario)
        except EconomicsError as error:
            raise CommandError(str(error)) from None
        content = brief.brief_bytes(model, file_format)
        if output is None and file_format == "json":
            self.stdout.write(content.decode())
            return
        path = Path(output or brief.filename(model, file_format))
        path.write_bytes(content)
        self.stderr.write(f"Wrote {path} ({len(content):,} bytes).")
