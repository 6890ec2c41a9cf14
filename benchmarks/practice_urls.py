"""/practices/<practice_slug>/benchmarks/: a practice's own position (scoped pages)."""

from django.urls import path

from benchmarks import views

app_name = "practice_benchmarks"

urlpatterns = [
    path(
        "<slug:practice_slug>/benchmarks/",
        views.PracticePositionView.as_view(),
        name="position",
    ),
    path(
        "<slug:practice_slug>/benchmarks/export/",
        views.PracticePositionExportView.as_view(),
        name="position_export",
    ),
]
