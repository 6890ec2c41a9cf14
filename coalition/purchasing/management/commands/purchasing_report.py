"""purchasing_report --year YEAR --by practice|vendor|category|contract --format csv|xlsx:
spend, list total, savings and admin fees, one row per group (columns group, year, spend,
list_total, savings, admin_fees), written through the formula-safe writer."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coalition.purchasing import exports, selectors
from coalition.purchasing.models import PurchaseRecord


class Command(BaseCommand):
    help = "Spend, savings and admin fees by practice, vendor, category or contract for a year."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--by", choices=selectors.GROUPINGS, required=True)
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", dest="file_format")
        parser.add_argument(
            "--output", type=Path, help="File to write (default: standard output for CSV)."
        )

    def handle(self, *args, year: int, by: str, file_format: str, output: Path | None, **options):
        if not 2000 <= year <= 2100:
            raise CommandError("--year must be a four-digit year.")
        rows = selectors.spend_report(
            purchases=PurchaseRecord.objects.across_practices(), by=by, year=year
        )
        content = exports.file_bytes(
            [r.as_dict() for r in rows],
            selectors.REPORT_COLUMNS,
            file_format,
            title=f"purchasing by {by}",
        )
        if output is not None:
            output.write_bytes(content)
            self.stderr.write(f"{len(rows)} rows written to {output}.")
        elif file_format == "xlsx":
            if sys.stdout.isatty():
                raise CommandError("XLSX is binary: give --output FILE or redirect the output.")
            self.stdout.flush()
            sys.stdout.buffer.write(content)
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
