"""The quality cells of a release against an independent numpy computation from the generated
exams, reviews and measures; targets recorded in the release; direction-aware comparisons."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from benchmarks import services as benchmark_services
from benchmarks.metrics import METRICS, quality_metrics
from benchmarks.models import BenchmarkCell, PracticeObservation, RuleSettings
from tests.benchmarks.factories import practices as make_practices
from tests.quality.helpers import generate_practice_year as _generate

pytestmark = pytest.mark.django_db
YEAR = 2024
TODAY = date(2025, 6, 1)
CLASSES = {"ED": "ed", "inpatient": "inpatient", "outpatient": "outpatient"}
TARGETS = {"ed": 30, "inpatient": 240, "outpatient": 480}
MEASURES = {
    "critical_result_10min": "critical_result_timely_pct",
    "mammography_recall": "mammography_recall_pct",
    "patient_experience": "patient_experience_top_box_pct",
}


def _reference_values(raw: dict, targets: dict) -> dict[str, float]:
    """Each metric's value for one practice, from the raw figures (numpy only)."""
    values = {}
    for patient_class, suffix in CLASSES.items():
        seconds = np.array(raw["seconds"][patient_class], dtype=float)
        if seconds.size:
            values[f"tat_median_minutes_{suffix}"] = float(np.median(seconds / 60))
            within = np.count_nonzero(seconds <= targets[suffix] * 60)
            values[f"tat_within_target_pct_{suffix}"] = 100 * within / seconds.size
    scores = raw["scores"]
    values["peer_review_major_discrepancy_pct"] = (
        100 * (scores["2b"] + scores["3a"] + scores["3b"]) / sum(scores.values())
    )
    for code, metric in MEASURES.items():
        numerator, denominator = raw["measures"][code]
        values[metric] = 100 * numerator / denominator
    return values


@pytest.fixture
def quality_coalition(db):
    members = make_practices(12, prefix="qual")
    rng = random.Random(20240)
    raw = {p.pk: _generate(p, rng, i) for i, p in enumerate(members)}
    return members, raw


def _publish():
    release = benchmark_services.release_request(year=YEAR, enqueue=False)
    release = benchmark_services.release_compute(release_id=release.pk)
    return benchmark_services.release_publish(release=release, user=None, today=TODAY)


def _check_cells(release, members, raw, targets):
    per_practice = {p.pk: _reference_values(raw[p.pk], targets) for p in members}
    groups = {
        "all": {p.pk: "all" for p in members},
        "region": {p.pk: p.region for p in members},
        "practice_size": {p.pk: p.size_band for p in members},
    }
    cells = {
        (c.metric, c.dimension, c.value): c
        for c in BenchmarkCell.objects.filter(release=release, metric__in=METRICS)
    }
    checked = 0
    for metric in quality_metrics():
        for dimension, group_of in groups.items():
            for value in set(group_of.values()):
                sample = np.array(
                    [
                        per_practice[pk][metric.code]
                        for pk, g in group_of.items()
                        if g == value and metric.code in per_practice[pk]
                    ]
                )
                cell = cells[(metric.code, dimension, value)]
                assert cell.n_observations == sample.size == cell.n_practices
                expected = {"mean": float(np.mean(sample))}
                for name, q in (("p10", 10), ("p25", 25), ("p50", 50), ("p75", 75), ("p90", 90)):
                    expected[name] = float(np.percentile(sample, q))
                for name, figure in expected.items():
                    stored = getattr(cell, name)
                    if stored is not None:
                        assert abs(float(stored) - figure) <= 0.00051, (metric.code, name)
                        checked += 1
    return checked


def test_quality_cells_equal_an_independent_numpy_computation(quality_coalition):
    members, raw = quality_coalition
    release = _publish()
    assert release.rule_settings["tat_target_ed_minutes"] == 30
    assert release.rule_settings["tat_target_outpatient_minutes"] == 480
    checked = _check_cells(release, members, raw, TARGETS)
    assert checked >= 10 * 6  # every metric's `all` cell publishes its six statistics
    # The practice's own observation is its own value, ranked.
    own = PracticeObservation.objects.for_practice(members[0]).get(
        release=release, metric="peer_review_major_discrepancy_pct"
    )
    reference = _reference_values(raw[members[0].pk], TARGETS)["peer_review_major_discrepancy_pct"]
    assert abs(float(own.value) - reference) < 0.0001


def test_changed_targets_apply_to_the_next_release_and_are_recorded(quality_coalition, analyst):
    members, raw = quality_coalition
    settings_row = RuleSettings.objects.filter(pk=1).first()
    assert settings_row is None
    first = _publish()
    benchmark_services.rule_settings_update(
        user=analyst,
        min_practices=5,
        max_practice_share=Decimal("0.25"),
        min_observations_central=5,
        min_observations_tails=10,
        publication_lag_months=3,
        min_clinical_fte=Decimal("0.5"),
        tat_target_ed_minutes=20,
    )
    second = _publish()
    assert first.rule_settings["tat_target_ed_minutes"] == 30
    assert second.rule_settings["tat_target_ed_minutes"] == 20
    _check_cells(second, members, raw, {**TARGETS, "ed": 20})
    # The first release is unchanged.
    _check_cells(first, members, raw, TARGETS)


def test_better_means_better_by_the_metric_direction():
    lower = METRICS["peer_review_major_discrepancy_pct"]
    higher = METRICS["critical_result_timely_pct"]
    band = METRICS["mammography_recall_pct"]
    assert lower.is_better(Decimal(1), Decimal(2)) and not lower.is_better(Decimal(2), Decimal(1))
    assert higher.is_better(Decimal(99), Decimal(90))
    assert band.is_better(Decimal(10), Decimal(13)) and band.is_better(Decimal(7), Decimal(5))
    assert not band.is_better(Decimal(9), Decimal(11))  # both inside the band
    assert METRICS["tat_median_minutes_ed"].better == "lower"
    assert band.target_for(None) == (Decimal(8), Decimal(12))
    assert higher.target_for(None) == (Decimal(95), None)
