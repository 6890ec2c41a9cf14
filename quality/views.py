"""The practice's quality page and its CSV/XLSX export (thin: selectors do the reading)."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.views.generic import TemplateView, View

from benchmarks import charts, exports
from benchmarks.forms import ExportFormatForm
from benchmarks.models import PracticeObservation
from benchmarks.views import _errors_text
from coalition.scoping import PracticeScopedView
from quality import selectors
from quality.forms import QualityYearForm


def _target_lines(position) -> list[tuple[str, object]]:
    unit = "" if position.metric.unit == "%" else f" {position.metric.unit}"
    lines = []
    if position.target_low is not None and position.target_high is not None:
        lines.append((f"Target band from {position.target_low}{unit}", position.target_low))
        lines.append((f"Target band to {position.target_high}{unit}", position.target_high))
    elif position.target_high is not None:
        lines.append((f"Target: at most {position.target_high}{unit}", position.target_high))
    elif position.target_low is not None:
        lines.append((f"Target: above {position.target_low}{unit}", position.target_low))
    return lines


def _band_row(label: str, cell: dict | None, marker=None, dots=()) -> charts.BandRow:
    cell = cell or {}
    return charts.BandRow(
        label=label,
        p10=cell.get("p10"),
        p25=cell.get("p25"),
        p50=cell.get("p50"),
        p75=cell.get("p75"),
        p90=cell.get("p90"),
        marker=marker,
        dots=list(dots),
        note="coalition figures withheld" if not cell or cell.get("suppressed") else "",
    )


class QualityMixin(PracticeScopedView):
    scoped_model = PracticeObservation

    def quality(self, request) -> dict:
        """Everything the page and its export show; a bad year raises ValueError."""
        years = selectors.quality_years(practice=self.practice)
        form = QualityYearForm(request.GET or None, years=years)
        if form.is_bound and not form.is_valid():
            raise ValueError(_errors_text(form))
        year = (form.cleaned_data.get("year") if form.is_bound else None) or (
            years[0] if years else None
        )
        return {"form": form, **selectors.quality_page(practice=self.practice, year=year)}


class QualityPageView(QualityMixin, TemplateView):
    template_name = "quality/quality.html"

    def get(self, request, *args, **kwargs):
        try:
            data = self.quality(request)
        except ValueError as error:
            form = QualityYearForm(
                request.GET, years=selectors.quality_years(practice=self.practice)
            )
            form.is_valid()
            return self.render_to_response(
                self.get_context_data(form=form, error=str(error)), status=400
            )
        sections = [self._section(p, data["release"]) for p in data["positions"]]
        providers_chart = None
        if data["peer_review"].get("provider"):
            own = data["peer_review"]["all"][0].percent if data["peer_review"]["all"] else None
            providers_chart = charts.band_chart(
                [
                    _band_row(
                        "Coalition practices",
                        data["peer_cell"],
                        marker=own,
                        dots=[
                            r.percent
                            for r in data["peer_review"]["provider"]
                            if r.percent is not None
                        ],
                    )
                ],
                chart_id="providers-discrepancy",
                title="Your providers' major discrepancy rates against the coalition",
                description="The coalition band of practices' major discrepancy rates; the "
                "diamond is your practice, dots are your providers (the table lists them).",
                marker_label="Your practice",
            )
        return self.render_to_response(
            self.get_context_data(sections=sections, providers_chart=providers_chart, **data)
        )

    def _section(self, position, release) -> dict:
        metric = position.metric
        trend = [
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
            "targets": _target_lines(position),
            "band_chart": charts.band_chart(
                [_band_row("All practices", position.cell, marker=position.value)],
                chart_id=f"band-{metric.code}",
                title=f"{metric.label}: your practice against the coalition and the target, "
                f"{release.year}",
                description="Coalition p10-p90 and p25-p75 bands with the median; the diamond "
                "is your practice; dashed lines are the target. The table lists every figure.",
                references=_target_lines(position),
                marker_label="Your practice",
            ),
            "trend_chart": charts.trend_chart(
                trend,
                chart_id=f"trend-{metric.code}",
                title=f"{metric.label} over the years",
                description="Coalition band and median per published year with your practice's "
                "value; the trend table lists the figures.",
            ),
        }


class QualityExportView(QualityMixin, View):
    def get(self, request, *args, **kwargs):
        fmt = ExportFormatForm(request.GET)
        if not fmt.is_valid():
            return HttpResponseBadRequest(
                f"Choose ?format=csv or ?format=xlsx. {_errors_text(fmt)}"
            )
        try:
            data = self.quality(request)
        except ValueError as error:
            return HttpResponseBadRequest(str(error))
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
        return exports.file_response(
            rows,
            selectors.EXPORT_COLUMNS,
            file_format=fmt.cleaned_data["format"],
            filename=f"{self.practice.slug}-quality-{data['year'] or 'none'}",
        )
