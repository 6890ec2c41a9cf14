"""Serializers of the quality API: the practice's quality metrics against the coalition and the
breakdowns of its own data (read-only)."""

from __future__ import annotations

from rest_framework import serializers

from benchmarks.api.serializers import PublicCellSerializer

FIGURE = {"max_digits": 20, "decimal_places": 4, "allow_null": True}


class QualityQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class QualityTrendPointSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    cell = PublicCellSerializer(allow_null=True)
    practice_value = serializers.DecimalField(source="practice_median", **FIGURE)


class QualityMetricSerializer(serializers.Serializer):
    metric = serializers.CharField(source="metric.code")
    label = serializers.CharField(source="metric.label")
    unit = serializers.CharField(source="metric.unit")
    better = serializers.CharField(source="metric.better")
    target_low = serializers.DecimalField(**FIGURE)
    target_high = serializers.DecimalField(**FIGURE)
    cell = PublicCellSerializer(allow_null=True)
    value = serializers.DecimalField(**FIGURE)
    better_than_percent = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    trend = QualityTrendPointSerializer(many=True)


class TurnaroundRowSerializer(serializers.Serializer):
    patient_class = serializers.CharField()
    group = serializers.CharField()
    exams = serializers.IntegerField()
    median_minutes = serializers.DecimalField(max_digits=12, decimal_places=1)
    within_target_percent = serializers.DecimalField(max_digits=5, decimal_places=1)
    target_minutes = serializers.IntegerField()


class TurnaroundSerializer(serializers.Serializer):
    all = TurnaroundRowSerializer(many=True)
    modality = TurnaroundRowSerializer(many=True)
    priority = TurnaroundRowSerializer(many=True)


class DiscrepancyRowSerializer(serializers.Serializer):
    group = serializers.CharField(help_text="A modality, or the provider's own id.")
    reviews = serializers.IntegerField()
    major = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    position = serializers.CharField()


class PeerReviewSerializer(serializers.Serializer):
    all = DiscrepancyRowSerializer(many=True)
    modality = DiscrepancyRowSerializer(many=True)
    provider = DiscrepancyRowSerializer(many=True)


class QualitySerializer(serializers.Serializer):
    practice = serializers.SlugField()
    year = serializers.IntegerField(allow_null=True)
    release = serializers.IntegerField(allow_null=True)
    metrics = QualityMetricSerializer(many=True)
    turnaround = TurnaroundSerializer(allow_null=True)
    peer_review = PeerReviewSerializer(allow_null=True)
