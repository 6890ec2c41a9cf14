"""/api/v1/: every app's API routes, the OpenAPI schema and the interactive docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from practices.api.views import MeView

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("", include("practices.api.urls")),
    path("", include("practices.submissions.api.urls")),
    path("", include("benchmarks.api.urls")),
    path("", include("quality.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
