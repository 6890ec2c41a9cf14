"""Benchmarks API: published releases, their cells (filter by metric, year, dimension), CSV and
XLSX exports, and a practice's own position (under /practices/<practice_slug>/, scoped)."""

from __future__ import annotations

from functools import lru_cache

from django.http import Http404, QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from benchmarks import selectors
from benchmarks.api.filters import CellFilter, ReleaseFilter
from benchmarks.api.pagination import TotalWithRowsPagination
from benchmarks.api.renderers import CSVRenderer, XLSXRenderer
from benchmarks.api.serializers import (
    CellSerializer,
    ExportSerializer,
    PositionQuerySerializer,
    PositionSerializer,
    ReleaseSerializer,
)
from benchmarks.metrics import economics_metrics
from benchmarks.models import BenchmarkCell, PracticeObservation
from benchmarks.views import POSITION_COLUMNS
from coalition.scoping import PracticeScopedViewSet
from practices.models import PracticeAPIKey

EXPORT_RENDERERS = [JSONRenderer, CSVRenderer, XLSXRenderer]
FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["csv", "xlsx", "json"], description="File format."
)


class MayReadPublishedBenchmarks(IsAuthenticated):
    """Users of an active member practice (or its API key) and coalition staff."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        api_key = request.auth if isinstance(request.auth, PracticeAPIKey) else None
        return selectors.may_see_published(user=request.user, api_key=api_key)


class ExportMixin:
    def perform_content_negotiation(self, request, force=False):
        # An unknown ?format= is a bad request with a message, not DRF's bare 404.
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            raise ValidationError({"format": "Choose csv, xlsx or json."}) from None

    def export_response(self, request, rows: list[dict], columns: list[str], filename: str):
        response = Response({"columns": columns, "rows": rows})
        fmt = getattr(request.accepted_renderer, "format", "json")
        if fmt in ("csv", "xlsx"):
            response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
        return response


class ReleaseViewSet(ExportMixin, viewsets.ReadOnlyModelViewSet):
    """Published releases, newest first. A draft's id answers 404."""

    serializer_class = ReleaseSerializer
    permission_classes = [MayReadPublishedBenchmarks]
    lookup_url_kwarg = "benchmarkrelease_id"
    lookup_value_regex = r"\d+"
    filterset_class = ReleaseFilter
    ordering_fields = ["year", "version", "published_at"]
    ordering = ["-year", "-version"]

    def get_queryset(self):
        return selectors.published_releases()

    @extend_schema(parameters=[FORMAT_PARAMETER], responses={200: ExportSerializer})
    @action(
        detail=True, renderer_classes=EXPORT_RENDERERS, filter_backends=[], pagination_class=None
    )
    def export(self, request, benchmarkrelease_id=None):
        release = self.get_object()
        cells = (
            selectors.published_cells(release_id=release.pk)
            .select_related("release")
            .order_by("metric", "dimension", "value")
        )
        return self.export_response(
            request,
            selectors.export_rows(cells=cells),
            selectors.EXPORT_COLUMNS,
            f"benchmarks-{release.year}-v{release.version}",
        )


CELL_QUERY_PARAMETERS = frozenset(
    {"year", "release", "metric", "dimension", "value", "suppressed", "ordering"}
)


@lru_cache(maxsize=2048)
def _cell_query(params: tuple[tuple[str, str], ...]) -> tuple[tuple[str, object], ...]:
    """The validated selector arguments of a cells query string, or a ValidationError (400)
    naming the parameter. Errors are raised, never cached."""
    data = QueryDict(mutable=True)
    for key, value in params:
        data.appendlist(key, value)
    filterset = CellFilter(data, queryset=BenchmarkCell.objects.none())
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    cleaned = filterset.form.cleaned_data
    ordering = []
    for key in data.get("ordering", "").split(","):
        key = key.strip()
        if not key:
            continue
        if key.lstrip("-") not in selectors.CELL_ORDERING:
            raise ValidationError(
                {"ordering": f"Order by one of {', '.join(selectors.CELL_ORDERING)}."}
            )
        ordering.append(key)
    suppressed = cleaned.get("suppressed")
    return (
        ("year", cleaned.get("year")),
        ("release", cleaned.get("release")),
        ("metric", cleaned.get("metric") or None),
        ("dimension", cleaned.get("dimension") or None),
        ("value", cleaned.get("value") or None),
        ("suppressed", suppressed if suppressed in (True, False) else None),
        ("ordering", tuple(ordering)),
    )


