"""Writes of the PSO: reporting, the workflow, analysis, corrective actions, access records
and lessons. Each transition is one service with its rules, recorded as an EventTransition.

Errors are django ValidationErrors keyed by field, so pages and the API can show them next to
the field; nothing is saved when one is raised.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from coalition.models import User
from practices.models import Practice
from quality.pso import vocabularies as V
from quality.pso.identifiers import find_identifiers, identifier_message
from quality.pso.models import (
    ContributingFactor,
    CorrectiveAction,
    EventAccess,
    EventTransition,
    EventType,
    Lesson,
    SafetyEvent,
)

PSO_PERMISSION = "pso.manage_safety_events"
LESSON_PERMISSION = "pso.publish_lesson"


def is_pso_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(PSO_PERMISSION))


def check_text(errors: dict, field: str, text: str) -> None:
    """Refuse text holding a patient identifier: the kind and the characters, never the value."""
    findings = find_identifiers(text or "")
    if findings:
        errors[field] = identifier_message(findings)


def _choice(errors: dict, field: str, value, allowed: Iterable[str], what: str) -> None:
    allowed = list(allowed)
    if value not in allowed:
        errors[field] = f"Unknown {what}: use one of {', '.join(allowed)}."


def event_fields_check(data: dict, *, today: date | None = None) -> dict:
    """The field errors of an event's reported fields ({} when none)."""
    today = today or timezone.localdate()
    errors: dict = {}
    _choice(errors, "event_class", data.get("event_class"), V.EventClass.values, "event class")
    types = set(EventType.objects.filter(active=True).values_list("code", flat=True))
    _choice(errors, "event_type", data.get("event_type"), sorted(types), "event type")
    _choice(errors, "harm", data.get("harm"), V.Harm.values, "harm level")
    _choice(errors, "modality", data.get("modality"), V.MODALITIES, "modality")
    if data.get("patient_class"):
        _choice(errors, "patient_class", data.get("patient_class"), V.PatientClass.values, "class")
    _choice(errors, "preventability", data.get("preventability"), V.Preventability.values, "value")
    discovered = data.get("discovered_on")
    if not isinstance(discovered, date):
        errors["discovered_on"] = "Give the date the event was discovered (YYYY-MM-DD)."
    elif discovered > today:
        errors["discovered_on"] = "The date is in the future."
    factors = list(data.get("contributing_factors") or [])
    known = set(ContributingFactor.objects.filter(active=True).values_list("code", flat=True))
    unknown = [f for f in factors if f not in known]
    if unknown:
        errors["contributing_factors"] = (
            f"Unknown contributing factor(s): use {', '.join(sorted(known))}."
        )
    pses = data.get("pses_entry_date")
    if isinstance(pses, date) and pses > today:
        errors["pses_entry_date"] = "The date is in the future."
    check_text(errors, "narrative", data.get("narrative", ""))
    if data.get("peer_review_provider") is not None or data.get("peer_review_score"):
        if data.get("event_type") != "diagnostic_discrepancy":
            errors["peer_review_provider"] = (
                "Only a diagnostic discrepancy links to a peer-review finding."
            )
        if data.get("peer_review_score") and data["peer_review_score"] not in (
            V.PeerReviewScore.values
        ):
            errors["peer_review_score"] = "Use a RADPEER major discrepancy score: 2b, 3a or 3b."
    return errors


