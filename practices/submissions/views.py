"""Practice pages of data submissions: upload, progress, result, history and templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views import View
from django.views.generic import TemplateView

from coalition import spreadsheets
from coalition.queueing import QueueUnavailable
from coalition.scoping import PracticeScopedView
from practices.models import Role, role_at_least
from practices.submissions import kinds, selectors, services
from practices.submissions.file_templates import (
    CONTENT_TYPES,
    FORMATS,
    template_bytes,
    template_filename,
)
from practices.submissions.forms import SubmitForm, UploadForm
from practices.submissions.models import Submission, SubmissionIssue

ISSUES_SHOWN = 100
RECORDS_SHOWN = 50


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def progress_payload(submission: Submission, practice) -> dict:
    return {
        "id": submission.pk,
        "status": submission.status,
        "status_label": submission.get_status_display(),
        "progress_percent": submission.progress_percent,
        "progress_message": submission.progress_message,
        "processing": submission.status in services.PROCESSING,
        "stalled": services.submission_is_stalled(submission),
        "error_count": submission.error_count,
        "warning_count": submission.warning_count,
        "row_count": submission.row_count,
        "detail_url": reverse(
            "submissions:detail",
            kwargs={"practice_slug": practice.slug, "submission_id": submission.pk},
        ),
    }


class SubmissionListView(PracticeScopedView, TemplateView):
    """Reporting periods, the upload form, templates and the history per year and kind."""

    template_name = "submissions/list.html"
    scoped_model = Submission
    write_role = Role.SUBMITTER

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", UploadForm())
        periods = [
            (period, selectors.days_left(period)) for period in selectors.reporting_periods()
        ]
        history = [
            {"year": year, "kind": kind, "label": kinds.get(kind).label, "versions": versions}
            for (year, kind), versions in selectors.submission_history(
                practice=self.practice
            ).items()
        ]
        return super().get_context_data(
            periods=periods,
            history=history,
            schemas=[k.schema for k in kinds.all_kinds()],
            formats=FORMATS,
            can_upload=role_at_least(self.role, Role.SUBMITTER),
            has_open_period=any(p.status == "open" for p, _ in periods),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            period = selectors.period_by_year(year=form.cleaned_data["year"])
            upload = form.cleaned_data["file"]
            try:
                result = services.submission_upload(
                    practice=self.practice,
                    kind=form.cleaned_data["kind"],
                    period=period,
                    file=upload,
                    filename=upload.name,
                    uploaded_by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if _wants_json(request):
                    payload = progress_payload(result.submission, self.practice)
                    payload.update(
                        created=result.created, message=result.message, queued=result.queued
                    )
                    return JsonResponse(payload, status=202 if result.created else 200)
                if not result.queued:
                    messages.warning(request, result.message)
                else:
                    (messages.success if result.created else messages.info)(request, result.message)
                return redirect(
                    "submissions:detail",
                    practice_slug=self.practice.slug,
                    submission_id=result.submission.pk,
                )
        if _wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SubmissionObjectMixin:
    scoped_model = Submission

    def get_submission(self) -> Submission:
        return get_object_or_404(
            self.get_queryset().select_related("period", "uploaded_by", "reviewed_by"),
            pk=self.kwargs["submission_id"],
        )


def result_message(submission: Submission, *, can_submit: bool, is_latest: bool) -> str:
    """What the result of a processed submission is, and what comes next, from its state (the
    message stored when processing ended is not updated as the submission moves on)."""
    status = Submission.Status
    if submission.status == status.REJECTED:
        return f"Rejected: {submission.error_count:,} error(s). Fix the file and upload it again."
    day = (
        date_format(timezone.localtime(submission.reviewed_at), "Y-m-d")
        if (submission.reviewed_at)
        else ""
    )
    if submission.status == status.VALIDATED:
        text = f"Validated: {submission.row_count:,} rows stored"
        if submission.warning_count:
            text += f", {submission.warning_count:,} warning(s) to review"
        if can_submit:
            return text + ". Submit it for review when ready."
        if not is_latest:
            return text + ". A later version exists: only the latest may be submitted."
        return text + ". A submitter or practice admin of the practice submits it for review."
    if submission.status == status.SUBMITTED:
        when = date_format(timezone.localtime(submission.submitted_at), "Y-m-d")
        return (
            f"Submitted for review on {when}: an analyst will approve it or return it "
            "with a comment."
        )
    if submission.status == status.APPROVED:
        if submission.is_current:
            return (
                f"Approved on {day}: these are the practice's current data of this kind for "
                f"{submission.period.year}, used in the benchmarks."
            )
        return f"Approved on {day}."
    if submission.status == status.RETURNED:
        text = f"Returned by the analyst on {day}, with the comment below."
        if can_submit:
            text += " Upload a corrected file, or submit this version again with a note."
        return text
    if submission.status == status.SUPERSEDED:
        return "Superseded: a later version was approved."
    return submission.progress_message


class SubmissionDetailView(SubmissionObjectMixin, PracticeScopedView, TemplateView):
    template_name = "submissions/detail.html"

    def get_context_data(self, **kwargs):
        submission = self.get_submission()
        error = SubmissionIssue.Severity.ERROR
        warning = SubmissionIssue.Severity.WARNING
        records = []
        names = {}
        if submission.status not in (*services.PROCESSING, Submission.Status.REJECTED):
            records = selectors.submission_records(submission=submission, limit=RECORDS_SHOWN)
            pseudonyms = {r.provider_pseudonym for r in records if hasattr(r, "provider_pseudonym")}
            # The practice sees its own ids; the pseudonyms stay out of its pages.
            names = selectors.local_ids(practice=self.practice, pseudonyms=pseudonyms)
        versions = [
            v
            for v in selectors.practice_submissions(practice=self.practice).filter(
                kind=submission.kind, period=submission.period
            )
        ]
        latest = max((v.version for v in versions if v.status != "rejected"), default=0)
        can_write = role_at_least(self.role, Role.SUBMITTER)
        can_submit = (
            can_write
            and submission.status in ("validated", "returned")
            and submission.version >= latest
        )
        return super().get_context_data(
            result_message=result_message(
                submission, can_submit=can_submit, is_latest=submission.version >= latest
            ),
            submission=submission,
            schema=kinds.schema_for(submission.kind),
            records_template=kinds.get(submission.kind).records_template,
            progress=progress_payload(submission, self.practice),
            errors=selectors.submission_issues(submission=submission, severity=error)[
                :ISSUES_SHOWN
            ],
            error_summary=selectors.issue_summary(submission=submission, severity=error),
            warnings=selectors.submission_issues(submission=submission, severity=warning)[
                :ISSUES_SHOWN
            ],
            warning_summary=selectors.issue_summary(submission=submission, severity=warning),
            issues_shown=ISSUES_SHOWN,
            records=[
                (record, names.get(getattr(record, "provider_pseudonym", ""), ""))
                for record in records
            ],
            records_shown=RECORDS_SHOWN,
            versions=versions,
            can_submit=can_submit,
            can_retry=can_write and services.submission_is_stalled(submission),
            submit_form=SubmitForm(),
            **kwargs,
        )


class SubmissionProgressView(SubmissionObjectMixin, PracticeScopedView, View):
    """JSON for the page's progress bar."""

    def get(self, request, *args, **kwargs):
        return JsonResponse(progress_payload(self.get_submission(), self.practice))


