"""/staff/benchmarks/: releases, cells, suppression report, rules and reference figures."""

from django.urls import path

from benchmarks import staff_views as views

app_name = "staff_benchmarks"

RELEASE = "releases/<int:benchmarkrelease_id>/"

urlpatterns = [
    path("", views.ReleaseListView.as_view(), name="releases"),
    path(RELEASE, views.ReleaseCellsView.as_view(), name="release"),
    path(f"{RELEASE}suppression/", views.SuppressionReportView.as_view(), name="suppression"),
    path(f"{RELEASE}compare/", views.ReleaseCompareView.as_view(), name="compare"),
    path(f"{RELEASE}verify/", views.ReleaseVerifyView.as_view(), name="verify"),
    path(f"{RELEASE}export/", views.ReleaseExportView.as_view(), name="export"),
    path(f"{RELEASE}publish/", views.ReleasePublishView.as_view(), name="publish"),
    path(f"{RELEASE}progress/", views.ReleaseProgressView.as_view(), name="progress"),
    path(f"{RELEASE}recompute/", views.ReleaseRecomputeView.as_view(), name="recompute"),
    path(f"{RELEASE}discard/", views.ReleaseDiscardView.as_view(), name="discard"),
    path("rules/", views.RuleSettingsView.as_view(), name="rules"),
    path("references/", views.ReferenceListView.as_view(), name="references"),
    path(
        "references/<int:referencefigure_id>/",
        views.ReferenceEditView.as_view(),
        name="reference_edit",
    ),
    path(
        "references/<int:referencefigure_id>/delete/",
        views.ReferenceDeleteView.as_view(),
        name="reference_delete",
    ),
]
