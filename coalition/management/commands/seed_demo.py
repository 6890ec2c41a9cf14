"""seed_demo: a realistic synthetic coalition, so the site has something to show.

Idempotent: running it again leaves existing demo practices and users as they are.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from benchmarks import demo as benchmarks_demo
from benchmarks.economics import demo as economics_demo
from coalition.purchasing import demo as purchasing_demo
from coalition.services import staff_groups_ensure
from practices import services
from practices.models import Ownership, Practice, Role
from practices.submissions import demo as submissions_demo
from quality import demo as quality_demo
from quality.pso import demo as pso_demo

DEMO_PASSWORD = "coalition-demo-2026"

# (name, state, radiologist FTE): spread over the four Census regions and all size bands.
DEMO_PRACTICES = [
    ("Allegheny Valley Radiology", "PA", "42.5"),
    ("Bay State Imaging Associates", "MA", "118.0"),
    ("Hudson Diagnostic Radiology", "NY", "76.0"),
    ("Granite Peak Radiology", "NH", "14.0"),
    ("Shoreline Radiology Group", "CT", "31.5"),
    ("Lakeshore Imaging Physicians", "IL", "164.0"),
    ("Buckeye Radiology Partners", "OH", "58.0"),
    ("Prairie Radiology Consultants", "KS", "22.0"),
    ("Twin Cities Radiology", "MN", "95.0"),
    ("Great Lakes Imaging", "MI", "47.0"),
    ("Heartland Radiology", "NE", "18.5"),
    ("Gateway Radiology Associates", "MO", "66.0"),
    ("Tidewater Radiology", "VA", "39.0"),
    ("Piedmont Imaging Physicians", "NC", "88.0"),
    ("Gulf Coast Radiology", "TX", "212.0"),
    ("Bluegrass Radiology Group", "KY", "27.0"),
    ("Sunshine State Imaging", "FL", "134.0"),
    ("Magnolia Radiology", "MS", "12.0"),
    ("Chesapeake Diagnostic Imaging", "MD", "53.0"),
    ("Cascade Radiology", "WA", "71.0"),
    ("Front Range Radiology", "CO", "44.0"),
    ("Pacific Coast Imaging", "CA", "245.0"),
    ("Desert Sky Radiology", "AZ", "36.0"),
    ("Wasatch Imaging Associates", "UT", "29.0"),
    ("Willamette Radiology", "OR", "16.5"),
]

STAFF_USERS = [
    ("admin@coalition.example", "Ada Administrator", None),
    ("analyst@coalition.example", "Ana Analyst", "analyst"),
    ("pso@coalition.example", "Pat Safety", "pso_staff"),
    ("pso-reviewer@coalition.example", "Rene Reviewer", "pso_staff"),
    ("purchasing@coalition.example", "Paul Purchasing", "purchasing"),
]

FIRST = ["Maria", "James", "Priya", "Wei", "Carlos", "Emily", "Olu", "Sarah", "David", "Aisha"]
LAST = ["Nguyen", "Patel", "Johnson", "Garcia", "Kim", "Okafor", "Miller", "Chen", "Brown"]


def slugify_name(name: str) -> str:
    return "-".join(name.lower().replace("&", "and").split())[:60]


class Command(BaseCommand):
    help = "Load a synthetic coalition: ~25 practices, users for every role, staff accounts."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD)
        parser.add_argument(
            "--people-only",
            action="store_true",
            help="Only practices, users and staff; no submissions or benchmark releases.",
        )

    def handle(self, *args, password: str, people_only: bool = False, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo loads made-up data; it does not run in production.")
        rng = random.Random(2026)
        with transaction.atomic():
            groups = staff_groups_ensure()
            self._staff(password, groups)
            for index, (name, state, fte) in enumerate(DEMO_PRACTICES):
                self._practice(index, name, state, Decimal(fte), password, rng)
        self._print_logins(password)
        if people_only:
            return
        submissions_demo.seed(stdout=self.stdout)
        quality_demo.seed(stdout=self.stdout)
        benchmarks_demo.seed(stdout=self.stdout)
        pso_demo.seed(stdout=self.stdout)
        purchasing_demo.seed(stdout=self.stdout)
        economics_demo.seed(stdout=self.stdout)

    def _user(self, email: str, full_name: str, password: str, **flags):
        user_model = get_user_model()
        user = user_model.objects.filter(email=email).first()
        if user is None:
            user = user_model.objects.create_user(
                email=email, password=password, full_name=full_name, **flags
            )
        return user

    def _staff(self, password: str, groups: dict[str, Group]) -> None:
        for email, full_name, group in STAFF_USERS:
            if group is None:
                user = self._user(email, full_name, password, is_staff=True, is_superuser=True)
            else:
                user = self._user(email, full_name, password)
                user.groups.add(groups[group])

    def _practice(self, index, name, state, fte, password, rng) -> None:
        slug = slugify_name(name)
        practice = Practice.objects.filter(slug=slug).first()
        if practice is None:
            practice = services.practice_create(
                name=name,
                slug=slug,
                state=state,
                radiologist_fte=fte,
                ownership=Ownership.PHYSICIAN_OWNED_PE
                if index % 7 == 3
                else Ownership.PHYSICIAN_OWNED,
                joined_on=date(2018 + index % 7, 1 + index % 12, 1),
            )
        domain = slug.replace("-", "") + ".example"
        for role in (Role.PRACTICE_ADMIN, Role.SUBMITTER, Role.VIEWER):
            email = f"{role.value.replace('_', '-')}@{domain}"
            full_name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            user = self._user(email, full_name, password)
            if not practice.memberships.filter(user=user).exists():
                services.membership_create(practice=practice, user=user, role=role)

    def _print_logins(self, password: str) -> None:
        first = slugify_name(DEMO_PRACTICES[0][0]).replace("-", "") + ".example"
        second = slugify_name(DEMO_PRACTICES[1][0]).replace("-", "") + ".example"
        lines = [
            "",
            f"Demo coalition loaded: {Practice.objects.count()} practices. Password for every "
            f"demo account: {password}",
            "  Practice users (practice-admin@, submitter@, viewer@ at every practice's domain):",
            f"    practice-admin@{first}   submitter@{first}   viewer@{first}",
            f"    practice-admin@{second}",
            "  Coalition staff (asked to set up two-factor sign-in on first visit):",
        ]
        lines += [f"    {email}  ({group or 'administrator'})" for email, _, group in STAFF_USERS]
        self.stdout.write("\n".join(lines) + "\n")
