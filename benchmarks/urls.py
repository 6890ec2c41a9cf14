"""/benchmarks/: the coalition's published benchmarks (members and staff)."""

from django.urls import path

from benchmarks import views

app_name = "benchmarks"

urlpatterns = [
    path("", views.BenchmarksIndexView.as_view(), name="index"),
    path(
        "releases/<int:benchmarkrelease_id>/",
        views.ReleaseDetailView.as_view(),
        name="release",
    ),
    path(
        "releases/<int:benchmarkrelease_id>/export/",
        views.ReleaseExportView.as_view(),
        name="release_export",
    ),
]
