"""Reads of the quality pages and API: the practice's quality metrics against the coalition
(from a published release) and the breakdowns of its own data (its own rows only)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from benchmarks import selectors as benchmark_selectors
from benchmarks.metrics import ALL, Metric, quality_metrics
from benchmarks.models import BenchmarkRelease, PracticeObservation
from benchmarks.rules import RuleSet
from practices.submissions import selectors as submission_selectors
from practices.submissions.models import Submission
from quality.models import PeerReviewRecord, TurnaroundGroup
from quality.schemas import MAJOR_DISCREPANCY_SCORES, PATIENT_CLASSES

ONE_PLACE = Decimal("0.1")
CLASS_TARGET = {
    "ED": "tat_target_ed_minutes",
    "inpatient": "tat_target_inpatient_minutes",
    "outpatient": "tat_target_outpatient_minutes",
}


def _one_place(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(repr(float(value))).quantize(ONE_PLACE, rounding=ROUND_HALF_EVEN)


# --- the practice against the coalition ----------------------------------------------------------
@dataclass
class QualityMetricPosition:
    metric: Metric
    cell: dict | None  # public_cell_row of the `all` cell
    value: Decimal | None  # the practice's own observation
    better_than_percent: Decimal | None  # share of the other practices it does better than
    target_low: Decimal | None
    target_high: Decimal | None
    trend: list = field(default_factory=list)  # benchmarks TrendPoint
    n_compared: int = 0


def release_rules(release: BenchmarkRelease | None) -> RuleSet:
    if release is not None and release.rule_settings:
        return release.rules
    return benchmark_selectors.rule_settings_current().as_ruleset()


def quality_position(*, practice, release: BenchmarkRelease) -> list[QualityMetricPosition]:
    """Each quality metric's coalition cell (all practices), the practice's value, how many of
    the other practices it does better than (by the metric's direction, where the cell publishes
    its full band, as for percentile ranks), its target under the release's rules and the trend.
    """
    metrics = quality_metrics()
    positions = benchmark_selectors.practice_position(
        practice=practice, release=release, dimension=ALL, metrics=[m.code for m in metrics]
    )
    rules = release_rules(release)
    others: dict[str, list[Decimal]] = defaultdict(list)
    # Release-wide observations serve only to count who does worse; no figure of another
    # practice leaves this function.
    for metric, value in (
        PracticeObservation.objects.across_practices()
        .filter(release=release, metric__in=[m.code for m in metrics])
        .exclude(practice=practice)
        .values_list("metric", "value")
    ):
        others[metric].append(value)
    found = []
    for position in positions:
        metric = position.metric
        group = next((g for g in position.groups if g.value == ALL), None)
        cell = group.cell if group else None
        value = group.practice_median if group else None
        better = None
        banded = cell is not None and cell.get("p10") is not None and cell.get("p90") is not None
        compared = others.get(metric.code, [])
        if value is not None and banded and compared and metric.better:
            worse = sum(1 for other in compared if metric.is_better(value, other))
            better = _one_place(Decimal(100) * worse / len(compared))
        low, high = metric.target_for(rules)
        found.append(
            QualityMetricPosition(
                metric=metric,
                cell=cell,
                value=value,
                better_than_percent=better,
                target_low=low,
                target_high=high,
                trend=position.trend,
                n_compared=len(compared),
            )
        )
    return found


# --- the practice's own data --------------------------------------------------------------------
@dataclass
class TurnaroundBreakdown:
    patient_class: str
    group: str  # a modality, a priority, or "all"
    exams: int
    median_minutes: Decimal
    within_target_percent: Decimal
    target_minutes: int


def _merge(rows) -> tuple[np.ndarray, np.ndarray]:
    seconds = np.concatenate([np.asarray(r[0], dtype=np.int64) for r in rows])
    counts = np.concatenate([np.asarray(r[1], dtype=np.int64) for r in rows])
    order = np.argsort(seconds, kind="stable")
    seconds, counts = seconds[order], counts[order]
    unique, starts = np.unique(seconds, return_index=True)
    return unique, np.add.reduceat(counts, starts)


def _summary(rows, target_minutes: int) -> tuple[int, Decimal, Decimal]:
    from quality.storage import median_of_histogram

    seconds, counts = _merge(rows)
    total = int(counts.sum())
    within = int(counts[seconds <= target_minutes * 60].sum())
    median = median_of_histogram(seconds, counts) / 60
    return total, _one_place(median), _one_place(Decimal(100) * within / total)


def turnaround_breakdown(
    *, practice, year: int, rules: RuleSet
) -> dict[str, list[TurnaroundBreakdown]]:
    """{"modality": [...], "priority": [...], "all": [...]} for the practice's current
    exam_turnaround data of the year (empty lists without one)."""
    submission = submission_selectors.current_submission(
        practice=practice, kind="exam_turnaround", year=year
    )
    result: dict[str, list[TurnaroundBreakdown]] = {"all": [], "modality": [], "priority": []}
    if submission is None:
        return result
    rows = list(
        TurnaroundGroup.objects.for_practice(practice)
        .filter(submission=submission)
        .values_list("patient_class", "modality", "priority", "seconds", "counts")
    )
    targets = rules.targets()
    for by, index in (("all", None), ("modality", 1), ("priority", 2)):
        grouped: dict[tuple[str, str], list] = defaultdict(list)
        for row in rows:
            grouped[(row[0], "all" if index is None else row[index])].append((row[3], row[4]))
        for patient_class in PATIENT_CLASSES:
            target = targets[CLASS_TARGET[patient_class]]
            for (cls, group), parts in sorted(grouped.items()):
                if cls != patient_class:
                    continue
                exams, median, within = _summary(parts, target)
                result[by].append(
                    TurnaroundBreakdown(patient_class, group, exams, median, within, target)
                )
    return result


@dataclass
class DiscrepancyRow:
    group: str  # a modality, a provider's own id, or "all"
    reviews: int
    major: int
    percent: Decimal | None
    pseudonym: str = ""
    position: str = ""  # against the coalition band


def _rate(major: int, reviews: int) -> Decimal | None:
    return _one_place(Decimal(100) * major / reviews) if reviews else None


def _against(value: Decimal | None, cell: dict | None) -> str:
    """Where a discrepancy rate sits in the coalition band of practice-years (lower is better)."""
    if value is None or not cell or cell.get("p25") is None or cell.get("p75") is None:
        return ""
    p10, p90 = cell.get("p10"), cell.get("p90")
    if p10 is not None and value < p10:
        return "below p10 (better than 90% of practices)"
    if value < cell["p25"]:
        return "below p25"
    if value <= cell["p75"]:
        return "p25-p75"
    if p90 is not None and value > p90:
        return "above p90"
    return "above p75"


def peer_review_breakdown(*, practice, year: int, cell: dict | None = None) -> dict[str, list]:
    """{"all": [...], "modality": [...], "provider": [...]}: the practice's current peer review
    data of the year; providers with the practice's own ids (its own page only)."""
    submission = submission_selectors.current_submission(
        practice=practice, kind="peer_review", year=year
    )
    result: dict[str, list[DiscrepancyRow]] = {"all": [], "modality": [], "provider": []}
    if submission is None:
        return result
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for pseudonym, modality, score, count in (
        PeerReviewRecord.objects.for_practice(practice)
        .filter(submission=submission)
        .values_list("provider_pseudonym", "modality", "score", "count")
    ):
        major = count if score in MAJOR_DISCREPANCY_SCORES else 0
        for key in (("all", "all"), ("modality", modality), ("provider", pseudonym)):
            totals[key][0] += count
            totals[key][1] += major
    local = submission_selectors.local_ids(
        practice=practice, pseudonyms={key for by, key in totals if by == "provider"}
    )
    for (by, key), (reviews, major) in sorted(totals.items()):
        rate = _rate(major, reviews)
        if by == "provider":
            result[by].append(
                DiscrepancyRow(
                    local.get(key, key[:10]), reviews, major, rate, key, _against(rate, cell)
                )
            )
        else:
            result[by].append(DiscrepancyRow(key, reviews, major, rate))
    result["provider"].sort(key=lambda row: row.group)
    return result