def _next_reference(practice: Practice, year: int) -> str:
    prefix = f"SE-{year}-"
    last = (
        SafetyEvent.objects.for_practice(practice)
        .filter(reference__startswith=prefix)
        .aggregate(last=Max("reference"))["last"]
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _transition(event: SafetyEvent, *, to: str, by, reason: str = "", was: str = "") -> None:
    EventTransition.objects.create(
        practice=event.practice, event=event, from_status=was, to_status=to, by=by, reason=reason
    )


@transaction.atomic
def safety_event_report(
    *,
    practice: Practice,
    reporter: User | None,
    anonymous: bool = False,
    data: dict,
    source: str = SafetyEvent.Source.WEB,
    submission=None,
) -> SafetyEvent:
    """Record a reported event. Anonymous: no reporter is stored anywhere."""
    errors = event_fields_check(data)
    provider = data.get("peer_review_provider")
    if provider is not None and provider.practice_id != practice.pk:
        errors["peer_review_provider"] = "Unknown provider."
    if errors:
        raise ValidationError(errors)
    # One practice's references are numbered in turn: lock the practice row while numbering.
    Practice.objects.select_for_update().filter(pk=practice.pk).first()
    who = None if anonymous else reporter
    event = SafetyEvent.objects.create(
        practice=practice,
        reference=_next_reference(practice, data["discovered_on"].year),
        event_class=data["event_class"],
        event_type_id=data["event_type"],
        harm=data["harm"],
        discovered_on=data["discovered_on"],
        modality=data["modality"],
        patient_class=data.get("patient_class") or "",
        preventability=data["preventability"],
        narrative=data.get("narrative", ""),
        is_pswp=data.get("is_pswp", True),
        pses_entry_date=data.get("pses_entry_date"),
        peer_review_provider=provider,
        peer_review_month=data.get("peer_review_month"),
        peer_review_score=data.get("peer_review_score") or "",
        reporter=who,
        anonymous=anonymous,
        source=source,
        submission=submission,
    )
    factors = list(data.get("contributing_factors") or [])
    if factors:
        event.contributing_factors.set(factors)
    _transition(event, to=V.Status.REPORTED, by=who)
    return event


def _locked(event: SafetyEvent) -> SafetyEvent:
    return SafetyEvent.objects.across_practices().select_for_update().get(pk=event.pk)


def _move(event: SafetyEvent, to: str, *, by, reason: str = "") -> SafetyEvent:
    allowed = V.TRANSITIONS[V.Status(event.status)]
    if to not in allowed:
        raise ValidationError(
            {
                "status": f"An event that is {V.Status(event.status).label.lower()} cannot move "
                f"to {V.Status(to).label.lower()}."
            }
        )
    was = event.status
    event.status = to
    event.save()
    _transition(event, to=to, by=by, reason=reason, was=was)
    return event


def _require_pso(user) -> None:
    if not is_pso_staff(user):
        raise ValidationError({"owner": "The owner must be a member of the PSO staff."})


@transaction.atomic
def safety_event_triage(
    *, event: SafetyEvent, by: User, likelihood: str, owner: User
) -> SafetyEvent:
    """Assign the severity (risk matrix of harm x likelihood) and an owner among PSO staff."""
    event = _locked(event)
    if likelihood not in V.Likelihood.values:
        raise ValidationError({"likelihood": f"Use one of {', '.join(V.Likelihood.values)}."})
    if owner is None or not is_pso_staff(owner):
        raise ValidationError({"owner": "Choose an owner among the PSO staff."})
    if event.status != V.Status.REPORTED:
        raise ValidationError({"status": "Only a reported event is triaged."})
    event.likelihood = likelihood
    event.severity = V.risk_severity(event.harm, likelihood)
    event.owner = owner
    event.triaged_at = timezone.now()
    return _move(event, V.Status.TRIAGED, by=by)


@transaction.atomic
def safety_event_start_analysis(*, event: SafetyEvent, by: User) -> SafetyEvent:
    return _move(_locked(event), V.Status.UNDER_ANALYSIS, by=by)


@transaction.atomic
def safety_event_analysis_update(
    *, event: SafetyEvent, by: User, team: str, timeline: str, causal_statements: str
) -> SafetyEvent:
    """The RCA-squared write-up: team, timeline and causal statements (identifier-checked)."""
    event = _locked(event)
    if event.status not in (V.Status.TRIAGED, V.Status.UNDER_ANALYSIS, V.Status.ACTION_PLANNED):
        raise ValidationError({"status": "The analysis is edited while the event is open."})
    errors: dict = {}
    check_text(errors, "rca_team", team)
    check_text(errors, "rca_timeline", timeline)
    check_text(errors, "rca_causal_statements", causal_statements)
    if errors:
        raise ValidationError(errors)
    event.rca_team, event.rca_timeline = team, timeline
    event.rca_causal_statements = causal_statements
    event.save()
    return event


@transaction.atomic
def corrective_action_add(
    *,
    event: SafetyEvent,
    by: User,
    description: str,
    strength: str,
    owner: User | None,
    due_on: date | None,
) -> CorrectiveAction:
    event = _locked(event)
    errors: dict = {}
    if not (description or "").strip():
        errors["description"] = "Describe the action."
    check_text(errors, "description", description)
    if strength not in V.ActionStrength.values:
        errors["strength"] = f"Use one of {', '.join(V.ActionStrength.values)}."
    if owner is None:
        errors["owner"] = "An action needs an owner."
    if due_on is None:
        errors["due_on"] = "An action needs a due date."
    if event.status == V.Status.CLOSED:
        errors["status"] = "Reopen the event to add an action."
    if errors:
        raise ValidationError(errors)
    return CorrectiveAction.objects.create(
        practice=event.practice,
        event=event,
        description=description.strip(),
        strength=strength,
        owner=owner,
        due_on=due_on,
    )


@transaction.atomic
def corrective_action_complete(
    *, action: CorrectiveAction, by: User, done_on: date | None = None
) -> CorrectiveAction:
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "The date is in the future."})
    action.done_on = done_on
    action.save(update_fields=["done_on"])
    return action


def _has_actions(event: SafetyEvent) -> bool:
    return CorrectiveAction.objects.for_practice(event.practice).filter(event=event).exists()


