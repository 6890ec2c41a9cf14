"""Purchasing API: the contract catalog; a practice's purchases (list, enter), spend and savings,
tier tracking and price standing; staff reports across practices."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from coalition.purchasing import selectors, services
from coalition.purchasing.api.serializers import (
    ContractSerializer,
    PriceCellSerializer,
    PurchaseRecordSerializer,
    ReportQuerySerializer,
    ReportRowSerializer,
    TierStatusSerializer,
)
from coalition.purchasing.models import Contract, Enrollment, PurchaseRecord
from coalition.purchasing.views import can_read_catalog
from coalition.scoping import PracticeScopedViewSet
from practices.models import Role

REPORT_PARAMETERS = [
    OpenApiParameter(
        "by", str, enum=list(selectors.GROUPINGS), description="Grouping (default vendor)."
    ),
    OpenApiParameter("year", int, description="Purchase year (default: every year)."),
]


def _report_query(request) -> tuple[str, int | None]:
    query = ReportQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["by"], query.validated_data.get("year")


class CatalogPermission(IsAuthenticated):
    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        auth = getattr(request, "auth", None)
        if auth is not None and hasattr(auth, "practice"):  # a practice API key
            return auth.practice.is_active
        return can_read_catalog(request.user)


class ContractFilter(filters.FilterSet):
    vendor = filters.CharFilter(field_name="vendor__name", lookup_expr="iexact")
    active_on = filters.DateFilter(method="filter_active_on", label="In force on this day")

    class Meta:
        model = Contract
        fields = ["category", "vendor", "number"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class ContractViewSet(viewsets.ReadOnlyModelViewSet):
    """The contract catalog with each contract's tiers: members and purchasing staff."""

    serializer_class = ContractSerializer
    permission_classes = [CatalogPermission]
    queryset = selectors.catalog(include_expired=True)
    filterset_class = ContractFilter
    ordering_fields = ["number", "ends_on", "starts_on", "category", "admin_fee_pct"]
    ordering = ["number"]
    lookup_url_kwarg = "contract_id"


class PurchaseFilter(filters.FilterSet):
    contract = filters.CharFilter(field_name="contract__number")
    year = filters.NumberFilter(
        field_name="purchased_on", lookup_expr="year", min_value=2000, max_value=2100
    )
    purchased_after = filters.DateFilter(field_name="purchased_on", lookup_expr="gte")
    purchased_before = filters.DateFilter(field_name="purchased_on", lookup_expr="lte")

    class Meta:
        model = PurchaseRecord
        fields = ["contract", "year", "source"]


class PurchaseRecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, PracticeScopedViewSet
):
    """The practice's purchase records. POST enters one (submitters and admins); the answer
    lists its warnings (outside the practice's enrollment, price paid above list price)."""

    scoped_model = PurchaseRecord
    serializer_class = PurchaseRecordSerializer
    action_roles = {"create": Role.SUBMITTER}
    filterset_class = PurchaseFilter
    ordering_fields = ["purchased_on", "created_at", "price_paid", "quantity"]
    ordering = ["-purchased_on", "-id"]
    lookup_url_kwarg = "purchaserecord_id"

    def refine_queryset(self, queryset):
        return queryset.select_related("contract")

    def perform_create(self, serializer):
        try:
            result = services.purchase_record_create(
                practice=self.practice, user=self.request.user, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from None
        result.record._warnings = result.warnings
        serializer.instance = result.record


class PracticeSpendViewSet(PracticeScopedViewSet):
    """The practice's spend, list total, savings and admin fees by vendor, category or contract
    and year."""

    scoped_model = PurchaseRecord
    filter_backends = []
    pagination_class = None
    serializer_class = ReportRowSerializer

    @extend_schema(parameters=REPORT_PARAMETERS, responses=ReportRowSerializer(many=True))
    def list(self, request, *args, **kwargs):
        by, year = _report_query(request)
        if by == "practice":
            raise ValidationError({"by": "Your own spend groups by vendor, category or contract."})
        rows = selectors.spend_report(purchases=self.get_queryset(), by=by, year=year)
        return Response(ReportRowSerializer(rows, many=True).data)


class PracticeTierViewSet(PracticeScopedViewSet):
    """Tier tracking of the practice's enrollments in force today."""

    scoped_model = Enrollment
    filter_backends = []
    pagination_class = None
    serializer_class = TierStatusSerializer

    def list(self, request, *args, **kwargs):
        statuses = selectors.tier_tracking(enrollments=self.get_queryset())
        return Response(TierStatusSerializer(statuses, many=True).data)


class PracticePriceViewSet(PracticeScopedViewSet):
    """Where the practice's unit prices stand: the coalition's p25/p50/p75 of the price paid for
    each contract item the practice bought (withheld under the disclosure rules) and the
    practice's own median."""

    scoped_model = PurchaseRecord
    filter_backends = []
    pagination_class = None
    serializer_class = PriceCellSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "year", int, description="Purchase year (default: the latest with purchases)."
            )
        ],
        responses=PriceCellSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        raw = request.query_params.get("year", "")
        if raw:
            if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
                raise ValidationError({"year": "The year must have four digits."})
            year = int(raw)
        else:
            years = selectors.purchase_years(purchases=self.get_queryset())
            year = years[0] if years else date.today().year
        cells = selectors.price_benchmarks(year=year, practice=self.practice, only_own=True)
        return Response(PriceCellSerializer(cells, many=True).data)


class StaffReportViewSet(viewsets.GenericViewSet):
    """Purchasing staff: spend, savings and admin fees across practices."""

    permission_classes = [IsAuthenticated]
    serializer_class = ReportRowSerializer
    filter_backends = []
    pagination_class = None
    queryset = PurchaseRecord.objects.none()

    @extend_schema(parameters=REPORT_PARAMETERS, responses=ReportRowSerializer(many=True))
    def list(self, request, *args, **kwargs):
        if not request.user.has_perm("purchasing.view_purchasing_reports"):
            raise PermissionDenied
        by, year = _report_query(request)
        rows = selectors.spend_report(
            purchases=PurchaseRecord.objects.across_practices(), by=by, year=year
        )
        return Response(ReportRowSerializer(rows, many=True).data, status=status.HTTP_200_OK)
