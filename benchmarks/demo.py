"""Demo benchmarks for seed_demo: the reference figures of SPEC section 4 and, where current
approved data exist, a published release for every finished (publishable) year. Idempotent."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from benchmarks import selectors, services
from benchmarks.rules import publishable_on


def seed(*, stdout=None, today: date | None = None) -> list[int]:
    """Returns the years published by this call."""
    today = today or timezone.localdate()
    services.reference_figures_seed()
    from practices.submissions.models import Submission

    years = sorted(
        set(
            Submission.objects.across_practices()
            .filter(is_current=True, status=Submission.Status.APPROVED)
            .values_list("period__year", flat=True)
        )
    )
    rules = selectors.rule_settings_current().as_ruleset()
    published = []
    current = selectors.current_published_releases()
    for year in years:
        if year in current or today < publishable_on(year, rules):
            continue
        release = services.release_request(year=year, enqueue=False)
        release = services.release_compute(release_id=release.pk)
        try:
            services.release_publish(release=release, user=None, today=today)
        except ValidationError as error:  # e.g. no usable records: leave the draft for staff
            if stdout is not None:
                stdout.write(f"{year} benchmarks left as a draft: {' '.join(error.messages)}\n")
            continue
        published.append(year)
    if stdout is not None and published:
        stdout.write(f"Published benchmark releases for {', '.join(map(str, published))}.\n")
    return published
