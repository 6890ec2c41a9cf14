from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from rest_framework import exceptions, serializers

from coalition.api.serializers import PracticeScopedModelSerializer
from practices.submissions import kinds, selectors, services
from practices.submissions.models import ReportingPeriod, Submission, SubmissionIssue


class ReportingPeriodSerializer(serializers.ModelSerializer):
    days_left = serializers.SerializerMethodField(
        help_text="Days until the deadline (negative once passed); null without a deadline."
    )

    class Meta:
        model = ReportingPeriod
        fields = ["year", "status", "deadline", "days_left"]

    def get_days_left(self, period) -> int | None:
        return selectors.days_left(period)


class SubmissionSerializer(PracticeScopedModelSerializer):
    year = serializers.IntegerField(source="period.year", read_only=True)
    uploaded_by = serializers.EmailField(
        source="uploaded_by.email", read_only=True, default=None, allow_null=True
    )
    url = serializers.SerializerMethodField()
    errors_url = serializers.SerializerMethodField()
    warnings_url = serializers.SerializerMethodField()
    stalled = serializers.SerializerMethodField(
        help_text="Processing stopped (a worker died or failed): POST retry/."
    )

    class Meta:
        model = Submission
        fields = [
            "id",
            "url",
            "kind",
            "year",
            "version",
            "status",
            "is_current",
            "original_filename",
            "size_bytes",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "submitted_at",
            "submitter_note",
            "reviewed_at",
            "review_comment",
            "progress_percent",
            "progress_message",
            "stalled",
            "row_count",
            "error_count",
            "warning_count",
            "issue_counts",
            "errors_url",
            "warnings_url",
        ]
        read_only_fields = fields

    def _url(self, submission, name: str) -> str:
        path = reverse(
            name,
            kwargs={"practice_slug": submission.practice.slug, "submission_id": submission.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, submission) -> str:
        return self._url(submission, "submission-detail")

    def get_errors_url(self, submission) -> str:
        return self._url(submission, "submission-errors")

    def get_warnings_url(self, submission) -> str:
        return self._url(submission, "submission-warnings")

    def get_stalled(self, submission) -> bool:
        return services.submission_is_stalled(submission)


class SubmissionUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=())
    year = serializers.IntegerField(help_text="The reporting year; its period must be open.")
    file = serializers.FileField(help_text="CSV or XLSX, one kind and one year.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds.codes()

    def validate_year(self, year: int) -> int:
        period = selectors.period_by_year(year=year)
        if period is None:
            raise serializers.ValidationError(f"There is no reporting period for {year}.")
        return year


class FileTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "file_too_large"

    def __init__(self):
        limit = settings.SUBMISSION_MAX_UPLOAD_BYTES // 1_000_000
        super().__init__({"file": [f"The file is larger than the upload limit of {limit} MB."]})


class SubmissionNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class SubmissionIssueSerializer(serializers.ModelSerializer):
    row = serializers.IntegerField(source="row_number", allow_null=True)

    class Meta:
        model = SubmissionIssue
        fields = ["row", "column", "code", "message"]
