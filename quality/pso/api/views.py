"""The PSO API. Practices: their own events (report, list, read), the access log, de-identified
trends and published lessons. PSO staff: the queue across practices and every workflow step,
the action tracker, lessons, trends and the de-identified export."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coalition import spreadsheets
from coalition.scoping import PracticeScopedViewSet
from practices.models import PracticeAPIKey, Role
from quality.pso import exports, selectors, services
from quality.pso.api.serializers import (
    ActionCreateSerializer,
    AnalysisSerializer,
    CompleteSerializer,
    CorrectiveActionSerializer,
    LessonSerializer,
    ReasonSerializer,
    ReviewSerializer,
    SafetyEventReportSerializer,
    SafetyEventSerializer,
    StaffLessonSerializer,
    StaffSafetyEventSerializer,
    TrendsSerializer,
    TriageSerializer,
    trends_payload,
)
from quality.pso.models import EventAccess, SafetyEvent


def _call(service, **kwargs):
    """Run a service; its field errors become a 400 with the same fields."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise ValidationError(error.message_dict) from None


class SafetyEventFilter(filters.FilterSet):
    year = filters.NumberFilter(field_name="discovered_on__year", min_value=2000, max_value=2100)
    event_type = filters.CharFilter(field_name="event_type_id")

    class Meta:
        model = SafetyEvent
        fields = ["status", "event_class", "event_type", "harm", "severity", "modality", "year"]


class AccessSerializer(serializers.ModelSerializer):
    user = serializers.EmailField(source="user.email", read_only=True)
    event = serializers.CharField(source="event.reference", read_only=True)

    class Meta:
        model = EventAccess
        fields = ["at", "user", "event", "what"]


class PracticeSafetyEventViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, PracticeScopedViewSet
):
    """The practice's own safety events. Any member may report one (POST), anonymously if
    they choose: then no reporter is stored."""

    scoped_model = SafetyEvent
    serializer_class = SafetyEventSerializer
    lookup_url_kwarg = "safetyevent_id"
    lookup_value_regex = r"\d+"
    action_roles = {"create": Role.VIEWER}
    filterset_class = SafetyEventFilter
    ordering_fields = ["discovered_on", "reported_at", "reference", "status", "harm"]
    ordering = ["-discovered_on", "-id"]

    def refine_queryset(self, queryset):
        return selectors.with_children(
            queryset.filter(selectors.LIVE)
            .select_related("event_type", "owner", "reporter")
            .prefetch_related("contributing_factors")
        )

    @extend_schema(
        request=SafetyEventReportSerializer,
        responses={201: SafetyEventSerializer, 400: OpenApiResponse(description="Field errors")},
    )
    def create(self, request, *args, **kwargs):
        payload = SafetyEventReportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        anonymous = data.pop("anonymous", False)
        api_key = request.auth if isinstance(request.auth, PracticeAPIKey) else None
        event = _call(
            services.safety_event_report,
            practice=self.practice,
            reporter=None if api_key else request.user,
            anonymous=anonymous,
            data=data,
            source=SafetyEvent.Source.API,
        )
        event = self.get_queryset().get(pk=event.pk)
        return Response(self.get_serializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=AccessSerializer(many=True), filters=False)
    @action(
        detail=False,
        methods=["get"],
        url_path="access-log",
        filterset_class=None,
        ordering_fields=[],
    )
    def access_log(self, request, *args, **kwargs):
        """Every read of the practice's events by PSO staff: who and when."""
        page = self.paginate_queryset(selectors.practice_access_log(practice=self.practice))
        return self.get_paginated_response(AccessSerializer(page, many=True).data)

    @extend_schema(responses=TrendsSerializer, filters=False)
    @action(detail=False, methods=["get"], filterset_class=None, ordering_fields=[])
    def trends(self, request, *args, **kwargs):
        """De-identified coalition counts by type, harm and year (counts from fewer practices
        than the rules' minimum withheld), with the practice's own counts."""
        trends = selectors.coalition_trends(viewer_practice=self.practice)
        return Response(trends_payload(trends, own=True))


