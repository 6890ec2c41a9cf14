"""import_data --practice SLUG --kind KIND FILE: validate, import and approve a file as an
analyst would. A rejected file prints its error report and exits non-zero."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from practices.models import Practice
from practices.submissions import kinds, services

REPORT_LIMIT = 200


class Command(BaseCommand):
    help = "Validate, import and approve one data file (CSV or XLSX) for a practice."

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True, help="The practice's slug.")
        parser.add_argument("--kind", required=True, choices=kinds.codes())
        parser.add_argument("file", help="Path of the CSV or XLSX file.")

    def handle(self, *args, practice: str, kind: str, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        found = Practice.objects.filter(slug=practice).first()
        if found is None:
            raise CommandError(f"No practice with the slug {practice!r}.")
        try:
            outcome = services.submission_import(practice=found, kind=kind, path=path)
        except services.ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        if outcome.ok:
            self.stdout.write(outcome.message)
            return
        total = sum(outcome.counts.values())
        lines = [f"{path.name}: rejected with {total:,} error(s)."]
        lines += [f"  {code}: {count:,}" for code, count in outcome.counts.most_common()]
        lines.append("row,column,error,message")
        for issue in outcome.errors[:REPORT_LIMIT]:
            lines.append(f"{issue.row_number or ''},{issue.column},{issue.code},{issue.message}")
        if len(outcome.errors) > REPORT_LIMIT or total > len(outcome.errors):
            lines.append(f"... and {total - min(len(outcome.errors), REPORT_LIMIT):,} more.")
        self.stderr.write("\n".join(lines))
        raise CommandError("The file was rejected; nothing was stored.", returncode=2)