class ErrorReportView(SubmissionObjectMixin, PracticeScopedView, View):
    """Every listed error of a submission as CSV (row, column, code, message)."""

    def get(self, request, *args, **kwargs):
        submission = self.get_submission()
        issues = selectors.submission_issues(
            submission=submission, severity=SubmissionIssue.Severity.ERROR
        ).values_list("row_number", "column", "code", "message")

        def rows():
            yield from issues.iterator(chunk_size=5000)
            listed = issues.count()
            if submission.error_count > listed:
                yield ["", "", "truncated", f"{submission.error_count - listed} more errors"]

        # The column is the uploaded header cell, which could be a formula: the writer
        # neutralizes it.
        lines = spreadsheets.csv_lines(rows(), header=["row", "column", "error", "message"])
        name = f"{submission.kind}_{submission.period.year}_v{submission.version}_errors.csv"
        response = StreamingHttpResponse(lines, content_type=spreadsheets.CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class SubmissionSubmitView(SubmissionObjectMixin, PracticeScopedView, View):
    required_role = Role.SUBMITTER
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        submission = self.get_submission()
        form = SubmitForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            services.submission_submit(submission=submission, user=request.user, note=note)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, "Submitted for review. An analyst will approve or return it.")
        return redirect(
            "submissions:detail", practice_slug=self.practice.slug, submission_id=submission.pk
        )


class SubmissionRetryView(SubmissionObjectMixin, PracticeScopedView, View):
    required_role = Role.SUBMITTER
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        submission = self.get_submission()
        try:
            services.submission_retry(submission=submission)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except QueueUnavailable as unavailable:
            messages.warning(request, str(unavailable))
        else:
            messages.success(request, "The file is being processed again.")
        return redirect(
            "submissions:detail", practice_slug=self.practice.slug, submission_id=submission.pk
        )


class TemplateDownloadView(LoginRequiredMixin, View):
    def get(self, request, *args, **kwargs):
        upload_kind = kinds.find(kwargs["kind"])
        schema = upload_kind.schema if upload_kind else None
        file_format = kwargs["file_format"]
        if schema is None or file_format not in FORMATS:
            raise Http404
        response = HttpResponse(
            template_bytes(schema, file_format), content_type=CONTENT_TYPES[file_format]
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{template_filename(schema, file_format)}"'
        )
        return response
