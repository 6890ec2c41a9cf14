from rest_framework.routers import SimpleRouter

from benchmarks.economics.api import views

PRACTICE = r"practices/(?P<practice_slug>[-a-z0-9]+)"
YEAR = rf"{PRACTICE}/economics/(?P<economics_year>\d{{4}})"

router = SimpleRouter()
router.register(f"{PRACTICE}/economics", views.EconomicsViewSet, basename="practice-economics")
router.register(f"{YEAR}/scenarios", views.ScenarioViewSet, basename="practice-economics-scenario")
router.register(f"{YEAR}/asks", views.SupportAskViewSet, basename="practice-economics-ask")

urlpatterns = router.urls
