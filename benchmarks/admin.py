"""Admin for benchmarks. Releases and cells are read-only here (they change only through the
release services, and published ones not at all); administrators edit the rule settings and
reference figures, which staff also edit on the staff pages."""

from django.contrib import admin

from benchmarks.forms import ReferenceFigureForm
from benchmarks.models import BenchmarkCell, BenchmarkRelease, ReferenceFigure, RuleSettings
from coalition.admin import ReadOnlyAdmin


@admin.register(BenchmarkRelease)
class BenchmarkReleaseAdmin(ReadOnlyAdmin):
    list_display = ["year", "version", "status", "computed_at", "published_at", "published_by"]
    list_filter = ["status", "year"]
    list_select_related = ["published_by"]
    readonly_fields = [
        "year",
        "version",
        "status",
        "rule_settings",
        "inputs_digest",
        "requested_by",
        "requested_at",
        "computed_at",
        "compute_seconds",
        "error",
        "published_by",
        "published_at",
    ]


@admin.register(BenchmarkCell)
class BenchmarkCellAdmin(ReadOnlyAdmin):
    list_display = [
        "release",
        "metric",
        "dimension",
        "value",
        "n_practices",
        "n_observations",
        "p50",
        "suppressed",
    ]
    list_filter = ["release__year", "metric", "dimension", "suppressed"]
    list_select_related = ["release"]


@admin.register(RuleSettings)
class RuleSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "min_practices",
        "max_practice_share",
        "min_observations_central",
        "min_observations_tails",
        "publication_lag_months",
        "min_clinical_fte",
        "updated_at",
    ]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not RuleSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReferenceFigure)
class ReferenceFigureAdmin(admin.ModelAdmin):
    form = ReferenceFigureForm
    list_display = ["metric", "statistic", "value", "source", "survey_year"]
    list_filter = ["metric", "statistic"]
    search_fields = ["source", "note"]