class IsPsoStaff(IsAuthenticated):
    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and services.is_pso_staff(request.user)


class StaffEventFilter(SafetyEventFilter):
    practice = filters.CharFilter(field_name="practice__slug")

    class Meta(SafetyEventFilter.Meta):
        fields = [*SafetyEventFilter.Meta.fields, "practice"]


class PsoEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """PSO staff: every practice's events and each step of the workflow. Reading an event is
    recorded in the practice's access log."""

    serializer_class = StaffSafetyEventSerializer
    permission_classes = [IsPsoStaff]
    lookup_url_kwarg = "event_id"
    lookup_value_regex = r"\d+"
    filterset_class = StaffEventFilter
    ordering_fields = ["reported_at", "discovered_on", "status", "severity", "harm"]
    ordering = ["-reported_at"]

    def get_queryset(self):
        return selectors.with_children(selectors.staff_events())

    def retrieve(self, request, *args, **kwargs):
        event = self.get_object()
        services.safety_event_access_record(event=event, user=request.user, what="read (API)")
        return Response(self.get_serializer(event).data)

    def _step(self, service, payload_class=None, **extra):
        event = self.get_object()
        data = {}
        if payload_class is not None:
            payload = payload_class(data=self.request.data)
            payload.is_valid(raise_exception=True)
            data = dict(payload.validated_data)
        _call(service, event=event, by=self.request.user, **data, **extra)
        return Response(self.get_serializer(self.get_queryset().get(pk=event.pk)).data)

    @extend_schema(request=TriageSerializer, responses=StaffSafetyEventSerializer)
    @action(detail=True, methods=["post"])
    def triage(self, request, *args, **kwargs):
        """Severity from the risk matrix (harm x likelihood) and an owner among PSO staff."""
        return self._step(services.safety_event_triage, TriageSerializer)

    @extend_schema(request=None, responses=StaffSafetyEventSerializer)
    @action(detail=True, methods=["post"], url_path="start-analysis")
    def start_analysis(self, request, *args, **kwargs):
        return self._step(services.safety_event_start_analysis)

    @extend_schema(request=AnalysisSerializer, responses=StaffSafetyEventSerializer)
    @action(detail=True, methods=["post"])
    def analysis(self, request, *args, **kwargs):
        """The RCA-squared write-up: team, timeline, causal statements."""
        return self._step(services.safety_event_analysis_update, AnalysisSerializer)

    @extend_schema(request=ActionCreateSerializer, responses={201: CorrectiveActionSerializer})
    @action(detail=True, methods=["post"])
    def actions(self, request, *args, **kwargs):
        """Add a corrective action (owner, due date and strength required)."""
        event = self.get_object()
        payload = ActionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        created = _call(
            services.corrective_action_add, event=event, by=request.user, **payload.validated_data
        )
        return Response(CorrectiveActionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=StaffSafetyEventSerializer)
    @action(detail=True, methods=["post"])
    def plan(self, request, *args, **kwargs):
        return self._step(services.safety_event_plan_actions)

    @extend_schema(request=ReasonSerializer, responses=StaffSafetyEventSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        """Close: at least one corrective action, or a reason."""
        return self._step(services.safety_event_close, ReasonSerializer)

    @extend_schema(request=ReasonSerializer, responses=StaffSafetyEventSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, *args, **kwargs):
        return self._step(services.safety_event_reopen, ReasonSerializer)


class PsoActionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """PSO staff: open corrective actions across practices, soonest due first."""

    serializer_class = CorrectiveActionSerializer
    permission_classes = [IsPsoStaff]
    lookup_url_kwarg = "correctiveaction_id"
    lookup_value_regex = r"\d+"
    ordering_fields = ["due_on"]
    ordering = ["due_on", "id"]
    filterset_fields = ["strength"]

    def get_queryset(self):
        return selectors.open_actions_across_practices()

    @extend_schema(request=CompleteSerializer, responses=CorrectiveActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, *args, **kwargs):
        payload = CompleteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        done = _call(
            services.corrective_action_complete,
            action=self.get_object(),
            by=request.user,
            done_on=payload.validated_data.get("done_on"),
        )
        return Response(CorrectiveActionSerializer(done).data)


class MayReadLessons(BasePermission):
    """Members of a practice (or its API key) and PSO staff."""

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, PracticeAPIKey):
            return request.auth.practice.is_active
        user = request.user
        if not user.is_authenticated:
            return False
        from practices.selectors import memberships_of_user

        return services.is_pso_staff(user) or memberships_of_user(user=user).exists()


