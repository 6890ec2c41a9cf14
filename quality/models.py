"""The record tables of the quality kinds.

exam_turnaround files hold identifiers (accession numbers, dates and times of service) that are
never stored: an import keeps, per month, patient class, modality and priority, the histogram of
turnaround seconds (TurnaroundGroup: each distinct number of seconds with its count of exams),
from which every median and within-target share is computed exactly; per patient class its
year summary (TurnaroundClassYear, what the benchmarks read); and the exam ids only as keyed
tags (ExamTags, quality/exam_keys.py). A million exams become a few hundred rows.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from coalition.tenancy import PracticeOwnedModel
from practices.models import Practice
from practices.submissions.models import Submission, SubmissionRecord
from practices.submissions.schemas import MODALITIES
from quality.measures import MEASURE_CODES
from quality.schemas import PATIENT_CLASSES, PRIORITIES, RADPEER_SCORES

# The longest turnaround kept (a report finalized more than this after completion is an error).
MAX_TURNAROUND_SECONDS = 366 * 24 * 3600
# Within-target counts are kept per whole minute up to this (the largest target staff may set).
MAX_TARGET_MINUTES = 10_080


class TurnaroundGroup(SubmissionRecord):
    """The exams of one month x patient class x modality x priority of a submission, as a
    histogram: seconds[i] (ascending, distinct) is a turnaround and counts[i] how many exams
    had it."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(help_text="1-12, in the practice's time zone.")
    patient_class = models.CharField(max_length=12)
    modality = models.CharField(max_length=10)
    priority = models.CharField(max_length=10)
    exam_count = models.PositiveIntegerField()
    seconds = ArrayField(models.IntegerField())
    counts = ArrayField(models.IntegerField())

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "month", "patient_class", "modality", "priority"],
                name="turnaround_group_unique",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12), name="turnaround_group_month"
            ),
            models.CheckConstraint(
                condition=Q(patient_class__in=PATIENT_CLASSES)
                & Q(modality__in=MODALITIES)
                & Q(priority__in=PRIORITIES),
                name="turnaround_group_vocabularies",
            ),
            models.CheckConstraint(
                condition=Q(exam_count__gte=1)
                & Q(seconds__len=F("counts__len"))
                & Q(seconds__len__gte=1),
                name="turnaround_group_arrays_aligned",
            ),
        ]


class TurnaroundClassYear(PracticeOwnedModel):
    """One patient class of a submission over its year: what the benchmark metrics read. The
    median is exact (linear interpolation between the two middle exams); within_by_minute[k]
    (1-based: element k+1) is the number of exams with turnaround <= k minutes, for k up to the
    class's longest turnaround or MAX_TARGET_MINUTES."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    patient_class = models.CharField(max_length=12)
    exam_count = models.PositiveIntegerField()
    median_seconds = models.DecimalField(max_digits=12, decimal_places=1)
    within_by_minute = ArrayField(models.IntegerField())

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "patient_class"], name="turnaround_class_year_unique"
            ),
            models.CheckConstraint(
                condition=Q(patient_class__in=PATIENT_CLASSES) & Q(exam_count__gte=1),
                name="turnaround_class_year_valid",
            ),
        ]


class ExamTags(PracticeOwnedModel):
    """The keyed tags of a submission's exam ids (sorted, 8 bytes each): an exam that appears in
    another file is recognized by its tag; the id itself is not kept."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="+")
    exam_count = models.PositiveIntegerField()
    tags = models.BinaryField()

    class Meta:
        verbose_name_plural = "exam tags"


class PeerReviewRecord(SubmissionRecord):
    year = models.PositiveSmallIntegerField()
    provider_pseudonym = models.CharField(max_length=64)
    service_month = models.DateField(help_text="First day of the month.")
    modality = models.CharField(max_length=10)
    score = models.CharField(max_length=2)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "provider_pseudonym", "service_month", "modality", "score"],
                name="peer_review_unique",
            ),
            models.CheckConstraint(
                condition=Q(score__in=RADPEER_SCORES) & Q(modality__in=MODALITIES),
                name="peer_review_vocabularies",
            ),
        ]


class PeerReviewYear(PracticeOwnedModel):
    """A peer_review submission's totals for its year (what the benchmark metric reads)."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    total_scores = models.PositiveIntegerField()
    major_discrepancies = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(major_discrepancies__lte=F("total_scores")),
                name="peer_review_year_major_within_total",
            )
        ]


class QualityMeasureRecord(SubmissionRecord):
    year = models.PositiveSmallIntegerField()
    measure_code = models.CharField(max_length=40)
    numerator = models.BigIntegerField()
    denominator = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "measure_code"], name="quality_measure_unique"
            ),
            models.CheckConstraint(
                condition=Q(measure_code__in=MEASURE_CODES)
                & Q(numerator__gte=0)
                & Q(denominator__gt=0)
                & Q(numerator__lte=F("denominator")),
                name="quality_measure_valid",
            ),
        ]
