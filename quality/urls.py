"""/practices/<practice_slug>/quality/: the practice's quality page (scoped)."""

from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("<slug:practice_slug>/quality/", views.QualityPageView.as_view(), name="page"),
    path("<slug:practice_slug>/quality/export/", views.QualityExportView.as_view(), name="export"),
]
