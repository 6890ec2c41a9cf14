"""Serializers of the benchmarks API. A suppressed cell's counts and statistics are null;
withheld statistics of a published cell are null (they are never stored)."""

from __future__ import annotations

from rest_framework import serializers

from benchmarks.metrics import DIMENSION_CHOICES
from benchmarks.models import BenchmarkCell, BenchmarkRelease

STAT = {"max_digits": 20, "decimal_places": 4, "allow_null": True}
STATISTICS = ("mean", "p10", "p25", "p50", "p75", "p90")


def _decimal(value):
    # As DRF renders a DecimalField with 4 places: a string, or null.
    return None if value is None else f"{value:.4f}"


class ReleaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = BenchmarkRelease
        fields = [
            "id",
            "year",
            "version",
            "status",
            "published_at",
            "rule_settings",
            "inputs_digest",
        ]
        read_only_fields = fields


class CellSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="release.year")
    n_practices = serializers.IntegerField(allow_null=True)
    n_observations = serializers.IntegerField(allow_null=True)
    mean = serializers.DecimalField(**STAT)
    p10 = serializers.DecimalField(**STAT)
    p25 = serializers.DecimalField(**STAT)
    p50 = serializers.DecimalField(**STAT)
    p75 = serializers.DecimalField(**STAT)
    p90 = serializers.DecimalField(**STAT)
    suppression_reasons = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = BenchmarkCell
        fields = [
            "release",
            "year",
            "metric",
            "dimension",
            "value",
            "n_practices",
            "n_observations",
            "mean",
            "p10",
            "p25",
            "p50",
            "p75",
            "p90",
            "suppressed",
            "suppression_reasons",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        # Built directly (the fields above document it): this is the API's hottest path.
        hidden = instance.suppressed
        return {
            "release": instance.release_id,
            "year": instance.release.year,
            "metric": instance.metric,
            "dimension": instance.dimension,
            "value": instance.value,
            "n_practices": None if hidden else instance.n_practices,
            "n_observations": None if hidden else instance.n_observations,
            **{name: _decimal(getattr(instance, name)) for name in STATISTICS},
            "suppressed": hidden,
            "suppression_reasons": list(instance.suppression_reasons),
        }


class PositionQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    dimension = serializers.ChoiceField(choices=DIMENSION_CHOICES, required=False, default="all")
    metric = serializers.ListField(child=serializers.CharField(), required=False)

    def validate_metric(self, value):
        from benchmarks.metrics import METRICS

        unknown = [code for code in value if code not in METRICS]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown metric {', '.join(unknown)}; known: {', '.join(METRICS)}."
            )
        return value


class PublicCellSerializer(serializers.Serializer):
    n_practices = serializers.IntegerField(allow_null=True)
    n_observations = serializers.IntegerField(allow_null=True)
    mean = serializers.DecimalField(**STAT)
    p10 = serializers.DecimalField(**STAT)
    p25 = serializers.DecimalField(**STAT)
    p50 = serializers.DecimalField(**STAT)
    p75 = serializers.DecimalField(**STAT)
    p90 = serializers.DecimalField(**STAT)
    suppressed = serializers.BooleanField()
    suppression_reason = serializers.CharField(allow_blank=True)


class ProviderPositionSerializer(serializers.Serializer):
    local_id = serializers.CharField()
    subspecialty = serializers.CharField(source="dimension_value")
    value = serializers.DecimalField(max_digits=20, decimal_places=4)
    percentile_rank = serializers.FloatField(allow_null=True)


class GroupPositionSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    coalition = PublicCellSerializer(source="cell", allow_null=True)
    practice_median = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    practice_observations = serializers.IntegerField()
    practice_percentile_rank = serializers.FloatField(source="percentile_rank", allow_null=True)
    providers = ProviderPositionSerializer(many=True)


class ReferenceSerializer(serializers.Serializer):
    statistic = serializers.CharField()
    value = serializers.DecimalField(max_digits=16, decimal_places=2)
    source = serializers.CharField()
    survey_year = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(allow_blank=True)


class TrendPointSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    coalition = PublicCellSerializer(source="cell", allow_null=True)
    practice_median = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)


class MetricPositionSerializer(serializers.Serializer):
    metric = serializers.CharField(source="metric.code")
    label = serializers.CharField(source="metric.label")
    unit = serializers.CharField(source="metric.unit")
    dimension = serializers.CharField()
    dimension_applies = serializers.BooleanField()
    groups = GroupPositionSerializer(many=True)
    references = ReferenceSerializer(many=True)
    trend = TrendPointSerializer(many=True)


class PositionSerializer(serializers.Serializer):
    practice = serializers.SlugField()
    year = serializers.IntegerField(allow_null=True)
    release = serializers.IntegerField(allow_null=True)
    metrics = MetricPositionSerializer(many=True)


class ExportSerializer(serializers.Serializer):
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.DictField())
