from django.urls import path
from rest_framework.routers import SimpleRouter

from quality.pso.api import views

PRACTICE = r"practices/(?P<practice_slug>[-a-z0-9]+)"

router = SimpleRouter()
router.register(
    f"{PRACTICE}/safety-events", views.PracticeSafetyEventViewSet, basename="safetyevent"
)
router.register("pso/events", views.PsoEventViewSet, basename="pso-event")
router.register("pso/actions", views.PsoActionViewSet, basename="pso-action")
router.register("pso/lessons", views.PsoLessonViewSet, basename="pso-lesson")
router.register("lessons", views.LessonViewSet, basename="lesson")

urlpatterns = [
    path("pso/trends/", views.PsoTrendsView.as_view(), name="pso-trends"),
    path("pso/export/", views.PsoExportView.as_view(), name="pso-export"),
    *router.urls,
]
