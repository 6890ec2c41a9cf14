"""Benchmark releases, their cells, the inputs they were computed from, the staff-set rule
thresholds and the external reference figures.

A release is computed for one year as a draft, reviewed and published. Once published its row,
cells, inputs and observations are immutable: services refuse to change them, and triggers
(migration 0002) make PostgreSQL refuse any UPDATE or DELETE of them as well.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, LessThan

from benchmarks.rules import FLOOR, RuleSet
from coalition.expressions import Cardinality, listed_count
from coalition.tenancy import PracticeOwnedModel

STAT_DIGITS = {"max_digits": 20, "decimal_places": 4}
# The longest turnaround target staff may set (one week); exam histograms keep per-minute
# counts up to it (quality/models.py).
MAX_TARGET_MINUTES = 10_080


class RuleSettings(models.Model):
    """The disclosure thresholds staff may tighten (one row). Every release keeps a copy of the
    values it was computed with, so changing them never alters a release."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    min_practices = models.PositiveSmallIntegerField(
        "minimum practices per cell",
        validators=[MinValueValidator(FLOOR.min_practices), MaxValueValidator(100)],
        help_text=f"Distinct practices a published statistic needs (at least {FLOOR.min_practices}).",
    )
    max_practice_share = models.DecimalField(
        "maximum share of one practice",
        max_digits=3,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0.01")),
            MaxValueValidator(FLOOR.max_practice_share),
        ],
        help_text="Largest fraction of a cell's observations one practice may contribute "
        f"(at most {FLOOR.max_practice_share}).",
    )
    min_observations_central = models.PositiveSmallIntegerField(
        "minimum observations for mean and quartiles",
        validators=[MinValueValidator(FLOOR.min_observations_central), MaxValueValidator(1000)],
    )
    min_observations_tails = models.PositiveSmallIntegerField(
        "minimum observations for p10 and p90",
        validators=[MinValueValidator(FLOOR.min_observations_tails), MaxValueValidator(1000)],
    )
    publication_lag_months = models.PositiveSmallIntegerField(
        "months after the year ends before it may be published",
        validators=[MinValueValidator(FLOOR.publication_lag_months), MaxValueValidator(36)],
    )
    min_clinical_fte = models.DecimalField(
        "minimum clinical FTE of a provider",
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1.5"))],
        help_text="Providers below it are left out of provider metrics.",
    )
    # Quality targets (SPEC 6), not disclosure rules: within-target shares count the exams read
    # within these minutes.
    tat_target_ed_minutes = models.PositiveSmallIntegerField(
        "turnaround target, emergency (minutes)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)],
    )
    tat_target_inpatient_minutes = models.PositiveSmallIntegerField(
        "turnaround target, inpatient (minutes)",
        default=240,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)],
    )
    tat_target_outpatient_minutes = models.PositiveSmallIntegerField(
        "turnaround target, outpatient (minutes)",
        default=480,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "disclosure rule settings"
        verbose_name_plural = "disclosure rule settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="rulesettings_singleton"),
            models.CheckConstraint(
                condition=Q(min_practices__gte=FLOOR.min_practices)
                & Q(max_practice_share__gt=0)
                & Q(max_practice_share__lte=FLOOR.max_practice_share)
                & Q(min_observations_central__gte=FLOOR.min_observations_central)
                & Q(min_observations_tails__gte=FLOOR.min_observations_tails)
                & Q(min_observations_tails__gte=F("min_observations_central"))
                & Q(publication_lag_months__gte=FLOOR.publication_lag_months)
                & Q(min_clinical_fte__gt=0)
                & Q(min_clinical_fte__lte=Decimal("1.5")),
                name="rulesettings_not_below_floor",
            ),
            models.CheckConstraint(
                condition=Q(tat_target_ed_minutes__gte=1)
                & Q(tat_target_ed_minutes__lte=MAX_TARGET_MINUTES)
                & Q(tat_target_inpatient_minutes__gte=1)
                & Q(tat_target_inpatient_minutes__lte=MAX_TARGET_MINUTES)
                & Q(tat_target_outpatient_minutes__gte=1)
                & Q(tat_target_outpatient_minutes__lte=MAX_TARGET_MINUTES),
                name="rulesettings_tat_targets_range",
            ),
        ]

    def __str__(self) -> str:
        return "Disclosure rule settings"

    def as_ruleset(self) -> RuleSet:
        return RuleSet(
            min_practices=self.min_practices,
            max_practice_share=Decimal(self.max_practice_share),
            min_observations_central=self.min_observations_central,
            min_observations_tails=self.min_observations_tails,
            publication_lag_months=self.publication_lag_months,
            min_clinical_fte=Decimal(self.min_clinical_fte),
            tat_target_ed_minutes=self.tat_target_ed_minutes,
            tat_target_inpatient_minutes=self.tat_target_inpatient_minutes,
            tat_target_outpatient_minutes=self.tat_target_outpatient_minutes,
        )


