from rest_framework.routers import SimpleRouter

from quality.api import views

router = SimpleRouter()
router.register(
    r"practices/(?P<practice_slug>[-a-z0-9]+)/quality",
    views.PracticeQualityViewSet,
    basename="practice-quality",
)

urlpatterns = router.urls
