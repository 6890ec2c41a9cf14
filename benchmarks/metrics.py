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
    observations, so they also share their suppression pattern (rules.py)."""

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

SOURCES: dict[str, ObservationSource] = {s.code: s for s in (PROVIDER_YEAR, PRACTICE_YEAR)}


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
    # A typical range drawn as a reference band on charts: (low, high, label).
    typical_range: tuple[Decimal, Decimal, str] | None = None

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
        # SPEC 5: the typical hospital support per radiologist FTE.
        typical_range=(Decimal(100_000), Decimal(300_000), "Typical $100,000–$300,000 per FTE"),
    )
)
