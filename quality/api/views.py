"""Quality API: the practice's quality metrics against the coalition and targets, and its own
turnaround and peer review breakdowns (under /practices/<practice_slug>/, scoped)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from benchmarks.api.serializers import ExportSerializer
from benchmarks.api.views import EXPORT_RENDERERS, FORMAT_PARAMETER, ExportMixin
from benchmarks.models import PracticeObservation
from coalition.scoping import PracticeScopedViewSet
from quality import selectors
from quality.api.serializers import QualityQuerySerializer, QualitySerializer

YEAR_PARAMETER = OpenApiParameter(
    "year", OpenApiTypes.INT, description="Reporting year (default: the latest with data)."
)


class PracticeQualityViewSet(ExportMixin, PracticeScopedViewSet):
    """The practice's quality page as data: each quality metric's coalition cell, the practice's
    value, how many practices it does better than, the target and the trend; its turnaround by
    patient class, modality and priority; its peer review by modality and by provider (its own
    ids)."""

    scoped_model = PracticeObservation
    filter_backends = []
    pagination_class = None
    serializer_class = QualitySerializer
    schema_single_object = True  # `list` answers one object: the practice's quality page

    def _data(self, request) -> dict:
        query = QualityQuerySerializer(
            data={k: v for k, v in request.query_params.items() if k == "year"}
        )
        query.is_valid(raise_exception=True)
        years = selectors.quality_years(practice=self.practice)
        year = query.validated_data.get("year") or (years[0] if years else None)
        if year is not None and year not in years:
            raise ValidationError({"year": f"No quality data or release for {year}."})
        return selectors.quality_page(practice=self.practice, year=year)

    @extend_schema(parameters=[YEAR_PARAMETER], responses=QualitySerializer)
    def list(self, request, *args, **kwargs):
        data = self._data(request)
        release = data["release"]
        payload = {
            "practice": self.practice.slug,
            "year": data["year"],
            "release": release.pk if release else None,
            "metrics": data["positions"],
            "turnaround": data["turnaround"] or None,
            "peer_review": data["peer_review"] or None,
        }
        return Response(QualitySerializer(payload).data)

    @extend_schema(parameters=[YEAR_PARAMETER, FORMAT_PARAMETER], responses={200: ExportSerializer})
    @action(detail=False, renderer_classes=EXPORT_RENDERERS)
    def export(self, request, *args, **kwargs):
        data = self._data(request)
        rows = (
            selectors.quality_export_rows(
                practice=self.practice,
                year=data["year"],
                positions=data["positions"],
                turnaround=data["turnaround"],
                peer_review=data["peer_review"],
            )
            if data["year"]
            else []
        )
        return self.export_response(
            request,
            rows,
            selectors.EXPORT_COLUMNS,
            f"{self.practice.slug}-quality-{data['year'] or 'none'}",
        )
