"""/api/v1/: every app's API routes, the OpenAPI schema and the interactive docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

# Registers the OpenAPI description of the API-key scheme. Imported with the URLs rather than at
# start-up: drf-spectacular is only needed where the schema is generated, and the schema is
# generated from these URLs.
from coalition.api import schema  # noqa: F401
from practices.api.views import MeView

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("", include("practices.api.urls")),
    path("", include("practices.submissions.api.urls")),
    path("", include("benchmarks.api.urls")),
    path("", include("quality.pso.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
