from django.contrib import admin

from coalition.admin import PracticeOwnedAdmin, ReadOnlyAdmin
from practices.submissions.models import Provider, ReportingPeriod, Submission, SubmissionIssue


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["year", "status", "deadline"]
    list_filter = ["status"]


@admin.register(Submission)
class SubmissionAdmin(PracticeOwnedAdmin, ReadOnlyAdmin):
    """Read-only: submissions change through uploads and reviews, which keep the versions and
    the current flag consistent."""

    list_display = ["practice", "kind", "period", "version", "status", "is_current", "row_count"]
    list_filter = ["kind", "status", "is_current", "period"]
    search_fields = ["practice__name", "original_filename", "sha256"]
    list_select_related = ["practice", "period"]
    exclude = ["processing_token"]


@admin.register(SubmissionIssue)
class SubmissionIssueAdmin(PracticeOwnedAdmin, ReadOnlyAdmin):
    list_display = ["submission", "severity", "code", "row_number", "column", "message"]
    list_filter = ["severity", "code"]
    list_select_related = ["submission__practice", "submission__period"]


@admin.register(Provider)
class ProviderAdmin(PracticeOwnedAdmin, ReadOnlyAdmin):
    """Pseudonyms only: the practices' own ids are encrypted for their pages alone."""

    list_display = ["pseudonym", "practice", "created_at"]
    list_filter = ["practice"]
    search_fields = ["pseudonym"]
    exclude = ["local_id_encrypted"]
    list_select_related = ["practice"]
