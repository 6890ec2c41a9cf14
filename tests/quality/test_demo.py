"""seed_demo's quality data: every practice gets the three quality files of the last finished
years, approved and current (small here; the demo itself loads 3,000 exams a year)."""

from __future__ import annotations

import pytest

from practices.submissions.models import Submission
from quality import demo
from quality.models import TurnaroundClassYear

pytestmark = pytest.mark.django_db


def test_demo_quality_files_import_and_are_current(practice_a, monkeypatch):
    monkeypatch.setattr(demo, "EXAMS_PER_YEAR", 300)
    assert demo.seed() == 3 * demo.DEMO_YEARS
    current = Submission.objects.for_practice(practice_a).filter(is_current=True)
    assert sorted(set(current.values_list("kind", flat=True))) == [
        "exam_turnaround",
        "peer_review",
        "quality_measure",
    ]
    summaries = TurnaroundClassYear.objects.for_practice(practice_a)
    assert sum(s.exam_count for s in summaries) == 300 * demo.DEMO_YEARS
    assert demo.seed() == 0  # idempotent
