"""Benchmark pages for members: the coalition's published cells, a published release, and a
practice's own position (under /practices/<practice_slug>/benchmarks/, through the scoped
base). Drafts are never reachable here: a draft's id answers 404 like a missing one."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.views import View
from django.views.generic import TemplateView

from benchmarks import charts, exports, selectors
from benchmarks.forms import CellFilterForm, ExportFormatForm, PositionFilterForm
from benchmarks.metrics import ALL, DIMENSIONS, METRICS, economics_metrics
from benchmarks.models import PracticeObservation
from coalition.scoping import PracticeScopedView

POSITION_COLUMNS = [
    "metric",
    "year",
    "dimension",
    "value",
    "row",
    "local_id",
    "figure",
    "percentile_rank",
    "coalition_p10",
    "coalition_p25",
    "coalition_p50",
    "coalition_p75",
    "coalition_p90",
    "coalition_suppression_reason",
]


def _errors_text(form) -> str:
    return "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())


class MembersOnlyMixin(LoginRequiredMixin):
    """Published benchmarks are for member practices' users and coalition staff."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.may_see_published(user=request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def reference_label(figure) -> str:
    """Short label of a reference line on a chart; the table beside names the source."""
    statistic = {"p50": "median", "range_low": "typ. low", "range_high": "typ. high"}.get(
        figure.statistic, figure.statistic
    )
    return f"ref. {statistic}" + (f" {figure.survey_year}" if figure.survey_year else "")


def chart_references(figures, *, banded: bool) -> list[tuple[str, object]]:
    """A chart's reference lines; the ends of a typical range are left to its shaded band when
    the chart draws one (the table beside still lists every figure)."""
    return [
        (reference_label(f), f.value)
        for f in figures
        if not (banded and f.statistic in selectors.RANGE_STATISTICS)
    ]


def band_rows(rows: list[dict], dimension: str) -> list[charts.BandRow]:
    return [
        charts.BandRow(
            label=DIMENSIONS[dimension].value_label(row["value"]),
            p10=row["p10"],
            p25=row["p25"],
            p50=row["p50"],
            p75=row["p75"],
            p90=row["p90"],
            note=f"withheld ({selectors.reason_text(row['suppression_reason'].split(';'))})"
            if row["suppressed"]
            else "",
        )
        for row in rows
    ]


class BenchmarksIndexView(MembersOnlyMixin, TemplateView):
    """The coalition's published cells of one metric, year and dimension: chart and table."""

    template_name = "benchmarks/index.html"

    def get(self, request, *args, **kwargs):
        current = selectors.current_published_releases()
        form = CellFilterForm(request.GET or None, years=current.keys())
        if request.GET and not form.is_valid():
            context = self.get_context_data(form=form, error=_errors_text(form))
            return self.render_to_response(context, status=400)
        data = form.cleaned_data if form.is_bound else {}
        year = data.get("year") or (max(current) if current else None)
        metric = METRICS[data.get("metric") or next(iter(METRICS))]
        dimension = data.get("dimension") or ALL
        context = {"form": form, "metric": metric, "dimension": DIMENSIONS[dimension], "year": year}
        if year is not None:
            release = current[year]
            cells = (
                selectors.published_cells(release_id=release.pk)
                .filter(metric=metric.code, dimension=dimension)
                .order_by("value")
            )
            rows = [selectors.public_cell_row(cell, year=year) for cell in cells]
            references = list(selectors.reference_figures(metric=metric.code))
            typical = selectors.TypicalRange.of(references).band(metric)
            context.update(
                release=release,
                rows=rows,
                applies=dimension in metric.dimensions,
                references=references,
                chart=charts.band_chart(
                    band_rows(rows, dimension),
                    chart_id="coalition-band",
                    title=f"{metric.label}, {year}, by {DIMENSIONS[dimension].label.lower()}",
                    description="Coalition percentile bands; the table below lists the figures.",
                    references=chart_references(references, banded=typical is not None),
                    typical_range=typical,
                ),
            )
        return self.render_to_response(self.get_context_data(**context))


class ReleaseDetailView(MembersOnlyMixin, TemplateView):
    template_name = "benchmarks/release_detail.html"

    def get_context_data(self, **kwargs):
        release = selectors.published_release(release_id=self.kwargs["benchmarkrelease_id"])
        cells = selectors.published_cells(release_id=release.pk).order_by(
            "metric", "dimension", "value"
        )
        return super().get_context_data(
            release=release,
            rules=release.rules,
            rows=[selectors.public_cell_row(c, year=release.year) for c in cells],
            metrics=METRICS,
            **kwargs,
        )


