"""/api/v1/: every app's API routes, the OpenAPI schema and the interactive docs."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

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
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        DOCS_CSP(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("redoc/", DOCS_CSP(SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
]
