"""import_safety_events --practice SLUG FILE: validate, import and approve a file of safety
events (the `safety_event` kind) as PSO staff would. A rejected file prints its error report
and exits non-zero; nothing is stored."""

from __future__ import annotations

from practices.submissions.management.commands import import_data


class Command(import_data.Command):
    help = "Validate, import and approve a CSV or XLSX file of safety events for a practice."

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True, help="The practice's slug.")
        parser.add_argument("file", help="Path of the CSV or XLSX file.")

    def handle(self, *args, **options):
        return super().handle(*args, kind="safety_event", **options)
