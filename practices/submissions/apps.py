from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "practices.submissions"
    label = "submissions"
    verbose_name = "Data submissions"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # The upload kinds this app owns; other apps register theirs from their own ready().
        from practices.submissions import upload_kinds  # noqa: F401
        from practices.submissions.models import ReportingPeriod, Submission

        # Who uploaded, submitted, approved or returned what, and when periods open and close.
        auditlog.register(ReportingPeriod, exclude_fields=["updated_at"])
        auditlog.register(
            Submission,
            include_fields=[
                "status",
                "is_current",
                "version",
                "submitted_at",
                "reviewed_by",
                "reviewed_at",
                "review_comment",
            ],
        )
