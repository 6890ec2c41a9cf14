"""The benchmark metrics and dimensions (SPEC section 4), declared once.

A metric is one `register(Metric(...))` call: the observation source it reads (which record
table, which rows are eligible, which dimensions apply), and the ratio computed for each
observation. The engine (benchmarks/engine.py) turns every registered metric into one branch of
a single SQL pass per year, so adding a metric needs no other code. The SQL fragments here are
fixed strings written by developers, never user input; `r` is the record row and `i` the
release's input row for its submission (which carries the practice's region and size band as
they were when the release was computed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from practices.regions import REGION_CHOICES, SIZE_BAND_CHOICES

ALL = "all"

SUBSPECIALTIES = [
    ("general", "General"),
    ("abdominal", "Abdominal"),
    ("breast", "Breast"),
    ("cardiothoracic", "Cardiothoracic"),
    ("emergency", "Emergency"),
    ("interventional", "Interventional"),
    ("musculoskeletal", "Musculoskeletal"),
    ("neuro", "Neuro"),
    ("nuclear", "Nuclear"),
    ("pediatric", "Pediatric"),
]
# Observations without a value still belong to their dimension's siblings under this name, so
# that the siblings of a dimension always add up to the `all` total (see rules.py).
UNSPECIFIED = "unspecified"
PARTNER_STATUSES = [
    ("partner", "Partner"),
    ("employed", "Employed"),
    ("contractor", "Contractor"),
    (UNSPECIFIED, "Not stated"),
]


@dataclass(frozen=True)
class Dimension:
    code: str
    label: str
    value_labels: dict[str, str]

    def value_label(self, value: str) -> str:
        return self.value_labels.get(value, value)


DIMENSIONS: dict[str, Dimension] = {
    d.code: d
    for d in [
        Dimension(ALL, "All practices", {ALL: "All"}),
        Dimension(
            "subspecialty", "Subspecialty", {**dict(SUBSPECIALTIES), UNSPECIFIED: "Not stated"}
        ),
        Dimension("region", "Census region", dict(REGION_CHOICES)),
        Dimension("practice_size", "Practice size", dict(SIZE_BAND_CHOICES)),
        Dimension("partner_status", "Partner status", dict(PARTNER_STATUSES)),
    ]
}
DIMENSION_CHOICES = [(d.code, d.label) for d in DIMENSIONS.values()]


@dataclass(frozen=True)
class ObservationSource:
    """Where observations of a family of metrics come from. Metrics of one source share their
    observations, so they also share their suppression pattern (rules.py).

    Its SQL (and its metrics') reads only the record (`r.`), the practice's input row of the
    release (`i.`) and the rule settings' parameters: an observation depends on nothing else,
    which lets a correction release compare only the inputs that changed
    (engine.observation_changes)."""

    code: str
    label: str  # what one observation is, e.g. "provider-year"
    submission_kind: str
    table: str
    key_sql: str  # identifies the observation inside its practice ('' for practice-years)
    eligibility_sql: str  # may use %(min_clinical_fte)s
    dimension_sql: dict[str, str]  # dimension code -> SQL expression of its value
    # The record column key_sql reads, which the stored frame of an upload also has (for
    # pointing an upload warning at the observation's row); None for one row per practice.
    key_column: str | None = None

    @property
    def dimensions(self) -> tuple[str, ...]:
        return (ALL, *self.dimension_sql)


PROVIDER_YEAR = ObservationSource(
    code="provider_year",
    label="provider-year",
    submission_kind="provider_year",
    table="submissions_provideryearrecord",
    key_sql="r.provider_pseudonym",
    key_column="provider_pseudonym",
    # SPEC 4: providers with at least this clinical FTE, normalized to 1.0 FTE by the ratio.
    eligibility_sql="r.clinical_fte >= %(min_clinical_fte)s",
    dimension_sql={
        "subspecialty": f"coalesce(nullif(lower(trim(r.subspecialty)), ''), '{UNSPECIFIED}')",
        "region": "i.region",
        "practice_size": "i.size_band",
        "partner_status": f"coalesce(nullif(lower(trim(r.partner_status)), ''), '{UNSPECIFIED}')",
    },
)

# One observation per practice-year. Subspecialty and partner status describe radiologists,
# not practices, so they do not apply.
PRACTICE_YEAR = ObservationSource(
    code="practice_year",
    label="practice-year",
    submission_kind="practice_financials",
    table="submissions_practicefinancialsrecord",
    key_sql="''",
    eligibility_sql="true",
    dimension_sql={"region": "i.region", "practice_size": "i.size_band"},
)

# Quality (SPEC 6): one observation per practice-year of each quality kind, read from the
# year summaries the quality app stores on import (quality/models.py).
_PRACTICE_DIMENSIONS = {"region": "i.region", "practice_size": "i.size_band"}
TURNAROUND_YEAR = ObservationSource(
    code="turnaround_year",
    label="practice-year",
    submission_kind="exam_turnaround",
    table="quality_turnaroundclassyear",
    key_sql="''",
    eligibility_sql="true",
    dimension_sql=_PRACTICE_DIMENSIONS,
)
PEER_REVIEW_YEAR = ObservationSource(
    code="peer_review_year",
    label="practice-year",
    submission_kind="peer_review",
    table="quality_peerreviewyear",
    key_sql="''",
    eligibility_sql="r.total_scores > 0",
    dimension_sql=_PRACTICE_DIMENSIONS,
)
QUALITY_MEASURE_YEAR = ObservationSource(
    code="quality_measure_year",
    label="practice-year",
    submission_kind="quality_measure",
    table="quality_qualitymeasurerecord",
    key_sql="''",
    eligibility_sql="r.denominator > 0",
    dimension_sql=_PRACTICE_DIMENSIONS,
)

SOURCES: dict[str, ObservationSource] = {
    s.code: s
    for s in (PROVIDER_YEAR, PRACTICE_YEAR, TURNAROUND_YEAR, PEER_REVIEW_YEAR, QUALITY_MEASURE_YEAR)
}

HIGHER, LOWER, IN_BAND = "higher", "lower", "band"


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    unit: str  # shown next to values: "wRVU", "$", "$ per wRVU"
    source: ObservationSource
    numerator_sql: str
    denominator_sql: str
    condition_sql: str = "true"
    description: str = ""
    money: bool = field(default=False)
    # The upload column an outlier warning about this metric points at (practices/submissions/
    # checks.py); a metric without one gets no outlier warning on upload.
    input_column: str = ""
    # What is better (HIGHER, LOWER, or IN_BAND: inside the target band, else closer to it);
    # "" where the coalition does not judge (money).
    better: str = ""
    # The target: a fixed bound or band (target_low and/or target_high), or the rule setting
    # that holds it (RuleSet.targets(), e.g. a turnaround in minutes), in the metric's unit
    # when target_unit is empty.
    target_low: Decimal | None = None
    target_high: Decimal | None = None
    target_setting: str = ""
    target_text: str = ""  # the target in words, e.g. "at least 95%"
    area: str = "economics"  # "quality": shown on the quality pages

    def target_for(self, rules) -> tuple[Decimal | None, Decimal | None]:
        """(low, high) of the target band under the release's rules (None: unbounded)."""
        if self.target_setting:
            value = Decimal(rules.targets()[self.target_setting])
            return (None, value) if self.better == LOWER else (value, None)
        return self.target_low, self.target_high

    def is_better(self, value: Decimal, than: Decimal) -> bool:
        """Whether `value` is better than `than` by the metric's direction."""
        if self.better == HIGHER:
            return value > than
        if self.better == LOWER:
            return value < than
        if self.better == IN_BAND:
            return self.band_distance(value) < self.band_distance(than)
        return False

    def band_distance(self, value: Decimal) -> Decimal:
        if self.target_low is not None and value < self.target_low:
            return self.target_low - value
        if self.target_high is not None and value > self.target_high:
            return value - self.target_high
        return Decimal(0)

    @property
    def dimensions(self) -> tuple[str, ...]:
        return self.source.dimensions


METRICS: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    if metric.code in METRICS:
        raise ValueError(f"Metric {metric.code!r} is registered twice.")
    if not metric.code.isidentifier() or metric.code != metric.code.lower():
        raise ValueError(f"Metric code {metric.code!r} must be a lower-case identifier.")
    METRICS[metric.code] = metric
    return metric


def metric_choices() -> list[tuple[str, str]]:
    return [(m.code, m.label) for m in METRICS.values()]


def get_metric(code: str) -> Metric:
    try:
        return METRICS[code]
    except KeyError:
        raise KeyError(f"Unknown metric {code!r}; known: {', '.join(METRICS)}.") from None


# --- provider metrics (one observation per provider-year) -------------------------------------
register(
    Metric(
        code="wrvu_per_fte",
        label="Work RVUs per clinical FTE",
        unit="wRVU",
        source=PROVIDER_YEAR,
        numerator_sql="r.work_rvus",
        denominator_sql="r.clinical_fte",
        description="work_rvus / clinical_fte of each provider-year",
        input_column="work_rvus",
    )
)
register(
    Metric(
        code="comp_per_fte",
        label="Total compensation per clinical FTE",
        unit="$",
        source=PROVIDER_YEAR,
        numerator_sql="r.total_compensation",
        denominator_sql="r.clinical_fte",
        description="total_compensation / clinical_fte of each provider-year",
        money=True,
        input_column="total_compensation",
    )
)
register(
    Metric(
        code="comp_per_wrvu",
        label="Compensation per work RVU",
        unit="$ per wRVU",
        source=PROVIDER_YEAR,
        numerator_sql="r.total_compensation",
        denominator_sql="r.work_rvus",
        condition_sql="r.work_rvus > 0",
        description="total_compensation / work_rvus of each provider-year with work_rvus > 0",
        money=True,
        input_column="total_compensation",
    )
)

# --- practice metrics (one observation per practice-year) -------------------------------------
register(
    Metric(
        code="revenue_per_fte",
        label="Revenue per radiologist FTE",
        unit="$",
        source=PRACTICE_YEAR,
        numerator_sql="r.total_revenue",
        denominator_sql="r.radiologist_fte",
        description="total_revenue / radiologist_fte of each practice-year",
        money=True,
        input_column="total_revenue",
    )
)
register(
    Metric(
        code="expense_per_fte",
        label="Expense per radiologist FTE",
        unit="$",
        source=PRACTICE_YEAR,
        numerator_sql="r.provider_expense + r.operating_expense",
        denominator_sql="r.radiologist_fte",
        description="(provider_expense + operating_expense) / radiologist_fte",
        money=True,
        input_column="operating_expense",
    )
)
register(
    Metric(
        code="support_needed_per_fte",
        label="Hospital support needed per radiologist FTE",
        unit="$",
        source=PRACTICE_YEAR,
        numerator_sql="r.provider_expense + r.operating_expense - r.total_revenue",
        denominator_sql="r.radiologist_fte",
        description="(provider_expense + operating_expense - total_revenue) / radiologist_fte",
        money=True,
        # SPEC 5's typical range of this figure is a pair of reference figures (staff-edited,
        # benchmarks/selectors.py typical_range), drawn as a band on its charts.
    )
)


# --- quality metrics (SPEC 6; one observation per practice-year) ---------------------------
_CLASSES = (("ed", "ED", "emergency"), ("inpatient", "inpatient", "inpatient"))
_CLASSES += (("outpatient", "outpatient", "outpatient"),)
for _suffix, _class, _words in _CLASSES:
    _setting = f"tat_target_{_suffix}_minutes"
    register(
        Metric(
            code=f"tat_median_minutes_{_suffix}",
            label=f"Median report turnaround, {_words} (minutes)",
            unit="minutes",
            source=TURNAROUND_YEAR,
            numerator_sql="r.median_seconds",
            denominator_sql="60",
            condition_sql=f"r.patient_class = '{_class}'",
            description=f"median of finalized_at - completed_at over the practice's {_class} "
            "exams of the year (linear interpolation), in minutes",
            better=LOWER,
            target_setting=_setting,
            target_text="at most the turnaround target",
            area="quality",
        )
    )
    # within_by_minute[k + 1] counts the exams read within k minutes, up to the class's
    # longest turnaround; past its end every exam is within.
    register(
        Metric(
            code=f"tat_within_target_pct_{_suffix}",
            label=f"Exams reported within target, {_words} (%)",
            unit="%",
            source=TURNAROUND_YEAR,
            numerator_sql=f"100 * CASE WHEN %({_setting})s + 1 <= cardinality(r.within_by_minute) "
            f"THEN r.within_by_minute[%({_setting})s + 1] ELSE r.exam_count END",
            denominator_sql="r.exam_count",
            condition_sql=f"r.patient_class = '{_class}'",
            description=f"100 x {_class} exams with turnaround <= the target / all {_class} "
            "exams of the year",
            better=HIGHER,
            area="quality",
        )
    )
register(
    Metric(
        code="peer_review_major_discrepancy_pct",
        label="Peer review major discrepancies (%)",
        unit="%",
        source=PEER_REVIEW_YEAR,
        numerator_sql="100 * r.major_discrepancies",
        denominator_sql="r.total_scores",
        description="100 x (2b + 3a + 3b) / all RADPEER scores of the year",
        better=LOWER,
        area="quality",
    )
)
for _measure, _code, _label, _better, _low, _high, _text in (
    (
        "critical_result_10min",
        "critical_result_timely_pct",
        "Critical results communicated within 10 minutes (%)",
        HIGHER,
        Decimal(95),
        None,
        "above 95%",
    ),
    (
        "mammography_recall",
        "mammography_recall_pct",
        "Screening mammography recall rate (%)",
        IN_BAND,
        Decimal(8),
        Decimal(12),
        "8-12%",
    ),
    (
        "patient_experience",
        "patient_experience_top_box_pct",
        "Patient experience, top-box responses (%)",
        HIGHER,
        None,
        None,
        "",
    ),
):
    register(
        Metric(
            code=_code,
            label=_label,
            unit="%",
            source=QUALITY_MEASURE_YEAR,
            numerator_sql="100 * r.numerator",
            denominator_sql="r.denominator",
            condition_sql=f"r.measure_code = '{_measure}'",
            description=f"100 x numerator / denominator of the measure {_measure}",
            better=_better,
            target_low=_low,
            target_high=_high,
            target_text=_text,
            area="quality",
        )
    )


def quality_metrics() -> list[Metric]:
    return [m for m in METRICS.values() if m.area == "quality"]


def economics_metrics() -> list[Metric]:
    return [m for m in METRICS.values() if m.area != "quality"]
