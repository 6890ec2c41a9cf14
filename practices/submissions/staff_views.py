"""Staff pages: the analysts' review queue and the reporting periods. Staff see providers by
pseudonym only; practices' own ids never appear here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from practices.submissions import kinds, selectors, services
from practices.submissions.forms import PeriodCreateForm, PeriodUpdateForm, ReviewForm
from practices.submissions.models import ReportingPeriod, SubmissionIssue

ISSUES_SHOWN = 100
RECORDS_SHOWN = 50


class StaffPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    raise_exception = True


class ReviewerPage(StaffPage):
    """Staff who review at least one kind of upload (each kind names its reviewers' permission,
    kinds.py); they see the submissions of those kinds only."""

    def has_permission(self) -> bool:
        return bool(kinds.reviewable_by(self.request.user))


class ReviewQueueView(ReviewerPage):
    template_name = "submissions/staff/review_queue.html"

    def get_context_data(self, **kwargs):
        reviewable = kinds.reviewable_by(self.request.user)
        return super().get_context_data(
            queue=selectors.review_queue(kinds=reviewable),
            recent=selectors.recent_reviews(kinds=reviewable),
            **kwargs,
        )


class ReviewView(ReviewerPage):
    template_name = "submissions/staff/review.html"

    def get_submission(self):
        submission = selectors.staff_submission(
            submission_id=self.kwargs["submission_id"],
            kinds=kinds.reviewable_by(self.request.user),
        )
        if submission is None:
            raise Http404
        return submission

    def get_context_data(self, **kwargs):
        submission = kwargs.pop("submission", None) or self.get_submission()
        warning = SubmissionIssue.Severity.WARNING
        show_rows = submission.status not in ("uploaded", "validating", "rejected")
        return super().get_context_data(
            submission=submission,
            schema=kinds.schema_for(submission.kind),
            records_template=kinds.get(submission.kind).records_template,
            warnings=selectors.submission_issues(submission=submission, severity=warning)[
                :ISSUES_SHOWN
            ],
            warning_summary=selectors.issue_summary(submission=submission, severity=warning),
            error_summary=selectors.issue_summary(
                submission=submission, severity=SubmissionIssue.Severity.ERROR
            ),
            # Staff see pseudonyms only: no local ids are looked up for these rows.
            records=[
                (record, "")
                for record in selectors.submission_records(
                    submission=submission, limit=RECORDS_SHOWN
                )
            ]
            if show_rows
            else [],
            records_shown=RECORDS_SHOWN,
            form=kwargs.pop("form", None) or ReviewForm(),
            can_review=submission.status == "submitted",
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        submission = self.get_submission()
        form = ReviewForm(request.POST)
        if form.is_valid():
            comment = form.cleaned_data["comment"]
            try:
                if form.cleaned_data["action"] == "approve":
                    services.submission_approve(
                        submission=submission, reviewer=request.user, comment=comment
                    )
                    messages.success(request, f"{submission} approved; it is now current.")
                else:
                    services.submission_return(
                        submission=submission, reviewer=request.user, comment=comment
                    )
                    messages.success(request, f"{submission} returned to the practice.")
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("staff_submissions:review_queue")
        context = self.get_context_data(submission=submission, form=form)
        return self.render_to_response(context, status=400)


class PeriodListView(StaffPage):
    permission_required = "submissions.change_reportingperiod"
    template_name = "submissions/staff/periods.html"

    def get_context_data(self, **kwargs):
        periods = [
            (
                period,
                selectors.days_left(period),
                PeriodUpdateForm(
                    initial={"status": period.status, "deadline": period.deadline},
                    prefix=f"p{period.pk}",
                ),
            )
            for period in selectors.reporting_periods()
        ]
        kwargs.setdefault("form", PeriodCreateForm())
        return super().get_context_data(periods=periods, **kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("submissions.add_reportingperiod"):
            raise PermissionDenied
        form = PeriodCreateForm(request.POST)
        if form.is_valid():
            try:
                period = services.reporting_period_create(**form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"The {period.year} reporting period is open.")
                return redirect("staff_submissions:periods")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PeriodUpdateView(StaffPage):
    permission_required = "submissions.change_reportingperiod"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        period = get_object_or_404(ReportingPeriod, pk=kwargs["reportingperiod_id"])
        form = PeriodUpdateForm(request.POST, prefix=f"p{period.pk}")
        if form.is_valid():
            services.reporting_period_update(period=period, **form.cleaned_data)
            messages.success(
                request, f"The {period.year} period is {period.get_status_display().lower()}."
            )
        else:
            messages.error(request, "Choose open or closed and a valid date.")
        return redirect("staff_submissions:periods")