def quality_years(*, practice) -> list[int]:
    """Years the practice has current quality data or a published release exists, newest first."""
    years = set(benchmark_selectors.current_published_releases())
    years |= set(
        Submission.objects.for_practice(practice)
        .filter(is_current=True, kind__in=["exam_turnaround", "peer_review", "quality_measure"])
        .values_list("period__year", flat=True)
    )
    return sorted(years, reverse=True)


def quality_page(*, practice, year: int | None) -> dict:
    """Everything the quality page, its export and its API show for the year: the coalition
    positions (from the year's current published release, if any), and the breakdowns of the
    practice's own turnaround and peer review data under that release's targets."""
    if year is None:
        return {
            "year": None,
            "release": None,
            "positions": [],
            "turnaround": {},
            "peer_review": {},
            "peer_cell": None,
        }
    release = benchmark_selectors.current_published_releases().get(year)
    positions = quality_position(practice=practice, release=release) if release else []
    rules = release_rules(release)
    peer_cell = next(
        (p.cell for p in positions if p.metric.code == "peer_review_major_discrepancy_pct"), None
    )
    return {
        "year": year,
        "release": release,
        "positions": positions,
        "turnaround": turnaround_breakdown(practice=practice, year=year, rules=rules),
        "peer_review": peer_review_breakdown(practice=practice, year=year, cell=peer_cell),
        "peer_cell": peer_cell,
    }


