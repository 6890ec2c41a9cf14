"""Serializers of the economics API. The model's response is presentation.model_data() passed
through EconomicsModelSerializer, so the OpenAPI schema describes exactly what is sent: money
as decimal strings with two places ("6318609.00"), statistics with four, null where missing
or withheld."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from benchmarks.economics.models import EconomicsScenario, ScenarioVersion, SupportAsk

MONEY = {"max_digits": 24, "decimal_places": 2, "allow_null": True, "read_only": True}
STAT = {"max_digits": 20, "decimal_places": 4, "allow_null": True, "read_only": True}


class ResultSerializer(serializers.Serializer):
    total_revenue = serializers.DecimalField(**MONEY)
    provider_expense = serializers.DecimalField(**MONEY)
    operating_expense = serializers.DecimalField(**MONEY)
    total_expense = serializers.DecimalField(**MONEY)
    radiologist_fte = serializers.DecimalField(**MONEY)
    deficit = serializers.DecimalField(**MONEY)
    support_needed_per_fte = serializers.DecimalField(**MONEY)
    hospital_support_received = serializers.DecimalField(**MONEY)
    support_received_per_fte = serializers.DecimalField(**MONEY)
    remaining_gap = serializers.DecimalField(**MONEY)
    remaining_gap_per_fte = serializers.DecimalField(**MONEY)
    revenue_per_fte = serializers.DecimalField(**MONEY)
    expense_per_fte = serializers.DecimalField(**MONEY)
    provider_expense_per_fte = serializers.DecimalField(**MONEY)


class FinancialsSerializer(ResultSerializer):
    submission_id = serializers.IntegerField(read_only=True)
    submission_version = serializers.IntegerField(read_only=True)


class CoalitionCellSerializer(serializers.Serializer):
    dimension = serializers.CharField(read_only=True)
    value = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    n_practices = serializers.IntegerField(allow_null=True, read_only=True)
    n_observations = serializers.IntegerField(allow_null=True, read_only=True)
    mean = serializers.DecimalField(**STAT)
    p10 = serializers.DecimalField(**STAT)
    p25 = serializers.DecimalField(**STAT)
    p50 = serializers.DecimalField(**STAT)
    p75 = serializers.DecimalField(**STAT)
    p90 = serializers.DecimalField(**STAT)
    suppressed = serializers.BooleanField(read_only=True)
    suppression_reason = serializers.CharField(read_only=True)


class DistributionSerializer(serializers.Serializer):
    metric = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True)
    practice_value = serializers.DecimalField(**MONEY)
    percentile_rank = serializers.FloatField(allow_null=True, read_only=True)
    position = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Dimension ('all', 'practice_size') -> where the practice falls in its band.",
    )
    cells = CoalitionCellSerializer(many=True, read_only=True)


class TypicalRangeSerializer(serializers.Serializer):
    low = serializers.DecimalField(**MONEY)
    high = serializers.DecimalField(**MONEY)
    source = serializers.CharField(read_only=True)
    survey_year = serializers.IntegerField(allow_null=True, read_only=True)
    position = serializers.CharField(read_only=True)


class ReleaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    published_at = serializers.DateTimeField(allow_null=True, read_only=True)


class TrendSerializer(serializers.Serializer):
    year = serializers.IntegerField(read_only=True)
    support_needed_per_fte = serializers.DecimalField(**MONEY)
    coalition = CoalitionCellSerializer(allow_null=True, read_only=True)


class ScenarioSettingsSerializer(serializers.Serializer):
    comp_basis = serializers.ChoiceField(choices=ScenarioVersion.CompBasis.choices, read_only=True)
    comp_cell = serializers.ChoiceField(choices=ScenarioVersion.CompCell.choices, read_only=True)
    revenue_per_rvu_change_pct = serializers.DecimalField(**MONEY)
    fte_change = serializers.DecimalField(**MONEY)
    operating_expense_change = serializers.DecimalField(**MONEY)
    note = serializers.CharField(read_only=True)


class OutcomeSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    scenario_id = serializers.IntegerField(allow_null=True, read_only=True)
    version = serializers.IntegerField(allow_null=True, read_only=True)
    description = serializers.CharField(read_only=True)
    settings = ScenarioSettingsSerializer(allow_null=True, read_only=True)
    comp_per_fte = serializers.DecimalField(**STAT)
    comp_cell_used = serializers.CharField(read_only=True)
    stale = serializers.BooleanField(
        read_only=True, help_text="The inputs changed since the latest version was saved."
    )
    error = serializers.CharField(read_only=True, help_text="Why it cannot be computed.")
    result = ResultSerializer(allow_null=True, read_only=True)


class ScenarioGroupsSerializer(serializers.Serializer):
    standard = OutcomeSerializer(many=True, read_only=True)
    saved = OutcomeSerializer(many=True, read_only=True)


class AskItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    category = serializers.ChoiceField(choices=SupportAsk.Category.choices, read_only=True)
    category_label = serializers.CharField(read_only=True)
    amount = serializers.DecimalField(**MONEY)
    note = serializers.CharField(read_only=True)


class AskSummarySerializer(serializers.Serializer):
    items = AskItemSerializer(many=True, read_only=True)
    total = serializers.DecimalField(**MONEY)
    cost_basis = serializers.DecimalField(**MONEY)
    difference = serializers.DecimalField(**MONEY)
    share_of_cost_basis_pct = serializers.DecimalField(
        max_digits=12, decimal_places=1, allow_null=True, read_only=True
    )


class EconomicsQualitySerializer(serializers.Serializer):
    metric = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True)
    value = serializers.DecimalField(**STAT)
    target = serializers.CharField(read_only=True)
    coalition = CoalitionCellSerializer(allow_null=True, read_only=True)


class PracticeRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class EconomicsModelSerializer(serializers.Serializer):
    practice = PracticeRefSerializer(read_only=True)
    year = serializers.IntegerField(read_only=True)
    financials = FinancialsSerializer(read_only=True)
    deficit = serializers.DecimalField(**MONEY)
    support_needed_per_fte = serializers.DecimalField(**MONEY)
    hospital_support_received = serializers.DecimalField(**MONEY)
    remaining_gap = serializers.DecimalField(**MONEY)
    remaining_gap_per_fte = serializers.DecimalField(**MONEY)
    typical_range = TypicalRangeSerializer(read_only=True)
    release = ReleaseRefSerializer(allow_null=True, read_only=True)
    size_band = serializers.CharField(read_only=True)
    size_band_label = serializers.CharField(read_only=True)
    distribution = DistributionSerializer(many=True, read_only=True)
    trend = TrendSerializer(many=True, read_only=True)
    scenarios = ScenarioGroupsSerializer(read_only=True)
    asks = AskSummarySerializer(read_only=True)
    quality = EconomicsQualitySerializer(many=True, read_only=True)
    sources = serializers.ListField(child=serializers.CharField(), read_only=True)


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField(read_only=True)


# --- scenarios ----------------------------------------------------------------------------------
class ScenarioVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScenarioVersion
        fields = [
            "number",
            "comp_basis",
            "comp_cell",
            "revenue_per_rvu_change_pct",
            "fte_change",
            "operating_expense_change",
            "note",
            "financials_submission",
            "financials_version",
            "release",
            "comp_dimension",
            "comp_value",
            "comp_per_fte",
            "total_revenue",
            "provider_expense",
            "operating_expense",
            "radiologist_fte",
            "deficit",
            "support_needed_per_fte",
            "created_at",
        ]
        read_only_fields = fields


class ScenarioSerializer(serializers.ModelSerializer):
    latest = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta:
        model = EconomicsScenario
        fields = ["id", "year", "name", "created_at", "versions", "latest"]
        read_only_fields = fields

    def _versions(self, scenario) -> list:
        return sorted(scenario.versions.all(), key=lambda v: v.number)

    def get_versions(self, scenario) -> int:
        return len(self._versions(scenario))

    @extend_schema_field(ScenarioVersionSerializer(allow_null=True))
    def get_latest(self, scenario):
        versions = self._versions(scenario)
        return ScenarioVersionSerializer(versions[-1]).data if versions else None


class ScenarioWriteSerializer(serializers.Serializer):
    """A scenario's settings; saving changed settings (or on changed inputs) adds a version."""

    name = serializers.CharField(max_length=80)
    comp_basis = serializers.ChoiceField(
        choices=ScenarioVersion.CompBasis.choices, default="actual"
    )
    comp_cell = serializers.ChoiceField(choices=ScenarioVersion.CompCell.choices, default="auto")
    revenue_per_rvu_change_pct = serializers.DecimalField(max_digits=7, decimal_places=2, default=0)
    fte_change = serializers.DecimalField(max_digits=8, decimal_places=2, default=0)
    operating_expense_change = serializers.DecimalField(max_digits=16, decimal_places=2, default=0)
    note = serializers.CharField(max_length=300, default="", allow_blank=True)


class SupportAskSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        model = SupportAsk
        fields = ["id", "year", "category", "amount", "note", "created_at", "updated_at"]
        read_only_fields = ["id", "year", "created_at", "updated_at"]
