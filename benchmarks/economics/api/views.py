"""Economics API under /api/v1/practices/<practice_slug>/economics/ (scoped): the model of a
practice-year, its brief as a file, saved scenarios (versioned) and the itemized asks.
Members read; admins and submitters write. Bad input answers 400 with a message, a year
without approved financials 404, and nothing is half-saved."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from benchmarks.economics import brief, presentation, selectors, services
from benchmarks.economics.api.serializers import (
    EconomicsModelSerializer,
    ScenarioSerializer,
    ScenarioVersionSerializer,
    ScenarioWriteSerializer,
    SupportAskSerializer,
    YearSerializer,
)
from benchmarks.economics.calculations import EconomicsError, NoFinancialsError
from benchmarks.economics.models import EconomicsScenario, ScenarioVersion, SupportAsk
from coalition.scoping import PracticeScopedViewSet
from practices.models import Role

YEAR_KWARG = "economics_year"


def _bad(error: EconomicsError):
    if isinstance(error, NoFinancialsError):
        return NotFound(str(error))
    return ValidationError({"detail": str(error)})


class _YearMixin:
    @property
    def year(self) -> int:
        return int(self.kwargs[YEAR_KWARG])


class _ModelYearMixin(_YearMixin):
    """Scenarios and asks hang from a practice-year with a model: a year without approved
    financials answers 404 for every method, like an object that does not exist."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.year not in selectors.financial_years(practice=self.practice):
            raise NotFound(f"No approved practice financials for {self.year}.")


class EconomicsViewSet(_YearMixin, PracticeScopedViewSet):
    """The negotiation model of one practice-year (`/economics/<year>/`) and its brief."""

    scoped_model = EconomicsScenario
    lookup_url_kwarg = YEAR_KWARG
    lookup_value_regex = r"\d{4}"
    pagination_class = None
    filter_backends = []
    serializer_class = EconomicsModelSerializer

    def perform_content_negotiation(self, request, force=False):
        # ?format= names the brief's file format, not one of DRF's renderers; errors are JSON.
        if self.action == "brief":
            return (JSONRenderer(), JSONRenderer.media_type)
        return super().perform_content_negotiation(request, force)

    @extend_schema(responses=YearSerializer(many=True))
    def list(self, request, *args, **kwargs):
        """The years with approved financials, newest first."""
        return Response([{"year": y} for y in selectors.financial_years(practice=self.practice)])

    @extend_schema(
        responses={
            200: EconomicsModelSerializer,
            404: OpenApiResponse(description="No approved practice financials for the year."),
            400: OpenApiResponse(description="The financials cannot be modelled (zero FTE)."),
        }
    )
    def retrieve(self, request, *args, **kwargs):
        try:
            model = selectors.economics_model(practice=self.practice, year=self.year)
        except EconomicsError as error:
            raise _bad(error) from None
        return Response(EconomicsModelSerializer(presentation.model_data(model)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["pdf", "xlsx", "json"],
                description="File format (default pdf).",
            ),
            OpenApiParameter("scenario", OpenApiTypes.STR, description="Only this saved scenario."),
        ],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, brief.FORMATS["xlsx"]): OpenApiTypes.BINARY,
            (200, "application/json"): EconomicsModelSerializer,
            400: OpenApiResponse(description="Unknown format or scenario; unusable financials."),
        },
    )
    @action(detail=True, methods=["get"])
    def brief(self, request, *args, **kwargs):
        """The brief to take to the hospital, as a file."""
        file_format = request.query_params.get("format") or "pdf"
        if file_format not in brief.FORMATS:
            raise ValidationError({"format": "Choose pdf, xlsx or json."})
        try:
            model = selectors.economics_model(
                practice=self.practice,
                year=self.year,
                scenario_name=request.query_params.get("scenario") or None,
            )
        except EconomicsError as error:
            raise _bad(error) from None
        response = HttpResponse(
            brief.brief_bytes(model, file_format), content_type=brief.FORMATS[file_format]
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{brief.filename(model, file_format)}"'
        )
        return response


