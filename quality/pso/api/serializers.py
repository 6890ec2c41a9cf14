from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from coalition.api.serializers import PracticeScopedModelSerializer
from quality.pso import vocabularies as V
from quality.pso.models import CorrectiveAction, EventTransition, Lesson, SafetyEvent


class CorrectiveActionSerializer(serializers.ModelSerializer):
    owner = serializers.EmailField(source="owner.email", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = CorrectiveAction
        fields = ["id", "description", "strength", "owner", "due_on", "done_on", "overdue"]

    def get_overdue(self, action) -> bool:
        from django.utils import timezone

        return action.done_on is None and action.due_on < timezone.localdate()


class TransitionSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = EventTransition
        fields = ["from_status", "to_status", "at", "reason", "by"]

    def get_by(self, transition) -> str | None:
        return transition.by.email if transition.by else None


def _optional_code(values) -> serializers.CharField:
    """A code that may still be empty (not triaged yet, not given)."""
    return serializers.CharField(
        read_only=True, help_text="one of " + ", ".join(values) + ", or empty"
    )


class SafetyEventSerializer(PracticeScopedModelSerializer):
    event_type = serializers.CharField(source="event_type_id", read_only=True)
    patient_class = _optional_code(V.PatientClass.values)
    likelihood = _optional_code(V.Likelihood.values)
    severity = _optional_code(V.Severity.values)
    peer_review_score = _optional_code(V.PeerReviewScore.values)
    contributing_factors = serializers.SerializerMethodField()
    reporter = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    actions = CorrectiveActionSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta:
        model = SafetyEvent
        fields = [
            "id",
            "reference",
            "status",
            "event_class",
            "event_type",
            "harm",
            "harm_scale_version",
            "discovered_on",
            "modality",
            "patient_class",
            "contributing_factors",
            "preventability",
            "narrative",
            "is_pswp",
            "pses_entry_date",
            "peer_review_score",
            "anonymous",
            "reporter",
            "source",
            "reported_at",
            "likelihood",
            "severity",
            "owner",
            "rca_team",
            "rca_timeline",
            "rca_causal_statements",
            "closure_reason",
            "actions",
            "transitions",
        ]
        read_only_fields = fields

    def get_contributing_factors(self, event) -> list[str]:
        return sorted(f.code for f in event.contributing_factors.all())

    def get_reporter(self, event) -> str | None:
        return event.reporter.email if event.reporter else None

    def get_owner(self, event) -> str | None:
        return event.owner.email if event.owner else None


class StaffSafetyEventSerializer(SafetyEventSerializer):
    """PSO staff see which practice reported it."""

    practice_slug = serializers.CharField(source="practice.slug", read_only=True)

    class Meta(SafetyEventSerializer.Meta):
        fields = ["practice_slug", *SafetyEventSerializer.Meta.fields]
        read_only_fields = fields


class SafetyEventReportSerializer(serializers.Serializer):
    """A report. Codes as in docs/pso.md; narrative without patient identifiers."""

    event_class = serializers.ChoiceField(choices=V.EventClass.choices)
    event_type = serializers.ChoiceField(choices=V.EVENT_TYPE_CODES)
    harm = serializers.ChoiceField(choices=V.Harm.choices)
    discovered_on = serializers.DateField()
    modality = serializers.ChoiceField(choices=V.MODALITY_CHOICES)
    patient_class = serializers.ChoiceField(
        choices=V.PatientClass.choices, required=False, allow_blank=True
    )
    contributing_factors = serializers.ListField(
        child=serializers.ChoiceField(choices=V.CONTRIBUTING_FACTOR_CODES), required=False
    )
    preventability = serializers.ChoiceField(choices=V.Preventability.choices)
    narrative = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    is_pswp = serializers.BooleanField(required=False, default=True)
    pses_entry_date = serializers.DateField(required=False, allow_null=True)
    anonymous = serializers.BooleanField(required=False, default=False)


def _pso_staff():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__permissions__codename="manage_safety_events")
        .distinct()
    )


class TriageSerializer(serializers.Serializer):
    likelihood = serializers.ChoiceField(choices=V.Likelihood.choices)
    owner = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.none())

    def get_fields(self):
        fields = super().get_fields()
        fields["owner"].queryset = _pso_staff()
        return fields


class AnalysisSerializer(serializers.Serializer):
    team = serializers.CharField(required=False, allow_blank=True, default="")
    timeline = serializers.CharField(required=False, allow_blank=True, default="")
    causal_statements = serializers.CharField(required=False, allow_blank=True, default="")


class ActionCreateSerializer(serializers.Serializer):
    description = serializers.CharField()
    strength = serializers.ChoiceField(choices=V.ActionStrength.choices)
    owner = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.none())
    due_on = serializers.DateField()

    def get_fields(self):
        fields = super().get_fields()
        fields["owner"].queryset = _pso_staff()
        return fields


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CompleteSerializer(serializers.Serializer):
    done_on = serializers.DateField(required=False, allow_null=True)


class LessonSerializer(serializers.ModelSerializer):
    event_type = serializers.ChoiceField(choices=V.EVENT_TYPE_CODES, source="event_type_id")

    class Meta:
        model = Lesson
        fields = ["id", "title", "summary", "recommendations", "event_type", "year", "published_at"]
        read_only_fields = ["id", "published_at"]


class StaffLessonSerializer(LessonSerializer):
    source_event = serializers.PrimaryKeyRelatedField(
        queryset=SafetyEvent.objects.across_practices(), required=False, allow_null=True
    )
    written_by = serializers.EmailField(source="written_by.email", read_only=True, allow_null=True)

    class Meta(LessonSerializer.Meta):
        fields = [*LessonSerializer.Meta.fields, "status", "source_event", "written_by"]
        read_only_fields = ["id", "published_at", "status", "written_by"]


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField(allow_null=True, help_text="null: withheld")
    withheld_reason = serializers.CharField(allow_blank=True)


class TrendsSerializer(serializers.Serializer):
    years = serializers.ListField(child=serializers.IntegerField())
    min_practices = serializers.IntegerField()
    by_type = serializers.DictField(
        child=serializers.DictField(child=CountSerializer()),
        help_text="{event type: {year: count}}",
    )
    by_harm = serializers.DictField(child=serializers.DictField(child=CountSerializer()))
    totals = serializers.DictField(child=CountSerializer())
    rates_per_10000_exams = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="{year: events per 10,000 exams of the practices whose exam volume is known}",
    )
    action_strengths = serializers.DictField(child=serializers.IntegerField())
    own_by_type = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()), required=False
    )


def trends_payload(trends, *, own: bool) -> dict:
    def cells(rows):
        return {
            code: {str(y): _count(c) for y, c in sorted(row.items())} for code, row in rows.items()
        }

    payload = {
        "years": trends.years,
        "min_practices": trends.min_practices,
        "by_type": cells(trends.by_type),
        "by_harm": cells(trends.by_harm),
        "totals": {str(y): _count(c) for y, c in sorted(trends.totals.items())},
        "rates_per_10000_exams": {str(y): r[0] for y, r in sorted(trends.rates.items())},
        "action_strengths": trends.by_strength,
    }
    if own:
        payload["own_by_type"] = {
            code: {str(y): n for y, n in row.items()} for code, row in trends.own_by_type.items()
        }
    return payload


def _count(cell) -> dict:
    return {"count": cell.count, "withheld_reason": cell.reason if cell.count is None else ""}
