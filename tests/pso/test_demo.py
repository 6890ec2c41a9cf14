from __future__ import annotations

import random

from quality.pso import demo, selectors
from quality.pso.models import Lesson, SafetyEvent
from tests.factories import MembershipFactory, PracticeFactory


def test_demo_year_of_events_is_realistic_and_idempotent(db, make_staff):
    for index in range(3):
        MembershipFactory(practice=PracticeFactory(slug=f"demo-{index}"), role="practice_admin")
    make_staff("pso_staff")
    make_staff("pso_staff")
    created = demo.seed(year=2025, rng=random.Random(1))
    assert created >= 6
    events = SafetyEvent.objects.across_practices()
    assert events.count() == created
    assert {e.discovered_on.year for e in events} == {2025}
    assert events.exclude(status="reported").exists()
    assert Lesson.objects.filter(status="published").count() == 2
    assert demo.seed(year=2025) == 0  # nothing added twice
    assert (
        selectors.coalition_trends(viewer_practice=None, staff=True).totals[2025].count == created
    )
