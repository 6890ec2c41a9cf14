"""Reporting and the workflow: every transition's rules, with nothing saved on bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from quality.pso import services
from quality.pso.models import CorrectiveAction, EventTransition, Lesson, SafetyEvent
from tests.pso.factories import GOOD, report


@pytest.fixture
def pso(make_staff):
    return make_staff("pso_staff")


@pytest.fixture
def pso_2(make_staff):
    return make_staff("pso_staff")


def _count(practice):
    return SafetyEvent.objects.for_practice(practice).count()


def test_report_records_the_event_and_its_first_transition(practice_a, viewer_a):
    event = report(practice_a, reporter=viewer_a)
    assert event.reference == "SE-2025-0001"
    assert event.status == "reported" and event.reporter == viewer_a
    assert event.harm_scale_version.endswith("v1.2")
    assert [f.code for f in event.contributing_factors.all()] == ["communication"]
    (transition,) = EventTransition.objects.for_practice(practice_a).filter(event=event)
    assert transition.to_status == "reported" and transition.by == viewer_a
    assert report(practice_a).reference == "SE-2025-0002"


def test_anonymous_report_stores_no_reporter_anywhere(practice_a, viewer_a):
    before = LogEntry.objects.count()
    event = report(practice_a, reporter=viewer_a, anonymous=True)
    assert event.reporter is None and event.anonymous
    assert EventTransition.objects.for_practice(practice_a).get(event=event).by is None
    new_entries = LogEntry.objects.all()[: LogEntry.objects.count() - before]
    assert all(entry.actor_id != viewer_a.pk for entry in new_entries)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"event_type": "bogus"}, "event_type"),
        ({"event_class": "accident"}, "event_class"),
        ({"harm": "catastrophic"}, "harm"),
        ({"modality": "XRAY"}, "modality"),
        ({"preventability": "maybe"}, "preventability"),
        ({"contributing_factors": ["luck"]}, "contributing_factors"),
        ({"discovered_on": timezone.localdate() + timedelta(days=1)}, "discovered_on"),
        ({"narrative": "Mrs. Alvarez had hives after contrast"}, "narrative"),
        ({"narrative": "Hives on 03/14/2025 after contrast"}, "narrative"),
    ],
)
def test_bad_report_is_a_field_error_and_stores_nothing(practice_a, change, field):
    with pytest.raises(ValidationError) as raised:
        report(practice_a, **change)
    assert field in raised.value.message_dict
    assert _count(practice_a) == 0


def test_narrative_error_names_kind_and_range_not_the_value(practice_a):
    with pytest.raises(ValidationError) as raised:
        report(practice_a, narrative="Hives after contrast in Mr. Alvarez")
    message = raised.value.message_dict["narrative"][0]
    assert "Alvarez" not in message and "a person's name at characters" in message


def test_peer_review_link_only_for_diagnostic_discrepancy(practice_a):
    with pytest.raises(ValidationError) as raised:
        report(practice_a, peer_review_score="3b")
    assert "peer_review_provider" in raised.value.message_dict
    event = report(practice_a, event_type="diagnostic_discrepancy", peer_review_score="3b")
    assert event.peer_review_score == "3b"


def _triaged(practice, pso, **kw):
    event = report(practice, **kw)
    return services.safety_event_triage(event=event, by=pso, likelihood="possible", owner=pso)


def test_triage_applies_the_risk_matrix_and_needs_pso_owner(practice_a, pso, admin_a):
    event = report(practice_a, harm="severe")
    with pytest.raises(ValidationError) as raised:
        services.safety_event_triage(event=event, by=pso, likelihood="likely", owner=admin_a)
    assert "owner" in raised.value.message_dict
    event = services.safety_event_triage(event=event, by=pso, likelihood="likely", owner=pso)
    assert (event.status, event.severity, event.owner) == ("triaged", "high", pso)
    assert report(practice_a, harm="none").severity == ""
    low = _triaged(practice_a, pso, harm="none")
    assert low.severity == "low"  # none (1) x possible (3) = 3


def test_transitions_not_allowed_from_the_current_state(practice_a, pso):
    event = report(practice_a)
    with pytest.raises(ValidationError):
        services.safety_event_start_analysis(event=event, by=pso)
    with pytest.raises(ValidationError):
        services.safety_event_close(event=event, by=pso, reason="no")
    with pytest.raises(ValidationError):
        services.safety_event_reopen(event=event, by=pso, reason="again")
    event.refresh_from_db()
    assert event.status == "reported"


def test_full_workflow_with_rca_actions_close_and_reopen(practice_a, pso, admin_a):
    event = _triaged(practice_a, pso)
    event = services.safety_event_start_analysis(event=event, by=pso)
    with pytest.raises(ValidationError) as raised:
        services.safety_event_analysis_update(
            event=event, by=pso, team="Dr. House", timeline="", causal_statements=""
        )
    assert "rca_team" in raised.value.message_dict
    services.safety_event_analysis_update(
        event=event,
        by=pso,
        team="Lead technologist, radiologist, nurse manager",
        timeline="Contrast given; reaction at ten minutes; treated.",
        causal_statements="No screening question on prior reactions -> reaction not foreseen.",
    )
    with pytest.raises(ValidationError):
        services.safety_event_plan_actions(event=event, by=pso)
    for missing in ({"owner": None}, {"due_on": None}):
        args = {
            "description": "Add a prior-reaction question to the screening form",
            "strength": "stronger",
            "owner": admin_a,
            "due_on": date(2030, 1, 1),
            **missing,
        }
        with pytest.raises(ValidationError):
            services.corrective_action_add(event=event, by=pso, **args)
    assert CorrectiveAction.objects.for_practice(practice_a).count() == 0
    action = services.corrective_action_add(
        event=event,
        by=pso,
        description="Add a prior-reaction question to the screening form",
        strength="stronger",
        owner=admin_a,
        due_on=date(2030, 1, 1),
    )
    event = services.safety_event_plan_actions(event=event, by=pso)
    assert event.status == "action_planned"
    services.corrective_action_complete(action=action, by=pso)
    event = services.safety_event_close(event=event, by=pso)
    assert event.status == "closed" and event.closed_at is not None
    with pytest.raises(ValidationError):
        services.safety_event_reopen(event=event, by=pso, reason="")
    event = services.safety_event_reopen(event=event, by=pso, reason="A second reaction")
    assert event.status == "under_analysis"
    moves = list(
        EventTransition.objects.for_practice(practice_a)
        .filter(event=event)
        .values_list("to_status", flat=True)
    )
    assert moves == [
        "reported",
        "triaged",
        "under_analysis",
        "action_planned",
        "closed",
        "under_analysis",
    ]


def test_close_without_action_needs_a_reason(practice_a, pso):
    event = services.safety_event_start_analysis(event=_triaged(practice_a, pso), by=pso)
    with pytest.raises(ValidationError) as raised:
        services.safety_event_close(event=event, by=pso)
    assert "reason" in raised.value.message_dict
    event = services.safety_event_close(event=event, by=pso, reason="Not a safety event")
    assert event.closure_reason == "Not a safety event"


def test_lessons_are_checked_and_reviewed_by_someone_else(pso, pso_2):
    with pytest.raises(ValidationError):
        services.lesson_create(by=pso, title="Ms. Smith", summary="x", event_type="fall", year=2025)
    lesson = services.lesson_create(
        by=pso,
        title="Falls from the table",
        summary="Lower the table before transfers.",
        event_type="fall",
        year=2025,
    )
    with pytest.raises(ValidationError):
        services.lesson_review(lesson=lesson, by=pso_2, approve=True)  # still a draft
    services.lesson_submit(lesson=lesson, by=pso)
    with pytest.raises(ValidationError):
        services.lesson_review(lesson=lesson, by=pso, approve=True)
    lesson = services.lesson_review(lesson=lesson, by=pso_2, approve=True)
    assert lesson.status == Lesson.Status.PUBLISHED and lesson.reviewed_by == pso_2


def test_good_report_fixture_is_clean(practice_a):
    assert report(practice_a, **GOOD).narrative.startswith("Hives")
