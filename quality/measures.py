"""The quality measures a `quality_measure` file may report (SPEC section 6), declared once.

Each measure is a numerator over a denominator for the practice's year; the benchmark metric of
the same family (benchmarks/metrics.py) is 100 x numerator / denominator. Adding a measure is
one entry here and one metric there (and a migration of the measure-code check).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    metric: str  # the benchmark metric computed from it
    numerator: str
    denominator: str


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure(
            code="critical_result_10min",
            label="Critical results communicated within 10 minutes",
            metric="critical_result_timely_pct",
            numerator="critical results communicated to a care provider within 10 minutes of "
            "the finding",
            denominator="critical results",
        ),
        Measure(
            code="mammography_recall",
            label="Screening mammography recall rate",
            metric="mammography_recall_pct",
            numerator="screening mammograms recalled for additional imaging (BI-RADS 0)",
            denominator="screening mammograms read",
        ),
        Measure(
            code="patient_experience",
            label="Patient experience, top-box responses",
            metric="patient_experience_top_box_pct",
            numerator="survey responses in the top box (e.g. 9-10 of 10, or 'definitely yes')",
            denominator="survey responses",
        ),
    )
}
MEASURE_CODES = tuple(MEASURES)
