"""The practice's economics page (/practices/<practice_slug>/economics/<year>/), through the
scoped base: its members read it, its admins and submitters save scenarios and asks; anyone
else gets 404. Bad input re-renders the page with the message (400) and stores nothing."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from benchmarks import charts
from benchmarks.economics import brief, presentation, selectors, services
from benchmarks.economics.calculations import EconomicsError, NoFinancialsError
from benchmarks.economics.forms import AskForm, BriefForm, ScenarioForm, errors_text
from benchmarks.economics.models import EconomicsScenario, SupportAsk
from coalition.scoping import PracticeScopedView
from practices.models import Role, role_at_least


def _status(error: EconomicsError) -> int:
    return 404 if isinstance(error, NoFinancialsError) else 400


def year_url(practice, year: int) -> str:
    return reverse(
        "economics:year", kwargs={"practice_slug": practice.slug, "economics_year": year}
    )


class EconomicsBase(PracticeScopedView):
    scoped_model = EconomicsScenario
    write_role = Role.SUBMITTER

    @property
    def year(self) -> int:
        return int(self.kwargs["economics_year"])

    def may_edit(self) -> bool:
        return role_at_least(self.role, Role.SUBMITTER)


class EconomicsIndexView(EconomicsBase, TemplateView):
    """The latest year with approved financials, or a page saying there is none."""

    template_name = "economics/page.html"

    def get(self, request, *args, **kwargs):
        years = selectors.financial_years(practice=self.practice)
        if years:
            return redirect(year_url(self.practice, years[0]))
        return self.render_to_response(
            self.get_context_data(
                error="No approved practice financials yet: upload a practice_financials file "
                "and have it approved, and the negotiation model appears here.",
                years=[],
            )
        )


class EconomicsPageView(EconomicsBase, TemplateView):
    template_name = "economics/page.html"

    def page(self, *, status: int = 200, error: str = "", scenario_form=None, ask_form=None):
        context = {
            "year": self.year,
            "years": selectors.financial_years(practice=self.practice),
            "may_edit": self.may_edit(),
            "scenario_form": scenario_form or ScenarioForm(),
            "ask_form": ask_form or AskForm(),
            "error": error,
        }
        try:
            model = selectors.economics_model(practice=self.practice, year=self.year)
        except EconomicsError as problem:
            context["error"] = " ".join(filter(None, [error, str(problem)]))
            if isinstance(problem, NoFinancialsError):
                status = 404
            return self.render_to_response(self.get_context_data(**context), status=status)
        context.update(model=model, sources=selectors.sources(model), **self.charts(model))
        return self.render_to_response(self.get_context_data(**context), status=status)

    def charts(self, model) -> dict:
        bands = []
        for position in model.distribution:
            refs = (
                presentation.typical_references(model)
                if position.metric == "support_needed_per_fte"
                else []
            )
            bands.append(
                {
                    "position": position,
                    "chart": charts.band_chart(
                        presentation.band_rows(model, position.metric),
                        chart_id=f"econ-{position.metric}",
                        title=f"{position.label}: your practice on the coalition band, {model.year}",
                        description="Coalition p10-p90 and p25-p75 bands with the median; the "
                        "diamond is your practice; dashed lines are the typical range. The "
                        "table beside lists the figures.",
                        references=refs,
                        marker_label="Your practice",
                    ),
                }
            )
        trend = charts.trend_chart(
            presentation.trend_points(model),
            chart_id="econ-trend",
            title="Support needed per FTE over your years",
            description="Coalition band and median of support needed per FTE per published "
            "year with your practice's own figure; the table lists them.",
        )
        return {"bands": bands, "trend_chart": trend}

    def get(self, request, *args, **kwargs):
        return self.page()


class ScenarioSaveView(EconomicsPageView):
    """POST: save a named scenario (a new one, or a new version of the one with that name)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ScenarioForm(request.POST)
        if not form.is_valid():
            return self.page(status=400, error=errors_text(form), scenario_form=form)
        try:
            scenario, version, added = services.scenario_save(
                practice=self.practice, year=self.year, user=request.user, **form.cleaned_data
            )
        except EconomicsError as error:
            return self.page(status=_status(error), error=str(error), scenario_form=form)
        messages.success(
            request,
            f"Scenario “{scenario.name}” saved as version {version.number}."
            if added
            else f"Scenario “{scenario.name}” is unchanged (version {version.number}).",
        )
        return redirect(year_url(self.practice, self.year) + "#scenarios")


