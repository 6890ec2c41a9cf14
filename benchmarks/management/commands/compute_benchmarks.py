"""compute_benchmarks --year YEAR [--publish]: compute the year's draft release now (the same
service the Celery task runs), print its summary and, with --publish, publish it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from benchmarks import selectors, services
from benchmarks.models import BenchmarkCell
from benchmarks.rules import publishable_on


class Command(BaseCommand):
    help = "Compute the draft benchmark release of a year from the current approved submissions."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--publish", action="store_true", help="Publish the draft once computed."
        )

    def handle(self, *args, year: int, publish: bool, **options):
        try:
            release = services.release_request(year=year, enqueue=False)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        release = services.release_compute(release_id=release.pk)
        cells = BenchmarkCell.objects.filter(release=release)
        total = cells.count()
        suppressed = cells.filter(suppressed=True).count()
        partial = cells.filter(suppressed=False).exclude(suppression_reasons=[]).count()
        inputs = selectors.release_inputs(release=release)
        self.stdout.write(
            f"{year} draft v{release.version}: {total} cells ({suppressed} suppressed, {partial} "
            f"partly withheld) from {len(inputs)} submissions of "
            f"{len({i.practice_id for i in inputs})} practices in {release.compute_seconds:.2f} s. "
            f"Publishable from {publishable_on(year, release.rules):%Y-%m-%d}."
        )
        if publish:
            try:
                services.release_publish(release=release, user=None)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(f"Published {year} v{release.version}.")