class LessonViewSet(viewsets.ReadOnlyModelViewSet):
    """Published, de-identified lessons learned."""

    serializer_class = LessonSerializer
    permission_classes = [MayReadLessons]
    lookup_url_kwarg = "lesson_id"
    lookup_value_regex = r"\d+"
    ordering_fields = ["published_at", "year"]
    ordering = ["-published_at"]
    filterset_fields = ["year"]

    def get_queryset(self):
        return selectors.published_lessons()


class PsoLessonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """PSO staff: lessons in every state; write, send for review, publish or send back."""

    serializer_class = StaffLessonSerializer
    permission_classes = [IsPsoStaff]
    lookup_url_kwarg = "lesson_id"
    lookup_value_regex = r"\d+"
    ordering_fields = ["created_at", "year"]
    ordering = ["-created_at"]
    filterset_fields = ["status", "year"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.staff_lessons()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = _call(
            services.lesson_create,
            by=self.request.user,
            title=data["title"],
            summary=data["summary"],
            recommendations=data.get("recommendations", ""),
            event_type=data["event_type_id"],
            year=data["year"],
            source_event=data.get("source_event"),
        )

    def perform_update(self, serializer):
        lesson = serializer.instance
        data = serializer.validated_data
        serializer.instance = _call(
            services.lesson_update,
            lesson=lesson,
            by=self.request.user,
            title=data.get("title", lesson.title),
            summary=data.get("summary", lesson.summary),
            recommendations=data.get("recommendations", lesson.recommendations),
        )

    @extend_schema(request=None, responses=StaffLessonSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        lesson = _call(services.lesson_submit, lesson=self.get_object(), by=request.user)
        return Response(self.get_serializer(lesson).data)

    @extend_schema(request=ReviewSerializer, responses=StaffLessonSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, *args, **kwargs):
        payload = ReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        lesson = _call(
            services.lesson_review,
            lesson=self.get_object(),
            by=request.user,
            approve=payload.validated_data["approve"],
        )
        return Response(self.get_serializer(lesson).data)


class PsoTrendsView(APIView):
    """PSO staff: every count by type, harm and year, and the action-strength mix."""

    permission_classes = [IsPsoStaff]

    @extend_schema(responses=TrendsSerializer)
    def get(self, request):
        trends = selectors.coalition_trends(viewer_practice=None, staff=True)
        return Response(trends_payload(trends, own=False))


class PsoExportView(APIView):
    """PSO staff: the de-identified export (no practice, reporter, exam or provider identity;
    years only), as CSV or JSON."""

    permission_classes = [IsPsoStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("file_format", str, enum=["csv", "json"], location="query"),
            OpenApiParameter("year", int, location="query", required=False),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        fmt = request.query_params.get("file_format", "csv")
        year = request.query_params.get("year")
        if year is not None and not year.isdigit():
            raise ValidationError({"year": "Give a four-digit year."})
        year = int(year) if year else None
        if fmt == "csv":
            body, content_type = (
                exports.deidentified_csv(year=year),
                spreadsheets.CONTENT_TYPES["csv"],
            )
        elif fmt == "json":
            body, content_type = exports.deidentified_json(year=year), "application/json"
        else:
            raise ValidationError({"file_format": "Choose csv or json."})
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="safety-events-deidentified.{fmt}"'
        return response