class BenchmarkRelease(models.Model):
    """One computation of one year's benchmarks. Life cycle: queued -> computing -> draft (or
    failed) -> published. At most one unpublished release per year; published ones are kept,
    numbered by `version`, and the highest published version of a year is the current one."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        COMPUTING = "computing", "Computing"
        DRAFT = "draft", "Draft"
        FAILED = "failed", "Failed"
        PUBLISHED = "published", "Published"

    year = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    # The thresholds the cells were computed with (RuleSet.as_dict()).
    rule_settings = models.JSONField(default=dict)
    # sha256 over the sorted (submission id, version, file sha256) of the inputs.
    inputs_digest = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    compute_seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="release_version_unique"),
            models.UniqueConstraint(
                fields=["year"],
                condition=~Q(status="published"),
                name="release_one_unpublished_per_year",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "computing", "draft", "failed", "published"]),
                name="release_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="release_year_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="published")
                | (Q(published_at__isnull=False) & Q(computed_at__isnull=False)),
                name="release_published_has_dates",
            ),
        ]
        indexes = [models.Index(fields=["status", "year", "version"])]
        permissions = [
            ("compute_release", "Can compute draft benchmark releases"),
            ("publish_release", "Can publish benchmark releases"),
            ("view_draft", "Can see unpublished benchmark releases and the suppression report"),
        ]

    def __str__(self) -> str:
        return f"{self.year} benchmarks v{self.version} ({self.get_status_display()})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def rules(self) -> RuleSet | None:
        return RuleSet.from_dict(self.rule_settings) if self.rule_settings else None


class ReleaseInput(PracticeOwnedModel):
    """One submission a release was computed from, with the version and file hash it had and the
    practice's region and size band at the time (dimensions are read from here, so recomputing
    a release gives the same cells even after a practice's profile changes). PROTECT keeps the
    submission, and with it its records, for as long as a release depends on it."""

    release = models.ForeignKey(BenchmarkRelease, on_delete=models.CASCADE, related_name="+")
    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.PROTECT, related_name="benchmark_inputs"
    )
    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    region = models.CharField(max_length=20)
    size_band = models.CharField(max_length=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "submission"], name="release_input_unique_submission"
            ),
            models.UniqueConstraint(
                fields=["release", "practice", "kind"], name="release_input_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"release {self.release_id}: submission {self.submission_id} v{self.version}"


class BenchmarkCell(models.Model):
    """metric x dimension x value of a release's year. Statistics a rule withholds are stored as
    NULL (they are never kept), with the reasons in `suppression_reasons`. The counts are kept
    for the staff suppression report; member-facing outputs blank them when `suppressed`."""

    release = models.ForeignKey(BenchmarkRelease, on_delete=models.CASCADE, related_name="cells")
    # Codes of the registry (benchmarks/metrics.py); not choices, so that declaring a metric
    # needs no migration.
    metric = models.CharField(max_length=40)
    dimension = models.CharField(max_length=20)
    value = models.CharField(max_length=40)
    n_practices = models.PositiveIntegerField()
    n_observations = models.PositiveIntegerField()
    # Staff only: the largest single practice's observations (the dominance rule's input).
    max_practice_observations = models.PositiveIntegerField()
    mean = models.DecimalField(null=True, blank=True, **STAT_DIGITS)
    p10 = models.DecimalField(null=True, blank=True, **STAT_DIGITS)
    p25 = models.DecimalField(null=True, blank=True, **STAT_DIGITS)
    p50 = models.DecimalField(null=True, blank=True, **STAT_DIGITS)
    p75 = models.DecimalField(null=True, blank=True, **STAT_DIGITS)
    p90 = models.DecimalField(null=True, blank=True, **STAT_DIGITS)
    suppressed = models.BooleanField(default=False)
    suppression_reasons = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    # Staff only: how a residual or differencing rule reached its decision, in words (the
    # groups of observations concerned and their counts). Never shown to members.
    suppression_notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["metric", "dimension", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "metric", "dimension", "value"], name="cell_unique"
            ),
            # The Statement 6 floor holds in the database whatever the settings say.
            models.CheckConstraint(
                condition=Q(suppressed=True)
                | (
                    Q(n_practices__gte=FLOOR.min_practices)
                    & Q(n_observations__gte=F("max_practice_observations") * 4)
                ),
                name="cell_published_meets_practice_floor",
            ),
            models.CheckConstraint(
                condition=Q(suppressed=False)
                | (
                    Q(mean__isnull=True)
                    & Q(p10__isnull=True)
                    & Q(p25__isnull=True)
                    & Q(p50__isnull=True)
                    & Q(p75__isnull=True)
                    & Q(p90__isnull=True)
                    & ~Q(suppression_reasons=[])
                ),
                name="cell_suppressed_has_no_statistics",
            ),
            models.CheckConstraint(
                condition=(
                    Q(mean__isnull=True)
                    & Q(p25__isnull=True)
                    & Q(p50__isnull=True)
                    & Q(p75__isnull=True)
                )
                | Q(n_observations__gte=FLOOR.min_observations_central),
                name="cell_central_statistics_floor",
            ),
            models.CheckConstraint(
                condition=(Q(p10__isnull=True) & Q(p90__isnull=True))
                | Q(n_observations__gte=FLOOR.min_observations_tails),
                name="cell_tail_statistics_floor",
            ),
            models.CheckConstraint(
                condition=Q(max_practice_observations__lte=F("n_observations"))
                & Q(n_practices__lte=F("n_observations"))
                & Q(n_practices__gte=1),
                name="cell_counts_consistent",
            ),
            models.CheckConstraint(
                condition=(
                    Q(p25__isnull=True)
                    | Q(p50__isnull=True)
                    | Q(p75__isnull=True)
                    | (Q(p25__lte=F("p50")) & Q(p50__lte=F("p75")))
                )
                & (Q(p10__isnull=True) | Q(p25__isnull=True) | Q(p10__lte=F("p25")))
                & (Q(p90__isnull=True) | Q(p75__isnull=True) | Q(p75__lte=F("p90"))),
                name="cell_percentiles_ordered",
            ),
        ]
        indexes = [models.Index(fields=["release", "metric", "dimension"])]

    def __str__(self) -> str:
        return f"{self.metric} {self.dimension}={self.value}"


# A percentile rank an observation set does not keep (its cell does not publish its full band).
NO_RANK = 65535


class ObservationSet(PracticeOwnedModel):
    """A practice's observations of one source (provider-years, practice-years...) in a release,
    with their values and percentile ranks, stored as lists: one row per release, practice and
    source instead of one per observation and metric. A release writes some 26,000
    observations, each with up to five ranks, and PostgreSQL stores a row, checks its foreign
    keys and indexes it far more slowly than it stores a long value; PracticeObservation reads
    the lists back one observation per row.

    Positions 1..size are the set's records (a provider-year, a practice-year...). Every list
    below is flat: text lists have their entries separated by "," (an empty entry where a
    position has no value), byte lists a fixed width per entry. PracticeObservation numbers
    its rows from the set's id, metric and position, hence at most 99 metrics and 99,999
    positions a set."""

    release = models.ForeignKey(
        BenchmarkRelease, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.PROTECT, related_name="benchmark_observation_sets"
    )
    source = models.CharField(max_length=40, help_text="An observation source of the registry.")
    size = models.PositiveIntegerField(help_text="How many positions (records) the set holds.")
    # The observation key of each position (a provider pseudonym; '' for a practice-year)...
    observation_keys = models.TextField(blank=True)
    # ...or, where every key is a SHA-256 digest in hex (provider pseudonyms), the 32 bytes of
    # each instead (and no observation_keys): half the size to write.
    observation_digests = models.BinaryField(null=True, blank=True)
    dimensions = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    # For each dimension, the values its indexes point into (the release's values of that
    # dimension, sorted; a JSON list of lists, in `dimensions` order)...
    dimension_dictionaries = models.JSONField(default=list, blank=True)
    # ...and each position's 0-based index into them: dimension d's, position i's entry is
    # number (d - 1) x size + i.
    dimension_indexes = models.TextField(blank=True)
    metrics = ArrayField(models.CharField(max_length=40))
    # Each position's value in each metric, in ten-thousandths (the stored 4 places): entry
    # (m - 1) x size + i.
    metric_values = models.TextField()
    # The dimensions ranks are kept for: `all`, then the set's dimensions.
    rank_dimensions = ArrayField(models.CharField(max_length=20))
    # Each position's percentile rank in each metric and rank dimension in tenths, as
    # big-endian unsigned 16-bit integers (NO_RANK where that cell does not publish its full
    # band): entry ((m - 1) x R + r - 1) x size + i.
    ranks = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "practice", "source"], name="observation_set_unique"
            ),
            models.CheckConstraint(
                condition=Q(size__gte=1)
                & Q(size__lt=100_000)
                & Q(LessThan(Cardinality("metrics"), 100))
                & (
                    (
                        Q(observation_digests__isnull=True)
                        & Q(Exact(listed_count("observation_keys"), F("size")))
                    )
                    | (
                        Q(observation_keys="")
                        & Q(Exact(Length("observation_digests"), F("size") * 32))
                    )
                )
                & Q(Exact(listed_count("metric_values"), Cardinality("metrics") * F("size")))
                & Q(
                    Exact(
                        Length("ranks"),
                        Cardinality("metrics") * Cardinality("rank_dimensions") * F("size") * 2,
                    )
                )
                & (
                    (Q(dimensions=[]) & Q(dimension_indexes=""))
                    | Q(
                        Exact(
                            listed_count("dimension_indexes"), Cardinality("dimensions") * F("size")
                        )
                    )
                )
                & Q(Exact(Cardinality("rank_dimensions"), Cardinality("dimensions") + 1)),
                name="observation_set_lists_aligned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} observations"


class PracticeObservation(PracticeOwnedModel):
    """A practice's own observation in a release (one provider-year or practice-year per
    metric) with its percentile rank in each dimension's coalition distribution. Ranks are
    kept only where that cell publishes its full p10-p90 band. Practice-owned: a practice sees
    only its own rows, through its own pages.

    A read-only database view over ObservationSet (migration 0008); rows are written as sets."""

    # A view takes no part in cascades: deleting a release deletes its sets, and the view
    # follows.
    release = models.ForeignKey(
        BenchmarkRelease, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    practice = models.ForeignKey(
        "practices.Practice",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="benchmark_observations",
    )
    metric = models.CharField(max_length=40)
    provider_pseudonym = models.CharField(max_length=64, blank=True)
    value = models.DecimalField(**STAT_DIGITS)
    dimension_values = models.JSONField(default=dict)
    # dimension code -> percentile rank (0-100) of `value` in that dimension's cell.
    percentile_ranks = models.JSONField(default=dict)

    class Meta:
        managed = False  # a view; its name is the default table name

    def __str__(self) -> str:
        return f"{self.metric} observation"


class ReferenceFigure(models.Model):
    """A published survey figure shown next to the coalition's own (staff-managed)."""

    class Statistic(models.TextChoices):
        MEAN = "mean", "Mean"
        P10 = "p10", "10th percentile"
        P25 = "p25", "25th percentile"
        P50 = "p50", "Median"
        P75 = "p75", "75th percentile"
        P90 = "p90", "90th percentile"
        # The two ends of a published "typical" range (e.g. hospital support per FTE of
        # $100,000-$300,000, SPEC section 5), which is not a percentile of any survey.
        RANGE_LOW = "range_low", "Typical range, low end"
        RANGE_HIGH = "range_high", "Typical range, high end"

    metric = models.CharField(max_length=40, help_text="A metric code of the registry.")
    statistic = models.CharField(max_length=10, choices=Statistic.choices)
    value = models.DecimalField(max_digits=16, decimal_places=2)
    source = models.CharField(max_length=200, help_text="Publisher and title of the survey.")
    survey_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
        help_text="Year the survey's data describe; blank when the source does not say.",
    )
    url = models.URLField(blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["metric", "statistic", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "statistic", "source", "survey_year"],
                nulls_distinct=False,
                name="reference_figure_unique",
            ),
            models.CheckConstraint(
                condition=Q(
                    statistic__in=[
                        "mean",
                        "p10",
                        "p25",
                        "p50",
                        "p75",
                        "p90",
                        "range_low",
                        "range_high",
                    ]
                ),
                name="reference_figure_statistic_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.statistic} = {self.value} ({self.source})"
