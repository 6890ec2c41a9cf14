"""Reporting periods, submissions (one uploaded file of one kind for one practice and year,
versioned) and the record tables each kind of file fills.

Record rows carry the provider's pseudonym only; the practice's own local id is kept once per
provider in Provider, encrypted with the practice's key (practices/crypto.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from coalition.tenancy import PracticeOwnedModel
from practices.models import Practice


class ReportingPeriod(models.Model):
    """One per year, coalition-wide. Staff open and close it; uploads need an open period."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    year = models.PositiveSmallIntegerField(unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="period_year_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "closed"]), name="period_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} ({self.get_status_display()})"


class Kind(models.TextChoices):
    PROVIDER_YEAR = "provider_year", "Provider year"
    RVU_DETAIL = "rvu_detail", "RVU detail"
    PRACTICE_FINANCIALS = "practice_financials", "Practice financials"


class Submission(PracticeOwnedModel):
    """One uploaded file. Life cycle (SPEC 3): uploaded -> validating -> rejected | validated
    -> submitted -> approved | returned. A newer approved version supersedes older ones; only
    the current (latest approved) version of (practice, kind, year) feeds benchmarks."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        VALIDATING = "validating", "Validating"
        REJECTED = "rejected", "Rejected"
        VALIDATED = "validated", "Validated"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"
        SUPERSEDED = "superseded", "Superseded"

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="submissions")
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="submissions"
    )
    kind = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADED)
    is_current = models.BooleanField(default=False)

    original_filename = models.CharField(max_length=255)
    file = models.FileField(upload_to="submissions/%Y/%m/", max_length=300)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField()

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    row_count = models.PositiveIntegerField(default=0)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "kind", "period", "version"], name="submission_version_unique"
            ),
            models.UniqueConstraint(
                fields=["practice", "kind", "period"],
                condition=Q(is_current=True),
                name="submission_one_current",
            ),
            models.CheckConstraint(
                condition=Q(is_current=False) | Q(status="approved"),
                name="submission_current_is_approved",
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100), name="submission_progress_range"
            ),
        ]
        indexes = [models.Index(fields=["kind", "is_current"])]
        permissions = [("review_submission", "Can approve or return submissions")]

    def __str__(self) -> str:
        return f"{self.practice} {self.kind} {self.period.year} v{self.version}"


class Provider(PracticeOwnedModel):
    """A practice's radiologist, known to the coalition by pseudonym only."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="providers")
    pseudonym = models.CharField(max_length=64)
    # The practice's own id, encrypted with a key only that practice's pages use.
    local_id_encrypted = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "pseudonym"], name="provider_unique")
        ]

    def __str__(self) -> str:
        return f"provider {self.pseudonym[:10]}…"

    @property
    def local_id(self) -> str:
        """Only for the owning practice's pages."""
        return self.practice.decrypt_local_id(self.local_id_encrypted)


class SubmissionRecord(PracticeOwnedModel):
    """Base of the record tables: every row belongs to one submission of one practice."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class ProviderYearRecord(SubmissionRecord):
    year = models.PositiveSmallIntegerField()
    provider_pseudonym = models.CharField(max_length=64)
    subspecialty = models.CharField(max_length=20)
    clinical_fte = models.DecimalField(max_digits=5, decimal_places=3)
    work_rvus = models.DecimalField(max_digits=12, decimal_places=2)
    total_compensation = models.DecimalField(max_digits=14, decimal_places=2)
    total_fte = models.DecimalField(max_digits=5, decimal_places=3, null=True)
    base_compensation = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    incentive_compensation = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    benefits = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    partner_status = models.CharField(max_length=20, blank=True)
    years_in_practice = models.PositiveSmallIntegerField(null=True)
    call_shifts = models.PositiveIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "provider_pseudonym"], name="provider_year_unique"
            ),
            models.CheckConstraint(
                condition=Q(clinical_fte__gt=0) & Q(clinical_fte__lte=1.5),
                name="provider_year_fte_range",
            ),
            models.CheckConstraint(
                condition=Q(work_rvus__gte=0) & Q(total_compensation__gte=0),
                name="provider_year_nonnegative",
            ),
        ]


class RvuDetailRecord(SubmissionRecord):
    provider_pseudonym = models.CharField(max_length=64)
    service_month = models.DateField(help_text="First day of the month.")
    cpt_code = models.CharField(max_length=5)
    modality = models.CharField(max_length=10)
    units = models.DecimalField(max_digits=10, decimal_places=2)
    work_rvus = models.DecimalField(max_digits=12, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "submission",
                    "provider_pseudonym",
                    "service_month",
                    "cpt_code",
                    "modality",
                ],
                name="rvu_detail_unique",
            ),
        ]


class PracticeFinancialsRecord(SubmissionRecord):
    year = models.PositiveSmallIntegerField()
    total_revenue = models.DecimalField(max_digits=16, decimal_places=2)
    provider_expense = models.DecimalField(max_digits=16, decimal_places=2)
    operating_expense = models.DecimalField(max_digits=16, decimal_places=2)
    radiologist_fte = models.DecimalField(max_digits=8, decimal_places=2)
    hospital_support_received = models.DecimalField(max_digits=16, decimal_places=2, null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission"], name="practice_financials_unique"),
            models.CheckConstraint(
                condition=Q(radiologist_fte__gt=0), name="practice_financials_fte_positive"
            ),
        ]
