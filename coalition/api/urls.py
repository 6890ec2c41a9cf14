"""/api/v1/: every app's API routes, the OpenAPI schema and the interactive docs."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

# Registers the OpenAPI description of the API-key scheme. Imported with the URLs rather than at
# start-up: drf-spectacular is only needed where the schema is generated, and the schema is
# generated from these URLs.
from coalition.api import schema  # noqa: F401
from practices.api.views import MeView

# Swagger UI and ReDoc build their pages in the browser: they set inline styles (ReDoc also
# injects <style> elements and runs a web worker from a blob: URL) and use data: images. Only
# these two pages get those additions; no inline script runs on them either.
DOCS_CSP = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("", include("practices.api.urls")),
    path("", include("practices.submissions.api.urls")),
    path("", include("benchmarks.api.urls")),
    path("", include("quality.pso.api.urls")),
    path("", include("coalition.purchasing.api.urls")),
    path("", include("benchmarks.economics.api.urls")),
    path("", include("quality.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        DOCS_CSP(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("redoc/", DOCS_CSP(SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
]
