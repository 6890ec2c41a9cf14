from rest_framework.routers import SimpleRouter

from coalition.purchasing.api import views

PRACTICE = r"practices/(?P<practice_slug>[-a-z0-9]+)"

router = SimpleRouter()
router.register("purchasing/contracts", views.ContractViewSet, basename="purchasing-contract")
router.register("purchasing/reports", views.StaffReportViewSet, basename="purchasing-report")
router.register(
    f"{PRACTICE}/purchasing/purchases", views.PurchaseRecordViewSet, basename="purchase-record"
)
router.register(
    f"{PRACTICE}/purchasing/spend", views.PracticeSpendViewSet, basename="practice-purchasing-spend"
)
router.register(
    f"{PRACTICE}/purchasing/tiers", views.PracticeTierViewSet, basename="practice-purchasing-tiers"
)
router.register(
    f"{PRACTICE}/purchasing/prices",
    views.PracticePriceViewSet,
    basename="practice-purchasing-prices",
)

urlpatterns = router.urls