def quality_export_rows(
    *,
    practice,
    year: int,
    positions: list[QualityMetricPosition],
    turnaround: dict[str, list[TurnaroundBreakdown]],
    peer_review: dict[str, list[DiscrepancyRow]],
) -> list[dict]:
    """Flat rows of the quality page, for CSV/XLSX."""
    rows = []
    for p in positions:
        cell = p.cell or {}
        rows.append(
            {
                "section": "metric",
                "year": year,
                "metric": p.metric.code,
                "group": "all",
                "figure": p.value,
                "better_than_percent": p.better_than_percent,
                "coalition_p10": cell.get("p10"),
                "coalition_p25": cell.get("p25"),
                "coalition_p50": cell.get("p50"),
                "coalition_p75": cell.get("p75"),
                "coalition_p90": cell.get("p90"),
                "coalition_suppression_reason": cell.get("suppression_reason", ""),
                "target_low": p.target_low,
                "target_high": p.target_high,
                "exams_or_reviews": None,
            }
        )
    for by, items in turnaround.items():
        for item in items:
            for metric, figure in (
                (f"tat_median_minutes ({item.patient_class})", item.median_minutes),
                (f"tat_within_target_pct ({item.patient_class})", item.within_target_percent),
            ):
                rows.append(
                    {
                        "section": f"turnaround by {by}",
                        "year": year,
                        "metric": metric,
                        "group": item.group,
                        "figure": figure,
                        "target_high": item.target_minutes if "within" not in metric else None,
                        "exams_or_reviews": item.exams,
                    }
                )
    for by, items in peer_review.items():
        for item in items:
            rows.append(
                {
                    "section": f"peer review by {by}",
                    "year": year,
                    "metric": "peer_review_major_discrepancy_pct",
                    "group": item.group,
                    "figure": item.percent,
                    "exams_or_reviews": item.reviews,
                }
            )
    return rows


EXPORT_COLUMNS = [
    "section",
    "year",
    "metric",
    "group",
    "figure",
    "better_than_percent",
    "coalition_p10",
    "coalition_p25",
    "coalition_p50",
    "coalition_p75",
    "coalition_p90",
    "coalition_suppression_reason",
    "target_low",
    "target_high",
    "exams_or_reviews",
]
