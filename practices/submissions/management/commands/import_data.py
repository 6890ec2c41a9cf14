"""import_data --practice SLUG --kind KIND FILE: validate, import and approve a file as an
analyst would. A rejected file prints its error report and exits non-zero."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.checks import Tags
from django.core.management.base import BaseCommand, CommandError

from coalition import spreadsheets
from practices.models import Practice
from practices.submissions import kinds, services

REPORT_LIMIT = 200
BAR_WIDTH = 30


class ProgressBar:
    """A one-line progress bar on standard error (one line per step when it is not a terminal)."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.monotonic()

    def __call__(self, percent: int, message: str) -> None:
        percent = max(0, min(100, percent))
        done = BAR_WIDTH * percent // 100
        elapsed = time.monotonic() - self.started
        line = f"[{'#' * done}{'.' * (BAR_WIDTH - done)}] {percent:3d}% {elapsed:6.1f}s {message}"
        if self.tty:
            self.stream.write(f"\r{line[:110]:<110}")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Validate, import and approve one data file (CSV or XLSX) for a practice."
    # The checks of the models it writes. The others (URLs, templates, settings) concern the
    # site, and checking the URLs imports every view: `manage.py check` and runserver run them.
    requires_system_checks = [Tags.models]

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True, help="The practice's slug.")
        parser.add_argument("--kind", required=True, choices=kinds.codes())
        parser.add_argument("file", help="Path of the CSV or XLSX file.")
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar on standard error."
        )

    def handle(self, *args, practice: str, kind: str, file: str, no_progress=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        found = Practice.objects.filter(slug=practice).first()
        if found is None:
            raise CommandError(f"No practice with the slug {practice!r}.")
        bar = None if no_progress else ProgressBar(sys.stderr)
        try:
            outcome = services.submission_import(
                practice=found, kind=kind, path=path, on_progress=bar
            )
        except services.ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        finally:
            if bar is not None:
                bar.close()
        if outcome.ok:
            self.stdout.write(outcome.message)
            return
        total = sum(outcome.counts.values())
        lines = [f"{path.name}: rejected with {total:,} error(s)."]
        lines += [f"  {code}: {count:,}" for code, count in outcome.counts.most_common()]
        # The same CSV as the page's error report, through the one formula-safe writer.
        lines += spreadsheets.csv_lines(
            (
                (issue.row_number, issue.column, issue.code, issue.message)
                for issue in outcome.errors[:REPORT_LIMIT]
            ),
            header=["row", "column", "error", "message"],
            line_terminator="",
        )
        if len(outcome.errors) > REPORT_LIMIT or total > len(outcome.errors):
            lines.append(f"... and {total - min(len(outcome.errors), REPORT_LIMIT):,} more.")
        self.stderr.write("\n".join(lines))
        raise CommandError("The file was rejected; nothing was stored.", returncode=2)
