from rest_framework.routers import SimpleRouter

from practices.api import views

PRACTICE = r"practices/(?P<practice_slug>[-a-z0-9]+)"

router = SimpleRouter()
router.register("practices", views.PracticeViewSet, basename="practice")
router.register(f"{PRACTICE}/memberships", views.MembershipViewSet, basename="membership")
router.register(f"{PRACTICE}/invitations", views.InvitationViewSet, basename="invitation")
router.register(f"{PRACTICE}/api-keys", views.PracticeAPIKeyViewSet, basename="practiceapikey")

urlpatterns = router.urls