class ScenarioDetailView(EconomicsPageView):
    """A saved scenario: its versions (history) and the form that saves a new version."""

    template_name = "economics/scenario.html"

    def get_scenario(self) -> EconomicsScenario:
        return get_object_or_404(
            self.get_queryset().filter(year=self.year), pk=self.kwargs["economicsscenario_id"]
        )

    def render_scenario(self, scenario, *, form=None, error: str = "", status: int = 200):
        versions = list(selectors.scenario_versions(scenario=scenario))
        latest = versions[0] if versions else None
        if form is None:
            initial = {"name": scenario.name}
            if latest is not None:
                initial.update(selectors.scenario_inputs_from(latest), note=latest.note)
            form = ScenarioForm(initial=initial)
        context = self.get_context_data(
            scenario=scenario,
            versions=versions,
            form=form,
            error=error,
            may_edit=self.may_edit(),
            year=self.year,
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_scenario(self.get_scenario())

    def post(self, request, *args, **kwargs):
        scenario = self.get_scenario()
        form = ScenarioForm(request.POST)
        if not form.is_valid():
            return self.render_scenario(scenario, form=form, error=errors_text(form), status=400)
        try:
            scenario, version, added = services.scenario_save(
                practice=self.practice,
                year=self.year,
                user=request.user,
                scenario=scenario,
                **form.cleaned_data,
            )
        except EconomicsError as error:
            scenario.refresh_from_db()
            return self.render_scenario(
                scenario, form=form, error=str(error), status=_status(error)
            )
        messages.success(
            request,
            f"Saved as version {version.number}."
            if added
            else f"Nothing changed: still version {version.number}.",
        )
        return redirect(
            reverse(
                "economics:scenario",
                kwargs={
                    "practice_slug": self.practice.slug,
                    "economics_year": self.year,
                    "economicsscenario_id": scenario.pk,
                },
            )
        )


class ScenarioRefreshView(ScenarioDetailView):
    """POST: recompute the latest settings on today's inputs (a new version if they changed)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        scenario = self.get_scenario()
        try:
            _, version, added = services.scenario_refresh(scenario=scenario, user=request.user)
        except EconomicsError as error:
            return self.render_scenario(scenario, error=str(error), status=_status(error))
        messages.success(
            request,
            f"Recomputed on the current inputs: version {version.number}."
            if added
            else "The inputs have not changed; no new version.",
        )
        return redirect(year_url(self.practice, self.year) + "#scenarios")


class ScenarioDeleteView(ScenarioDetailView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        scenario = self.get_scenario()
        services.scenario_delete(scenario=scenario)
        messages.success(request, f"Scenario “{scenario.name}” deleted with its history.")
        return redirect(year_url(self.practice, self.year) + "#scenarios")


class AskCreateView(EconomicsPageView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = AskForm(request.POST)
        if not form.is_valid():
            return self.page(status=400, error=errors_text(form), ask_form=form)
        try:
            services.ask_create(
                practice=self.practice, year=self.year, user=request.user, **form.cleaned_data
            )
        except EconomicsError as error:
            return self.page(status=_status(error), error=str(error), ask_form=form)
        messages.success(request, "Ask added.")
        return redirect(year_url(self.practice, self.year) + "#asks")


class AskDeleteView(EconomicsBase, View):
    scoped_model = SupportAsk
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        ask = get_object_or_404(
            self.get_queryset().filter(year=self.year), pk=self.kwargs["supportask_id"]
        )
        services.ask_delete(ask=ask)
        messages.success(request, "Ask removed.")
        return redirect(year_url(self.practice, self.year) + "#asks")


class BriefView(EconomicsBase, View):
    """GET ?format=pdf|xlsx|json[&scenario=NAME]: the brief as a file (PDF by default)."""

    def get(self, request, *args, **kwargs):
        form = BriefForm(request.GET)
        if not form.is_valid():
            return HttpResponse(
                f"Choose ?format=pdf, xlsx or json. {errors_text(form)}",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        file_format = form.cleaned_data["format"] or "pdf"
        try:
            model = selectors.economics_model(
                practice=self.practice,
                year=self.year,
                scenario_name=form.cleaned_data["scenario"] or None,
            )
        except EconomicsError as error:
            return HttpResponse(
                str(error), status=_status(error), content_type="text/plain; charset=utf-8"
            )
        response = HttpResponse(
            brief.brief_bytes(model, file_format), content_type=brief.FORMATS[file_format]
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{brief.filename(model, file_format)}"'
        )
        return response
