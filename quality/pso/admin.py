"""Admin: safety events are patient safety work product, so they are read-only here (the PSO
works on them through its own pages, where every read is recorded); the vocabularies' labels
are editable."""

from django.contrib import admin

from quality.pso.models import ContributingFactor, EventType, Lesson, SafetyEvent


@admin.register(EventType, ContributingFactor)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "active"]
    list_editable = ["label", "active"]
    search_fields = ["code", "label"]

    def has_delete_permission(self, request, obj=None):
        return False  # codes are used by files, the API and the export

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def has_add_permission(self, request):
        return False  # codes are fixed (vocabularies.py); their labels are editable


@admin.register(SafetyEvent)
class SafetyEventAdmin(admin.ModelAdmin):
    list_display = ["reference", "practice", "event_type", "harm", "status", "reported_at"]
    list_filter = ["status", "harm", "event_class"]
    exclude = ["narrative", "rca_team", "rca_timeline", "rca_causal_statements", "reporter"]

    def get_queryset(self, request):
        return SafetyEvent.objects.across_practices().select_related("practice", "event_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "event_type", "year", "status", "published_at"]
    readonly_fields = ["source_event", "written_by", "reviewed_by", "published_at", "status"]

    def has_add_permission(self, request):
        return False
