from rest_framework.routers import SimpleRouter

from benchmarks.api import views

PRACTICE = r"practices/(?P<practice_slug>[-a-z0-9]+)"

router = SimpleRouter()
router.register("benchmarks/releases", views.ReleaseViewSet, basename="benchmarkrelease")
router.register("benchmarks/cells", views.CellViewSet, basename="benchmarkcell")
router.register(
    f"{PRACTICE}/benchmarks/position",
    views.PracticePositionViewSet,
    basename="practice-benchmark-position",
)

urlpatterns = router.urls