class CellViewSet(ExportMixin, viewsets.GenericViewSet):
    """Cells of published releases: of each year's current release, or of `release`. Counts
    and statistics of a suppressed cell are null, and ordering never places it by its hidden
    counts (it sorts last)."""

    serializer_class = CellSerializer
    permission_classes = [MayReadPublishedBenchmarks]
    pagination_class = TotalWithRowsPagination
    filterset_class = CellFilter
    ordering_fields = list(selectors.CELL_ORDERING)
    ordering = ["-year", "metric", "dimension", "value"]

    def get_queryset(self):
        # For the schema and the filterset's form only; rows come from the selector.
        return BenchmarkCell.objects.none()

    def _validated(self, request) -> tuple[tuple[str, object], ...]:
        # Only the filter parameters matter (not `page` or `format`); the same string always
        # validates the same way, so a valid one is validated once per process.
        params = tuple(
            sorted(
                (key, value)
                for key, values in request.query_params.lists()
                if key in CELL_QUERY_PARAMETERS
                for value in values
            )
        )
        return _cell_query(params)

    def _query(self, request) -> dict:
        return dict(self._validated(request))

    @extend_schema(responses=CellSerializer(many=True))
    def list(self, request, *args, **kwargs):
        query = self._validated(request)
        stamp = selectors.published_stamp()
        rows = self.paginator.paginate_rows(
            lambda offset, limit: selectors.published_cell_page(stamp, query, offset, limit),
            request,
        )
        return self.get_paginated_response(list(rows))

    @extend_schema(
        parameters=[
            FORMAT_PARAMETER,
            OpenApiParameter("year", OpenApiTypes.INT),
            OpenApiParameter("release", OpenApiTypes.INT),
            OpenApiParameter("metric", OpenApiTypes.STR),
            OpenApiParameter("dimension", OpenApiTypes.STR),
            OpenApiParameter("value", OpenApiTypes.STR),
            OpenApiParameter("suppressed", OpenApiTypes.BOOL),
        ],
        responses={200: ExportSerializer},
    )
    @action(detail=False, renderer_classes=EXPORT_RENDERERS, pagination_class=None)
    def export(self, request):
        query = self._query(request)
        query["ordering"] = []  # files keep the fixed order of the SPEC columns
        _, rows = selectors.published_cell_rows(**query)
        for row in rows:
            row["suppression_reason"] = ";".join(row.pop("suppression_reasons"))
        return self.export_response(request, rows, selectors.EXPORT_COLUMNS, "benchmarks")


POSITION_PARAMETERS = [
    OpenApiParameter("year", OpenApiTypes.INT, description="Default: the latest published year."),
    OpenApiParameter(
        "dimension",
        OpenApiTypes.STR,
        enum=["all", "subspecialty", "region", "practice_size", "partner_status"],
    ),
    OpenApiParameter("metric", OpenApiTypes.STR, many=True, description="Metric codes."),
]


class PracticePositionViewSet(ExportMixin, PracticeScopedViewSet):
    """The practice's own position in the current published release of a year: for each metric
    the coalition band of each group it has observations in, its own median, its providers'
    percentile ranks (with its own local ids), reference figures and the trend."""

    scoped_model = PracticeObservation
    schema_single_object = True  # `list` answers one object: the position, not a list
    filter_backends = []
    pagination_class = None
    serializer_class = PositionSerializer

    def _position(self, request):
        query = PositionQuerySerializer(
            data={
                **{k: v for k, v in request.query_params.items() if k in ("year", "dimension")},
                **(
                    {"metric": request.query_params.getlist("metric")}
                    if "metric" in request.query_params
                    else {}
                ),
            }
        )
        query.is_valid(raise_exception=True)
        data = query.validated_data
        current = selectors.current_published_releases()
        year = data.get("year") or (max(current) if current else None)
        if year is not None and year not in current:
            raise ValidationError({"year": f"No published release for {year}."})
        if year is None:
            return None, []
        release = current[year]
        positions = selectors.practice_position(
            practice=self.practice,
            release=release,
            dimension=data["dimension"],
            # Quality metrics on request; by default the economics ones (quality/ has its own).
            metrics=data.get("metric") or [m.code for m in economics_metrics()],
        )
        return release, positions

    @extend_schema(parameters=POSITION_PARAMETERS, responses=PositionSerializer)
    def list(self, request, *args, **kwargs):
        release, positions = self._position(request)
        payload = {
            "practice": self.practice.slug,
            "year": release.year if release else None,
            "release": release.pk if release else None,
            "metrics": positions,
        }
        return Response(PositionSerializer(payload).data)

    @extend_schema(
        parameters=[*POSITION_PARAMETERS, FORMAT_PARAMETER], responses={200: ExportSerializer}
    )
    @action(detail=False, renderer_classes=EXPORT_RENDERERS)
    def export(self, request, *args, **kwargs):
        release, positions = self._position(request)
        rows = (
            selectors.practice_position_rows(positions=positions, year=release.year)
            if release
            else []
        )
        year = release.year if release else "none"
        return self.export_response(
            request, rows, POSITION_COLUMNS, f"{self.practice.slug}-position-{year}"
        )
