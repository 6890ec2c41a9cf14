from __future__ import annotations

from rest_framework import serializers

from coalition.api.serializers import PracticeScopedModelSerializer
from coalition.purchasing import selectors
from coalition.purchasing.models import Contract, PurchaseRecord, Tier


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["id", "rank", "name", "min_annual_commitment", "discount_pct"]


class ContractSerializer(serializers.ModelSerializer):
    vendor = serializers.CharField(source="vendor.name", read_only=True)
    tiers = TierSerializer(many=True, read_only=True)
    fee_flagged = serializers.BooleanField(read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "vendor",
            "title",
            "category",
            "description",
            "starts_on",
            "ends_on",
            "admin_fee_pct",
            "fee_flagged",
            "admin_fee_disclosed_amount",
            "tiers",
        ]


class PurchaseRecordSerializer(PracticeScopedModelSerializer):
    contract = serializers.SlugRelatedField(
        slug_field="number", queryset=Contract.objects.all(), help_text="The contract number."
    )
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = PurchaseRecord
        fields = [
            "id",
            "contract",
            "purchased_on",
            "item",
            "quantity",
            "list_price",
            "price_paid",
            "source",
            "created_at",
            "warnings",
        ]
        read_only_fields = ["id", "source", "created_at", "warnings"]

    def get_warnings(self, record) -> list[dict]:
        found = getattr(record, "_warnings", [])
        return [{"column": c, "code": code, "message": m} for c, code, m in found]


class ReportRowSerializer(serializers.Serializer):
    group = serializers.CharField()
    year = serializers.IntegerField()
    spend = serializers.DecimalField(max_digits=20, decimal_places=2)
    list_total = serializers.DecimalField(max_digits=20, decimal_places=2)
    savings = serializers.DecimalField(max_digits=20, decimal_places=2)
    admin_fees = serializers.DecimalField(max_digits=20, decimal_places=2)


class ReportQuerySerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=selectors.GROUPINGS, default="vendor")
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class TierStatusSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField(source="enrollment.pk")
    contract = serializers.CharField(source="enrollment.contract.number")
    tier = serializers.CharField(source="enrollment.tier.name")
    year = serializers.IntegerField()
    spend_to_date = serializers.DecimalField(max_digits=20, decimal_places=2)
    projected = serializers.DecimalField(max_digits=20, decimal_places=2)
    commitment = serializers.DecimalField(max_digits=20, decimal_places=2)
    next_tier = serializers.CharField(source="next_tier.name", allow_null=True, default=None)
    next_commitment = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    near_next_tier = serializers.BooleanField()
    commitment_at_risk = serializers.BooleanField()


class PriceCellSerializer(serializers.Serializer):
    contract = serializers.CharField(source="contract_number")
    item = serializers.CharField()
    suppressed = serializers.BooleanField()
    suppression_reason = serializers.SerializerMethodField()
    p25 = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    p50 = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    p75 = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    own_median = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    own_observations = serializers.IntegerField()
    position = serializers.CharField()

    def get_suppression_reason(self, cell) -> str:
        return ";".join(cell.reasons)
