"""Reporting periods, submissions (one uploaded file of one kind for one practice and year,
versioned) and the record tables each kind of file fills.

Record rows carry the provider's pseudonym only; the practice's own local id is kept once per
provider in Provider, encrypted with the practice's key (practices/crypto.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact

from coalition.expressions import listed_count
from coalition.tenancy import PracticeOwnedModel
from practices.models import Practice

# RvuDetailRecord ids are RvuDetailMonth id * this + position in the month's arrays.
RVU_LINES_PER_MONTH_LIMIT = 1_000_000


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


KIND_CONSTRAINT = "submission_kind_valid"


def submission_kind_constraint(codes) -> models.CheckConstraint:
    """The database's list of the upload kinds a submission may have. kinds.register() keeps it
    equal to the registry (in registration order), so migrations follow it: registering a kind adds a
    migration of this app that widens the constraint."""
    return models.CheckConstraint(condition=Q(kind__in=list(codes)), name=KIND_CONSTRAINT)


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
    # Counts per kind of issue ({"not_a_number": 12, ...}); the listed issues may be capped.
    issue_counts = models.JSONField(default=dict, blank=True)
    # Processing bookkeeping: each run of the import task takes a new token, and only the run
    # holding the latest token may store its result, so a redelivered task cannot double-store.
    processing_token = models.UUIDField(null=True, blank=True, editable=False)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    submitter_note = models.TextField(blank=True)

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
            # Filled from the registry as kinds register (kinds.py).
            submission_kind_constraint(()),
            models.CheckConstraint(condition=Q(version__gte=1), name="submission_version_positive"),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "uploaded",
                        "validating",
                        "rejected",
                        "validated",
                        "submitted",
                        "approved",
                        "returned",
                        "superseded",
                    ]
                ),
                name="submission_status_valid",
            ),
            # A rejected file has errors; anything that got past validation has none.
            models.CheckConstraint(
                condition=~Q(status="rejected") | Q(error_count__gt=0),
                name="submission_rejected_has_errors",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "is_current"]),
            models.Index(fields=["status", "submitted_at"], name="submission_queue_idx"),
        ]
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


class RvuDetailMonth(PracticeOwnedModel):
    """The rvu_detail rows of one provider and month of a submission, stored side by side
    (item i of each column is one CPT line). One database row per provider-month instead of
    one per CPT line keeps a million-line file to a few thousand rows and index entries, which
    is what lets an import run at COPY speed (docs/performance.md). RvuDetailRecord presents
    the same data one CPT line per row, with units and work RVUs as decimals.

    The codes are comma-separated text and the numbers exact integers of hundredths (units)
    and ten-thousandths (work RVUs): PostgreSQL reads those several times faster than arrays
    of varchar and numeric, whose element-by-element parsing was most of an import's COPY.

    Database invariants: one row per (submission, provider, month); row_count items in every
    column; units and work RVUs not negative (CHECKs added in migration 0002). That a (CPT
    code, modality) pair appears once per provider-month is checked by validation."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    provider_pseudonym = models.CharField(max_length=64)
    service_month = models.DateField(help_text="First day of the month.")
    row_count = models.PositiveIntegerField()
    cpt_codes = models.TextField(help_text="The month's CPT codes, comma-separated.")
    modalities = models.TextField(help_text="Their modalities, comma-separated.")
    units = ArrayField(models.BigIntegerField(), help_text="Units, in hundredths.")
    work_rvus = ArrayField(models.BigIntegerField(), help_text="Work RVUs, in ten-thousandths.")
    work_rvus_total = models.DecimalField(max_digits=16, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "provider_pseudonym", "service_month"],
                name="rvu_month_unique",
            ),
            models.CheckConstraint(
                condition=Q(row_count__gte=1) & Q(row_count__lt=RVU_LINES_PER_MONTH_LIMIT),
                name="rvu_month_row_count_range",
            ),
            models.CheckConstraint(
                condition=Q(Exact(listed_count("cpt_codes"), F("row_count")))
                & Q(Exact(listed_count("modalities"), F("row_count")))
                & Q(units__len=F("row_count"))
                & Q(work_rvus__len=F("row_count")),
                name="rvu_month_arrays_aligned",
            ),
            models.CheckConstraint(
                condition=Q(work_rvus_total__gte=0), name="rvu_month_total_nonnegative"
            ),
        ]


class RvuDetailRecord(SubmissionRecord):
    """One provider x month x CPT line of an rvu_detail submission: a read-only database view
    that unnests RvuDetailMonth (migration 0002). Rows are written through RvuDetailMonth."""

    # A view cannot take part in cascades: deleting a submission deletes its RvuDetailMonth
    # rows, and the view follows.
    submission = models.ForeignKey(
        Submission, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    provider_pseudonym = models.CharField(max_length=64)
    service_month = models.DateField(help_text="First day of the month.")
    cpt_code = models.CharField(max_length=5)
    modality = models.CharField(max_length=10)
    units = models.DecimalField(max_digits=10, decimal_places=2)
    work_rvus = models.DecimalField(max_digits=12, decimal_places=4)

    class Meta:
        managed = False  # a view; its table name is the default one


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


class SubmissionIssue(PracticeOwnedModel):
    """One error (the file is rejected) or warning (shown for review) found in a submission.
    Messages name the row, the column and the reason, never the offending value."""

    class Severity(models.TextChoices):
        ERROR = "error", "Error"
        WARNING = "warning", "Warning"

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="issues")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    code = models.CharField(max_length=40)
    # Row as a spreadsheet shows it: the header is row 1. Null for file-level issues.
    row_number = models.PositiveIntegerField(null=True, blank=True)
    column = models.CharField(max_length=100, blank=True)
    message = models.CharField(max_length=500)

    class Meta:
        ordering = ["submission", "severity", "row_number", "id"]
        indexes = [models.Index(fields=["submission", "severity", "row_number"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=["error", "warning"]), name="issue_severity_valid"
            ),
        ]

    def __str__(self) -> str:
        where = f"row {self.row_number}" if self.row_number else "file"
        return f"{self.get_severity_display()} {self.code} at {where} {self.column}".strip()