@transaction.atomic
def safety_event_plan_actions(*, event: SafetyEvent, by: User) -> SafetyEvent:
    event = _locked(event)
    if not _has_actions(event):
        raise ValidationError({"status": "Add at least one corrective action first."})
    return _move(event, V.Status.ACTION_PLANNED, by=by)


@transaction.atomic
def safety_event_close(*, event: SafetyEvent, by: User, reason: str = "") -> SafetyEvent:
    """Close: needs at least one corrective action, or a recorded reason why none."""
    event = _locked(event)
    reason = (reason or "").strip()
    if not _has_actions(event) and not reason:
        raise ValidationError(
            {"reason": "Add a corrective action, or record why the event closes without one."}
        )
    errors: dict = {}
    check_text(errors, "reason", reason)
    if errors:
        raise ValidationError(errors)
    event.closed_at = timezone.now()
    if reason:
        event.closure_reason = reason
    return _move(event, V.Status.CLOSED, by=by, reason=reason)


@transaction.atomic
def safety_event_reopen(*, event: SafetyEvent, by: User, reason: str) -> SafetyEvent:
    event = _locked(event)
    reason = (reason or "").strip()
    if event.status != V.Status.CLOSED:
        raise ValidationError({"status": "Only a closed event is reopened."})
    if not reason:
        raise ValidationError({"reason": "Say why the event is reopened."})
    errors: dict = {}
    check_text(errors, "reason", reason)
    if errors:
        raise ValidationError(errors)
    event.closed_at = None
    return _move(event, V.Status.UNDER_ANALYSIS, by=by, reason=reason)


def safety_event_access_record(*, event: SafetyEvent, user: User, what: str = "read") -> None:
    """A read by PSO staff, for the practice's access log."""
    EventAccess.objects.create(practice=event.practice, event=event, user=user, what=what)


# --- lessons ------------------------------------------------------------------------------------
def _lesson_errors(title: str, summary: str, recommendations: str) -> dict:
    errors: dict = {}
    if not (title or "").strip():
        errors["title"] = "Give the lesson a title."
    if not (summary or "").strip():
        errors["summary"] = "Write the lesson."
    check_text(errors, "title", title)
    check_text(errors, "summary", summary)
    check_text(errors, "recommendations", recommendations)
    return errors


@transaction.atomic
def lesson_create(
    *,
    by: User,
    title: str,
    summary: str,
    recommendations: str = "",
    event_type: str,
    year: int,
    source_event: SafetyEvent | None = None,
) -> Lesson:
    errors = _lesson_errors(title, summary, recommendations)
    if not EventType.objects.filter(code=event_type).exists():
        errors["event_type"] = "Unknown event type."
    if errors:
        raise ValidationError(errors)
    return Lesson.objects.create(
        title=title.strip(),
        summary=summary.strip(),
        recommendations=(recommendations or "").strip(),
        event_type_id=event_type,
        year=year,
        source_event=source_event,
        written_by=by,
    )


@transaction.atomic
def lesson_update(
    *, lesson: Lesson, by: User, title: str, summary: str, recommendations: str = ""
) -> Lesson:
    if lesson.status == Lesson.Status.PUBLISHED:
        raise ValidationError({"status": "A published lesson is not edited."})
    errors = _lesson_errors(title, summary, recommendations)
    if errors:
        raise ValidationError(errors)
    lesson.title, lesson.summary = title.strip(), summary.strip()
    lesson.recommendations = (recommendations or "").strip()
    lesson.status = Lesson.Status.DRAFT
    lesson.save()
    return lesson


@transaction.atomic
def lesson_submit(*, lesson: Lesson, by: User) -> Lesson:
    if lesson.status != Lesson.Status.DRAFT:
        raise ValidationError({"status": "Only a draft is sent for review."})
    lesson.status = Lesson.Status.IN_REVIEW
    lesson.save(update_fields=["status"])
    return lesson


@transaction.atomic
def lesson_review(*, lesson: Lesson, by: User, approve: bool) -> Lesson:
    """A second PSO staff member publishes the lesson, or sends it back as a draft."""
    if lesson.status != Lesson.Status.IN_REVIEW:
        raise ValidationError({"status": "Only a lesson in review is reviewed."})
    if lesson.written_by_id == by.pk:
        raise ValidationError({"status": "Another member of the PSO staff reviews a lesson."})
    # Checked again at publication: the rules may have grown since it was written.
    errors = _lesson_errors(lesson.title, lesson.summary, lesson.recommendations)
    if errors:
        raise ValidationError(errors)
    if approve:
        lesson.status = Lesson.Status.PUBLISHED
        lesson.reviewed_by = by
        lesson.published_at = timezone.now()
    else:
        lesson.status = Lesson.Status.DRAFT
    lesson.save()
    return lesson
