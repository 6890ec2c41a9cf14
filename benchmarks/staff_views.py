"""Staff pages (/staff/benchmarks/): release history and computation, every cell of a release,
the suppression report, comparison with an earlier release, publication, the recompute check,
rule settings and reference figures. Guarded by permissions given to the analyst group.
No page here shows a provider or a practice: cells are aggregates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from benchmarks import exports, selectors, services
from benchmarks.forms import (
    ComputeReleaseForm,
    ExportFormatForm,
    ReferenceFigureForm,
    RuleSettingsForm,
    StaffCellFilterForm,
)
from benchmarks.metrics import METRICS
from benchmarks.models import BenchmarkCell, BenchmarkRelease, ReferenceFigure
from benchmarks.rules import REASON_LABELS, publishable_on

QUEUE_DOWN = (
    "the computation is saved as queued, but the task queue cannot be reached right now; it "
    "starts automatically once the queue is back."
)


class StaffView(LoginRequiredMixin, PermissionRequiredMixin):
    raise_exception = True
    permission_required = "benchmarks.view_draft"


def _flash(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _release(release_id: int) -> BenchmarkRelease:
    return get_object_or_404(BenchmarkRelease, pk=release_id)


class ReleaseListView(StaffView, TemplateView):
    """Every release, newest first, and the form that computes a draft for a year."""

    template_name = "benchmarks/staff/releases.html"

    def get_context_data(self, **kwargs):
        releases = list(selectors.staff_releases())
        summary = selectors.release_cell_summary(release_ids=[r.pk for r in releases])
        for release in releases:
            release.summary = summary.get(release.pk, {})
            if release.rules:
                release.opens_on = publishable_on(release.year, release.rules)
        kwargs.setdefault("form", ComputeReleaseForm())
        return super().get_context_data(
            releases=releases,
            rules=selectors.rule_settings_current(),
            can_compute=self.request.user.has_perm("benchmarks.compute_release"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("benchmarks.compute_release"):
            raise PermissionDenied
        form = ComputeReleaseForm(request.POST)
        if form.is_valid():
            try:
                release = services.release_request(
                    year=form.cleaned_data["year"], user=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if release.enqueued.failed:
                    messages.warning(request, f"The {release.year} draft: {QUEUE_DOWN}")
                else:
                    messages.success(
                        request, f"Computing the {release.year} draft (version {release.version})."
                    )
                return redirect("staff_benchmarks:releases")
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _publish_state(release: BenchmarkRelease, user) -> dict:
    """Whether the publish button is offered, enabled, and from when the year opens."""
    opens_on = publishable_on(release.year, release.rules) if release.rules else None
    return {
        "opens_on": opens_on,
        "can_publish": user.has_perm("benchmarks.publish_release"),
        "publishable_now": opens_on is not None and timezone.localdate() >= opens_on,
    }


class ReleaseProgressView(StaffView, View):
    """The state of a release's computation as JSON, polled by the staff pages while it is
    queued or computing (benchmarks/static/benchmarks/release-progress.js)."""

    def get(self, request, benchmarkrelease_id: int):
        release = _release(benchmarkrelease_id)
        processing = release.status in (
            BenchmarkRelease.Status.QUEUED,
            BenchmarkRelease.Status.COMPUTING,
        )
        waited = (timezone.now() - release.requested_at).total_seconds()
        return JsonResponse(
            {
                "status": release.status,
                "status_display": release.get_status_display(),
                "processing": processing,
                "seconds_since_request": round(waited),
                "error": release.error,
            }
        )


class ReleaseCellsView(StaffView, TemplateView):
    """Every cell of a release (drafts included), with true counts, filtered."""

    template_name = "benchmarks/staff/release_cells.html"

    def get(self, request, *args, **kwargs):
        release = _release(kwargs["benchmarkrelease_id"])
        form = StaffCellFilterForm(request.GET or None)
        status = 200
        cells = BenchmarkCell.objects.filter(release=release).order_by(
            "metric", "dimension", "value"
        )
        if form.is_bound and not form.is_valid():
            status = 400
            cells = cells.none()
        elif form.is_bound:
            data = form.cleaned_data
            if data["metric"]:
                cells = cells.filter(metric=data["metric"])
            if data["dimension"]:
                cells = cells.filter(dimension=data["dimension"])
            if data["status"] == "suppressed":
                cells = cells.filter(suppressed=True)
            elif data["status"] == "partial":
                cells = cells.filter(suppressed=False).exclude(suppression_reasons=[])
            elif data["status"] == "published":
                cells = cells.filter(suppression_reasons=[])
        context = self.get_context_data(
            release=release,
            form=form,
            cells=cells,
            previous=selectors.previous_release(release=release),
            **_publish_state(release, request.user),
            can_compute=request.user.has_perm("benchmarks.compute_release"),
            inputs=selectors.release_inputs(release=release),
        )
        return self.render_to_response(context, status=status)


class SuppressionReportView(StaffView, TemplateView):
    template_name = "benchmarks/staff/suppression.html"

    def get_context_data(self, **kwargs):
        release = _release(self.kwargs["benchmarkrelease_id"])
        return super().get_context_data(
            release=release,
            rules=release.rules,
            entries=selectors.suppression_report(release=release),
            reason_labels=[(str(code), label) for code, label in REASON_LABELS.items()],
            **kwargs,
        )


class ReleaseCompareView(StaffView, TemplateView):
    """Cell by cell against an earlier release (?against=<id>, default the previous one)."""

    template_name = "benchmarks/staff/compare.html"

    def get(self, request, *args, **kwargs):
        release = _release(kwargs["benchmarkrelease_id"])
        against_id = request.GET.get("against", "")
        if against_id:
            if not against_id.isdigit():
                return HttpResponseBadRequest("against must be a release id (a whole number).")
            against = BenchmarkRelease.objects.filter(pk=int(against_id)).first()
            if against is None:
                raise Http404("No release with this id.")
        else:
            against = selectors.previous_release(release=release)
        changes = selectors.release_compare(release=release, against=against) if against else []
        counts: dict[str, int] = {}
        for change in changes:
            counts[change.change] = counts.get(change.change, 0) + 1
        only_changes = request.GET.get("show") != "all"
        shown = [c for c in changes if c.change != "unchanged"] if only_changes else changes
        return self.render_to_response(
            self.get_context_data(
                release=release,
                against=against,
                changes=shown,
                counts=counts,
                only_changes=only_changes,
                candidates=selectors.staff_releases().exclude(pk=release.pk),
            )
        )


class ReleaseVerifyView(StaffView, TemplateView):
    """Recompute the release from its recorded inputs and settings and compare."""

    template_name = "benchmarks/staff/verify.html"

    def get_context_data(self, **kwargs):
        release = _release(self.kwargs["benchmarkrelease_id"])
        return super().get_context_data(
            release=release, check=selectors.release_recompute_check(release=release), **kwargs
        )


class ReleasePublishView(StaffView, TemplateView):
    """GET asks for confirmation (what will be published, and that it is permanent); POST
    publishes."""

    permission_required = "benchmarks.publish_release"
    http_method_names = ["get", "post"]
    template_name = "benchmarks/staff/publish_confirm.html"

    def get(self, request, benchmarkrelease_id: int):
        release = _release(benchmarkrelease_id)
        if release.status != BenchmarkRelease.Status.DRAFT:
            messages.error(request, "Only a computed draft can be published.")
            return redirect("staff_benchmarks:release", benchmarkrelease_id=release.pk)
        summary = selectors.release_cell_summary(release_ids=[release.pk]).get(release.pk, {})
        return self.render_to_response(
            self.get_context_data(
                release=release,
                summary=summary,
                differencing=BenchmarkCell.objects.filter(
                    release=release, suppression_reasons__contains=["differencing"]
                ).count(),
                earlier=selectors.published_releases().filter(
                    year=release.year, version__lt=release.version
                ),
                **_publish_state(release, request.user),
            )
        )

    def post(self, request, benchmarkrelease_id: int):
        release = _release(benchmarkrelease_id)
        try:
            services.release_publish(release=release, user=request.user)
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(
                request, f"The {release.year} benchmarks (v{release.version}) are published."
            )
        return redirect("staff_benchmarks:release", benchmarkrelease_id=release.pk)


class ReleaseRecomputeView(StaffView, View):
    permission_required = "benchmarks.compute_release"
    http_method_names = ["post"]

    def post(self, request, benchmarkrelease_id: int):
        release = _release(benchmarkrelease_id)
        if release.is_published:
            messages.error(
                request, "A published release is permanent; compute a new draft instead."
            )
        else:
            requested = services.release_request(year=release.year, user=request.user)
            if requested.enqueued.failed:
                messages.warning(request, f"The {release.year} draft: {QUEUE_DOWN}")
            else:
                messages.success(request, f"Recomputing the {release.year} draft.")
        return redirect("staff_benchmarks:release", benchmarkrelease_id=release.pk)


class ReleaseDiscardView(StaffView, View):
    permission_required = "benchmarks.compute_release"
    http_method_names = ["post"]

    def post(self, request, benchmarkrelease_id: int):
        release = _release(benchmarkrelease_id)
        try:
            services.release_discard(release=release)
        except ValidationError as error:
            _flash(request, error)
            return redirect("staff_benchmarks:release", benchmarkrelease_id=release.pk)
        messages.success(request, f"The {release.year} draft was discarded.")
        return redirect("staff_benchmarks:releases")


class ReleaseExportView(StaffView, View):
    """Any release (drafts too, for review offline), with the same blanking as members get."""

    def get(self, request, benchmarkrelease_id: int):
        release = _release(benchmarkrelease_id)
        form = ExportFormatForm(request.GET)
        if not form.is_valid():
            return HttpResponseBadRequest("Choose ?format=csv or ?format=xlsx.")
        cells = (
            BenchmarkCell.objects.filter(release=release)
            .select_related("release")
            .order_by("metric", "dimension", "value")
        )
        suffix = "" if release.is_published else "-draft"
        return exports.file_response(
            selectors.export_rows(cells=cells),
            selectors.EXPORT_COLUMNS,
            file_format=form.cleaned_data["format"],
            filename=f"benchmarks-{release.year}-v{release.version}{suffix}",
        )


class RuleSettingsView(StaffView, TemplateView):
    permission_required = "benchmarks.view_rulesettings"
    template_name = "benchmarks/staff/rules.html"

    def get_context_data(self, **kwargs):
        current = selectors.rule_settings_current()
        kwargs.setdefault("form", RuleSettingsForm(instance=current))
        return super().get_context_data(
            current=current,
            saved=current.pk is not None and not current._state.adding,
            can_change=self.request.user.has_perm("benchmarks.change_rulesettings"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("benchmarks.change_rulesettings"):
            raise PermissionDenied
        form = RuleSettingsForm(request.POST, instance=selectors.rule_settings_current())
        if form.is_valid():
            try:
                services.rule_settings_update(
                    user=request.user,
                    **{name: form.cleaned_data[name] for name in RuleSettingsForm.Meta.fields},
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    "Rule settings saved. They apply to drafts computed from now on; recompute "
                    "open drafts before publishing them.",
                )
                return redirect("staff_benchmarks:rules")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ReferenceListView(StaffView, TemplateView):
    permission_required = "benchmarks.view_referencefigure"
    template_name = "benchmarks/staff/references.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ReferenceFigureForm())
        return super().get_context_data(
            figures=selectors.reference_figures(),
            metrics=METRICS,
            can_add=self.request.user.has_perm("benchmarks.add_referencefigure"),
            can_change=self.request.user.has_perm("benchmarks.change_referencefigure"),
            can_delete=self.request.user.has_perm("benchmarks.delete_referencefigure"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("benchmarks.add_referencefigure"):
            raise PermissionDenied
        form = ReferenceFigureForm(request.POST)
        if form.is_valid():
            try:
                services.reference_figure_create(**form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Reference figure added.")
                return redirect("staff_benchmarks:references")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ReferenceEditView(StaffView, TemplateView):
    permission_required = "benchmarks.change_referencefigure"
    template_name = "benchmarks/staff/reference_form.html"

    def get(self, request, referencefigure_id: int):
        figure = get_object_or_404(ReferenceFigure, pk=referencefigure_id)
        return self.render_to_response(
            self.get_context_data(figure=figure, form=ReferenceFigureForm(instance=figure))
        )

    def post(self, request, referencefigure_id: int):
        figure = get_object_or_404(ReferenceFigure, pk=referencefigure_id)
        form = ReferenceFigureForm(request.POST, instance=ReferenceFigure.objects.get(pk=figure.pk))
        if form.is_valid():
            try:
                services.reference_figure_update(figure=figure, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Reference figure saved.")
                return redirect("staff_benchmarks:references")
        return self.render_to_response(self.get_context_data(figure=figure, form=form), status=400)


class ReferenceDeleteView(StaffView, View):
    permission_required = "benchmarks.delete_referencefigure"
    http_method_names = ["post"]

    def post(self, request, referencefigure_id: int):
        figure = get_object_or_404(ReferenceFigure, pk=referencefigure_id)
        services.reference_figure_delete(figure=figure)
        messages.success(request, "Reference figure deleted.")
        return redirect("staff_benchmarks:references")
