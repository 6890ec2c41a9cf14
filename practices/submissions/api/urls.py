from django.urls import path
from rest_framework.routers import SimpleRouter

from practices.submissions.api import views

PRACTICE = r"practices/(?P<practice_slug>[-a-z0-9]+)"

router = SimpleRouter()
router.register("reporting-periods", views.ReportingPeriodViewSet, basename="reportingperiod")
router.register(f"{PRACTICE}/submissions", views.SubmissionViewSet, basename="submission")

urlpatterns = [
    path(
        "submission-templates/<slug:kind>.<slug:file_format>",
        views.SubmissionTemplateView.as_view(),
        name="submission-template",
    ),
    *router.urls,
]
