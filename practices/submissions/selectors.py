"""Reads about reporting periods, submissions, their issues and records."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date

from django.db.models import Count, QuerySet
from django.utils import timezone

from practices.models import Practice
from practices.submissions.models import (
    Provider,
    ReportingPeriod,
    Submission,
    SubmissionIssue,
)

S = Submission.Status
# Versions that passed validation and may serve as the reference of a cross-check.
REFERENCE_STATUSES = (S.VALIDATED, S.SUBMITTED, S.APPROVED)


# --- reporting periods -----------------------------------------------------------------------------
def reporting_periods() -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.order_by("-year")


def open_periods() -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.filter(status=ReportingPeriod.Status.OPEN).order_by("-year")


def period_by_year(*, year: int) -> ReportingPeriod | None:
    return ReportingPeriod.objects.filter(year=year).first()


def days_left(period: ReportingPeriod, *, today: date | None = None) -> int | None:
    """Days until the submission deadline (negative once it has passed); None without one."""
    if period.deadline is None:
        return None
    return (period.deadline - (today or timezone.localdate())).days


# --- a practice's submissions ------------------------------------------------------------------------
def practice_submissions(*, practice: Practice) -> QuerySet[Submission]:
    return (
        Submission.objects.for_practice(practice)
        .select_related("period", "uploaded_by", "reviewed_by")
        .order_by("-period__year", "kind", "-version")
    )


def submission_history(*, practice: Practice) -> OrderedDict:
    """{(year, kind): [versions, newest first]} for the practice, newest year first."""
    history: OrderedDict = OrderedDict()
    for submission in practice_submissions(practice=practice):
        history.setdefault((submission.period.year, submission.kind), []).append(submission)
    return history


def current_submission(*, practice: Practice, kind: str, year: int) -> Submission | None:
    return (
        Submission.objects.for_practice(practice)
        .filter(kind=kind, period__year=year, is_current=True)
        .select_related("period")
        .first()
    )


def reference_submission(*, practice: Practice, kind: str, year: int) -> Submission | None:
    """The current version of a kind, else its latest version that passed validation."""
    current = current_submission(practice=practice, kind=kind, year=year)
    if current is not None:
        return current
    return (
        Submission.objects.for_practice(practice)
        .filter(kind=kind, period__year=year, status__in=REFERENCE_STATUSES)
        .order_by("-version")
        .first()
    )


def latest_version(*, practice: Practice, kind: str, period: ReportingPeriod) -> Submission | None:
    return (
        Submission.objects.for_practice(practice)
        .filter(kind=kind, period=period)
        .order_by("-version")
        .first()
    )


def identical_submission(
    *, practice: Practice, kind: str, period: ReportingPeriod, sha256: str
) -> Submission | None:
    return (
        Submission.objects.for_practice(practice)
        .filter(kind=kind, period=period, sha256=sha256)
        .order_by("-version")
        .first()
    )


def current_submissions_of_others(
    *, kind: str, practice: Practice, year: int | None
) -> QuerySet[Submission]:
    """Batch reads for the coalition outlier checks: other practices' current versions."""
    queryset = (
        Submission.objects.across_practices()
        .filter(kind=kind, is_current=True)
        .exclude(practice=practice)
    )
    if year is not None:
        queryset = queryset.filter(period__year=year)
    return queryset


# --- issues ----------------------------------------------------------------------------------------
def submission_issues(*, submission: Submission, severity: str) -> QuerySet[SubmissionIssue]:
    return (
        SubmissionIssue.objects.for_practice(submission.practice)
        .filter(submission=submission, severity=severity)
        .order_by("row_number", "id")
    )


def issue_summary(*, submission: Submission, severity: str) -> list[tuple[str, int]]:
    """(code, count) per kind of issue, most frequent first. Error counts are exact even when
    the listed errors were capped (Submission.issue_counts)."""
    if severity == SubmissionIssue.Severity.ERROR and submission.issue_counts:
        return sorted(submission.issue_counts.items(), key=lambda item: (-item[1], item[0]))
    rows = (
        submission_issues(submission=submission, severity=severity)
        .order_by()
        .values("code")
        .annotate(n=Count("id"))
    )
    return sorted(((row["code"], row["n"]) for row in rows), key=lambda i: (-i[1], i[0]))


# --- records -----------------------------------------------------------------------------------------
def submission_records(*, submission: Submission, limit: int = 50) -> list:
    from practices.submissions import kinds

    model = kinds.get(submission.kind).model()
    return list(
        model.objects.for_practice(submission.practice)
        .filter(submission=submission)
        .order_by("id")[:limit]
    )


def local_ids(*, practice: Practice, pseudonyms: set[str]) -> dict[str, str]:
    """{pseudonym: the practice's own id}. Only for that practice's own pages."""
    rows = (
        Provider.objects.for_practice(practice)
        .filter(pseudonym__in=pseudonyms)
        .values_list("pseudonym", "local_id_encrypted")
    )
    return {pseudonym: practice.decrypt_local_id(token) for pseudonym, token in rows}


# --- staff -------------------------------------------------------------------------------------------
def review_queue(*, kinds: list[str]) -> QuerySet[Submission]:
    """Staff only: submissions of the given kinds waiting for review, oldest first."""
    return (
        Submission.objects.across_practices()
        .filter(status=Submission.Status.SUBMITTED, kind__in=kinds)
        .select_related("practice", "period", "uploaded_by")
        .order_by("submitted_at", "pk")
    )


def staff_submission(*, submission_id: int, kinds: list[str]) -> Submission | None:
    """Staff only: a submission of one of the kinds the caller reviews."""
    return (
        Submission.objects.across_practices()
        .filter(kind__in=kinds)
        .select_related("practice", "period", "uploaded_by", "reviewed_by")
        .filter(pk=submission_id)
        .first()
    )


def recent_reviews(*, kinds: list[str], limit: int = 20) -> QuerySet[Submission]:
    return (
        Submission.objects.across_practices()
        .filter(reviewed_at__isnull=False, kind__in=kinds)
        .select_related("practice", "period", "reviewed_by")
        .order_by("-reviewed_at")[:limit]
    )