class ReleaseExportView(MembersOnlyMixin, View):
    """A published release's cells as CSV or XLSX (?format=csv|xlsx)."""

    def get(self, request, benchmarkrelease_id: int):
        release = selectors.published_release(release_id=benchmarkrelease_id)
        form = ExportFormatForm(request.GET)
        if not form.is_valid():
            return HttpResponseBadRequest(
                f"Choose ?format=csv or ?format=xlsx. {_errors_text(form)}"
            )
        cells = (
            selectors.published_cells(release_id=release.pk)
            .select_related("release")
            .order_by("metric", "dimension", "value")
        )
        return exports.file_response(
            selectors.export_rows(cells=cells),
            selectors.EXPORT_COLUMNS,
            file_format=form.cleaned_data["format"],
            filename=f"benchmarks-{release.year}-v{release.version}",
        )


# --- a practice's position ----------------------------------------------------------------------
class PracticePositionMixin(PracticeScopedView):
    scoped_model = PracticeObservation

    def position(self, request):
        """(form, release, positions); release None when nothing is published yet. A bad
        filter raises ValueError with the message."""
        current = selectors.current_published_releases()
        form = PositionFilterForm(request.GET or None, years=current.keys())
        if form.is_bound and not form.is_valid():
            raise ValueError(_errors_text(form))
        data = form.cleaned_data if form.is_bound else {}
        year = data.get("year") or (max(current) if current else None)
        dimension = data.get("dimension") or ALL
        if year is None:
            return form, None, dimension, []
        release = current[year]
        # The quality metrics have their own page (quality/), with targets and directions.
        positions = selectors.practice_position(
            practice=self.practice,
            release=release,
            dimension=dimension,
            metrics=[m.code for m in economics_metrics()],
        )
        return form, release, dimension, positions


class PracticePositionView(PracticePositionMixin, TemplateView):
    template_name = "benchmarks/position.html"

    def get(self, request, *args, **kwargs):
        try:
            form, release, dimension, positions = self.position(request)
        except ValueError as error:
            form = PositionFilterForm(
                request.GET, years=selectors.current_published_releases().keys()
            )
            form.is_valid()
            context = self.get_context_data(form=form, error=str(error), positions=[])
            return self.render_to_response(context, status=400)
        sections = [self._section(position, release) for position in positions]
        return self.render_to_response(
            self.get_context_data(
                form=form,
                release=release,
                dimension=DIMENSIONS[dimension],
                sections=sections,
            )
        )

    def _section(self, position, release) -> dict:
        metric = position.metric
        rows = [
            charts.BandRow(
                label=group.label,
                p10=(group.cell or {}).get("p10"),
                p25=(group.cell or {}).get("p25"),
                p50=(group.cell or {}).get("p50"),
                p75=(group.cell or {}).get("p75"),
                p90=(group.cell or {}).get("p90"),
                marker=group.practice_median,
                dots=[p.value for p in group.providers],
                note="coalition figures withheld"
                if not group.cell or group.cell["suppressed"]
                else "",
            )
            for group in position.groups
        ]
        typical = selectors.TypicalRange.of(position.references).band(metric)
        references = chart_references(position.references, banded=typical is not None)
        trend_points = [
            charts.TrendPoint(
                year=point.year,
                p10=(point.cell or {}).get("p10"),
                p25=(point.cell or {}).get("p25"),
                p50=(point.cell or {}).get("p50"),
                p75=(point.cell or {}).get("p75"),
                p90=(point.cell or {}).get("p90"),
                own=point.practice_median,
            )
            for point in position.trend
        ]
        return {
            "position": position,
            "band_chart": charts.band_chart(
                rows,
                chart_id=f"band-{metric.code}",
                title=f"{metric.label}: your practice against the coalition, {release.year}",
                description="Coalition p10-p90 and p25-p75 bands with the median; the diamond "
                "is your practice's median, dots are your providers. The tables beside list "
                "every figure." + (f" The shaded band is the {typical[2]}." if typical else ""),
                references=references,
                typical_range=typical,
            ),
            "trend_chart": charts.trend_chart(
                trend_points,
                chart_id=f"trend-{metric.code}",
                title=f"{metric.label} over the years",
                description="Coalition band and median per published year with your practice's "
                "median; the trend table lists the figures.",
            ),
        }


class PracticePositionExportView(PracticePositionMixin, View):
    def get(self, request, *args, **kwargs):
        fmt = ExportFormatForm(request.GET)
        if not fmt.is_valid():
            return HttpResponseBadRequest(
                f"Choose ?format=csv or ?format=xlsx. {_errors_text(fmt)}"
            )
        try:
            _, release, _, positions = self.position(request)
        except ValueError as error:
            return HttpResponseBadRequest(str(error))
        rows = (
            selectors.practice_position_rows(positions=positions, year=release.year)
            if release
            else []
        )
        year = release.year if release else "none"
        return exports.file_response(
            rows,
            POSITION_COLUMNS,
            file_format=fmt.cleaned_data["format"],
            filename=f"{self.practice.slug}-position-{year}",
        )
