"""De-identified trends: no count from fewer practices than the rules' minimum, nor one that
could be worked out from what is shown; PSO staff see all."""

from __future__ import annotations

from datetime import date

import pytest

from quality.pso import selectors
from tests.factories import PracticeFactory
from tests.pso.factories import report


@pytest.fixture
def coalition(db):
    practices = [PracticeFactory(slug=f"p{i}") for i in range(7)]
    # falls: 6 practices; contrast reactions: 5 practices; wrong_side: 1 practice (2 events);
    # mri_safety: 1 practice.
    for practice in practices[:6]:
        report(practice, event_type="fall", harm="none")
    for practice in practices[:5]:
        report(practice, event_type="contrast_reaction", harm="mild")
    report(practices[6], event_type="wrong_side", harm="moderate")
    report(practices[6], event_type="wrong_side", harm="moderate")
    report(practices[5], event_type="mri_safety", harm="severe")
    return practices


def _shown(cells):
    return {code: row[2025].count for code, row in cells.items() if row[2025].shown}


def test_member_sees_only_counts_from_enough_practices(coalition):
    trends = selectors.coalition_trends(viewer_practice=coalition[0])
    shown = _shown(trends.by_type)
    assert shown.get("fall") == 6
    assert "wrong_side" not in shown and "mri_safety" not in shown
    assert trends.by_type["wrong_side"][2025].reason.startswith("fewer than")


def test_withheld_cells_cannot_be_recovered_from_the_total(coalition):
    trends = selectors.coalition_trends(viewer_practice=coalition[0])
    shown = _shown(trends.by_type)
    hidden = [code for code, row in trends.by_type.items() if not row[2025].shown]
    # wrong_side and mri_safety together come from 2 practices: the total minus the shown
    # counts would give their sum, so the next smallest cell is withheld too.
    assert shown == {"fall": 6}
    assert trends.by_type["contrast_reaction"][2025].reason == "complementary"
    behind_hidden = {
        e.practice_id for e in selectors.staff_events().filter(event_type_id__in=hidden)
    }
    assert trends.totals[2025].shown
    assert len(behind_hidden) >= trends.min_practices
    harm_shown = _shown(trends.by_harm)
    assert "moderate" not in harm_shown and "severe" not in harm_shown
    harm_hidden = [code for code, row in trends.by_harm.items() if not row[2025].shown]
    behind = {e.practice_id for e in selectors.staff_events().filter(harm__in=harm_hidden)}
    assert len(behind) >= trends.min_practices


def test_pso_staff_see_every_count(coalition):
    trends = selectors.coalition_trends(viewer_practice=None, staff=True)
    assert _shown(trends.by_type) == {
        "fall": 6,
        "contrast_reaction": 5,
        "wrong_side": 2,
        "mri_safety": 1,
    }
    assert trends.totals[2025].count == 14


def test_own_counts_are_shown_to_the_member(coalition):
    trends = selectors.coalition_trends(viewer_practice=coalition[6])
    assert trends.own_by_type["wrong_side"] == {2025: 2}


def test_dates_are_reduced_to_years(coalition):
    report(coalition[0], discovered_on=date(2024, 12, 31))
    trends = selectors.coalition_trends(viewer_practice=None, staff=True)
    assert trends.years == [2024, 2025]
