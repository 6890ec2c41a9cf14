"""Submissions API: upload (multipart, 202 and a URL to poll), status, error and warning
reports, submit for review, retry, templates; reporting periods."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coalition.queueing import QueueUnavailable
from coalition.scoping import PracticeScopedViewSet
from practices.models import Role
from practices.submissions import kinds, selectors, services
from practices.submissions.api.serializers import (
    FileTooLarge,
    ReportingPeriodSerializer,
    SubmissionIssueSerializer,
    SubmissionNoteSerializer,
    SubmissionSerializer,
    SubmissionUploadSerializer,
)
from practices.submissions.file_templates import (
    CONTENT_TYPES,
    FORMATS,
    template_bytes,
    template_filename,
)
from practices.submissions.models import ReportingPeriod, Submission, SubmissionIssue


class ReportingPeriodViewSet(viewsets.ReadOnlyModelViewSet):
    """Reporting periods: one per year, open or closed, with the deadline and days left."""

    serializer_class = ReportingPeriodSerializer
    permission_classes = [IsAuthenticated]
    queryset = ReportingPeriod.objects.all()
    lookup_field = "year"
    lookup_url_kwarg = "year"
    lookup_value_regex = r"\d{4}"
    ordering_fields = ["year", "deadline"]
    ordering = ["-year"]
    filterset_fields = ["status"]


class SubmissionFilter(filters.FilterSet):
    year = filters.NumberFilter(field_name="period__year")

    class Meta:
        model = Submission
        fields = ["kind", "status", "is_current", "year"]


ISSUE_SUMMARY = inline_serializer(
    "SubmissionIssuePage",
    fields={
        "count": serializers.IntegerField(),
        "total": serializers.IntegerField(help_text="Exact number, even when the list is capped."),
        "counts": serializers.DictField(child=serializers.IntegerField()),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": SubmissionIssueSerializer(many=True),
    },
)


class SubmissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PracticeScopedViewSet):
    """The practice's submissions. POST a file (multipart: kind, year, file) to upload it: the
    answer is 202 with the submission, whose `url` reports status and progress until it is
    `validated` or `rejected`."""

    scoped_model = Submission
    serializer_class = SubmissionSerializer
    lookup_url_kwarg = "submission_id"
    lookup_value_regex = r"\d+"
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    action_roles = {"create": Role.SUBMITTER, "submit": Role.SUBMITTER, "retry": Role.SUBMITTER}
    filterset_class = SubmissionFilter
    ordering_fields = ["uploaded_at", "version", "period__year", "kind", "status"]
    ordering = ["-uploaded_at"]

    def refine_queryset(self, queryset):
        return queryset.select_related("period", "practice", "uploaded_by")

    @extend_schema(
        request={"multipart/form-data": SubmissionUploadSerializer},
        responses={
            202: SubmissionSerializer,
            200: OpenApiResponse(SubmissionSerializer, description="Identical file: no change."),
            400: OpenApiResponse(description="Invalid input"),
            413: OpenApiResponse(description="File larger than the upload limit"),
        },
    )
    def create(self, request, *args, **kwargs):
        sent = request.FILES.get("file")
        if sent is not None and sent.size > settings.SUBMISSION_MAX_UPLOAD_BYTES:
            raise FileTooLarge
        payload = SubmissionUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        upload = data["file"]
        result = services.submission_upload(
            practice=self.practice,
            kind=data["kind"],
            period=selectors.period_by_year(year=data["year"]),
            file=upload,
            filename=upload.name,
            uploaded_by=request.user,
        )
        body = dict(self.get_serializer(result.submission).data)
        body["message"] = result.message
        body["queued"] = result.queued  # False: saved; processing starts once the queue is back
        if not result.created:
            return Response(body, status=status.HTTP_200_OK)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    def _issues(self, request, severity: str):
        submission = self.get_object()
        issues = selectors.submission_issues(submission=submission, severity=severity)
        page = self.paginate_queryset(issues)
        response = self.get_paginated_response(SubmissionIssueSerializer(page, many=True).data)
        summary = selectors.issue_summary(submission=submission, severity=severity)
        response.data["counts"] = dict(summary)
        response.data["total"] = sum(count for _, count in summary)
        return response

    @extend_schema(responses=ISSUE_SUMMARY, filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=[])
    def errors(self, request, *args, **kwargs):
        """The error report of a rejected file: row, column and reason of every error."""
        return self._issues(request, SubmissionIssue.Severity.ERROR)

    @extend_schema(responses=ISSUE_SUMMARY, filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=[])
    def warnings(self, request, *args, **kwargs):
        """Warnings of a validated file (outliers, cross-checks, year-over-year changes)."""
        return self._issues(request, SubmissionIssue.Severity.WARNING)

    @extend_schema(request=SubmissionNoteSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        """Send a validated (or returned) version to the analysts for review."""
        submission = self.get_object()
        payload = SubmissionNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.submission_submit(
            submission=submission, user=request.user, note=payload.validated_data.get("note", "")
        )
        return Response(self.get_serializer(submission).data)

    @extend_schema(
        request=None,
        responses={
            202: SubmissionSerializer,
            503: OpenApiResponse(
                inline_serializer("QueueUnavailable", fields={"detail": serializers.CharField()}),
                description="The queue cannot be reached; the retry is recorded and starts "
                "automatically once it is back.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, *args, **kwargs):
        """Process again a submission whose processing stopped."""
        try:
            submission = services.submission_retry(submission=self.get_object())
        except QueueUnavailable as unavailable:
            return Response(
                {"detail": str(unavailable)},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": "60"},
            )
        return Response(self.get_serializer(submission).data, status=status.HTTP_202_ACCEPTED)


class SubmissionTemplateView(APIView):
    """The template of a kind: CSV (the header) or XLSX (with a data-dictionary sheet)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(kinds.codes())
            ),
            OpenApiParameter("file_format", OpenApiTypes.STR, OpenApiParameter.PATH, enum=FORMATS),
        ],
        responses={
            (200, media_type.split(";")[0]): OpenApiTypes.BINARY
            for media_type in CONTENT_TYPES.values()
        },
    )
    def get(self, request, kind: str, file_format: str):
        upload_kind = kinds.find(kind)
        schema = upload_kind.schema if upload_kind else None
        if schema is None or file_format not in FORMATS:
            raise Http404
        response = HttpResponse(
            template_bytes(schema, file_format), content_type=CONTENT_TYPES[file_format]
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{template_filename(schema, file_format)}"'
        )
        return response
