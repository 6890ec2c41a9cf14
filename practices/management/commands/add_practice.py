"""add_practice SLUG --name NAME --state ST --radiologist-fte F"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from practices import services
from practices.models import Ownership, Practice
from practices.regions import TIME_ZONE_CHOICES


def _fte(value: str) -> Decimal:
    try:
        fte = Decimal(value)
    except InvalidOperation:
        raise CommandError(f"--radiologist-fte must be a number, not {value!r}.") from None
    if fte <= 0:
        raise CommandError("--radiologist-fte must be greater than 0.")
    return fte


class Command(BaseCommand):
    help = "Add a member practice (region and size band are derived from state and FTE)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--state", required=True, help="US postal code, e.g. OH")
        parser.add_argument("--radiologist-fte", required=True, type=_fte)
        parser.add_argument(
            "--ownership", choices=Ownership.values, default=Ownership.PHYSICIAN_OWNED
        )
        parser.add_argument(
            "--time-zone",
            choices=[code for code, _ in TIME_ZONE_CHOICES],
            default="",
            help="IANA zone exam times without an offset are read in (default: the state's).",
        )

    def handle(self, *args, slug, name, state, radiologist_fte, ownership, time_zone="", **options):
        if Practice.objects.filter(slug=slug).exists():
            raise CommandError(f"A practice with the slug {slug!r} already exists.")
        try:
            practice = services.practice_create(
                name=name,
                slug=slug,
                state=state,
                radiologist_fte=radiologist_fte,
                ownership=ownership,
                time_zone=time_zone,
            )
        except ValidationError as error:
            lines = [
                f"{field}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            ]
            raise CommandError("; ".join(lines)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {practice.name} ({practice.slug}): {practice.get_region_display()}, "
                f"{practice.get_size_band_display()}, {practice.time_zone}."
            )
        )