class ScenarioViewSet(
    _ModelYearMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    PracticeScopedViewSet,
):
    """Saved named scenarios of a practice-year. POST with an existing name, PUT or PATCH add a
    version when the settings or the inputs changed; `versions/` is the history."""

    scoped_model = EconomicsScenario
    lookup_url_kwarg = "economicsscenario_id"
    lookup_value_regex = r"\d+"
    serializer_class = ScenarioSerializer
    write_role = Role.SUBMITTER
    action_roles = {"versions": Role.VIEWER}
    filter_backends = []
    pagination_class = None

    def refine_queryset(self, queryset):
        return selectors.with_versions(
            queryset.filter(year=self.year), practice=self.practice
        ).order_by("name")

    def _save(self, request, *, scenario=None, partial=False):
        data = request.data
        if partial and scenario is not None:
            latest = selectors.latest_version(scenario)
            base = {"name": scenario.name}
            if latest is not None:
                base.update(selectors.scenario_inputs_from(latest), note=latest.note)
            data = {**base, **request.data}
        if scenario is not None and "name" not in data:
            data = {**data, "name": scenario.name}
        serializer = ScenarioWriteSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        try:
            saved, _, added = services.scenario_save(
                practice=self.practice,
                year=self.year,
                user=request.user if request.user.is_authenticated else None,
                scenario=scenario,
                **serializer.validated_data,
            )
        except EconomicsError as error:
            raise _bad(error) from None
        saved = self.get_queryset().get(pk=saved.pk)
        code = status.HTTP_201_CREATED if added and scenario is None else status.HTTP_200_OK
        return Response(ScenarioSerializer(saved).data, status=code)

    @extend_schema(
        request=ScenarioWriteSerializer,
        responses={201: ScenarioSerializer, 200: ScenarioSerializer},
    )
    def create(self, request, *args, **kwargs):
        return self._save(request)

    @extend_schema(request=ScenarioWriteSerializer, responses=ScenarioSerializer)
    def update(self, request, *args, **kwargs):
        return self._save(request, scenario=self.get_object())

    @extend_schema(request=ScenarioWriteSerializer, responses=ScenarioSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self._save(request, scenario=self.get_object(), partial=True)

    @extend_schema(responses=ScenarioVersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, *args, **kwargs):
        scenario = self.get_object()
        versions = ScenarioVersion.objects.for_practice(self.practice).filter(scenario=scenario)
        return Response(ScenarioVersionSerializer(versions.order_by("-number"), many=True).data)

    @extend_schema(request=None, responses=ScenarioSerializer)
    @action(detail=True, methods=["post"])
    def refresh(self, request, *args, **kwargs):
        """Recompute the latest settings on the current inputs (a version if they changed)."""
        scenario = self.get_object()
        try:
            services.scenario_refresh(scenario=scenario, user=request.user)
        except EconomicsError as error:
            raise _bad(error) from None
        return Response(ScenarioSerializer(self.get_queryset().get(pk=scenario.pk)).data)

    def perform_destroy(self, instance):
        services.scenario_delete(scenario=instance)


class SupportAskViewSet(
    _ModelYearMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    PracticeScopedViewSet,
):
    """The itemized asks of a practice-year (positive amounts, one of the SPEC 5 categories)."""

    scoped_model = SupportAsk
    lookup_url_kwarg = "supportask_id"
    lookup_value_regex = r"\d+"
    serializer_class = SupportAskSerializer
    write_role = Role.SUBMITTER
    filter_backends = []
    pagination_class = None

    def refine_queryset(self, queryset):
        return queryset.filter(year=self.year).order_by("category", "pk")

    def _values(self, request, *, instance=None, partial=False) -> dict:
        serializer = SupportAskSerializer(instance=instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if instance is not None:
            data = {
                "category": data.get("category", instance.category),
                "amount": data.get("amount", instance.amount),
                "note": data.get("note", instance.note),
            }
        return data

    @extend_schema(request=SupportAskSerializer, responses={201: SupportAskSerializer})
    def create(self, request, *args, **kwargs):
        data = self._values(request)
        try:
            ask = services.ask_create(
                practice=self.practice, year=self.year, user=request.user, **data
            )
        except EconomicsError as error:
            raise _bad(error) from None
        return Response(SupportAskSerializer(ask).data, status=status.HTTP_201_CREATED)

    def _update(self, request, partial: bool):
        ask = self.get_object()
        data = self._values(request, instance=ask, partial=partial)
        try:
            ask = services.ask_update(ask=ask, **data)
        except EconomicsError as error:
            raise _bad(error) from None
        return Response(SupportAskSerializer(ask).data)

    @extend_schema(request=SupportAskSerializer, responses=SupportAskSerializer)
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(request=SupportAskSerializer, responses=SupportAskSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    def perform_destroy(self, instance):
        services.ask_delete(ask=instance)
