from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from coalition import views
from practices import views as practice_views

# The admin signs in through the site's sign-in, so two-factor and lockout apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Radiology Coalition administration"

staff_patterns = (
    [
        path("members/", views.StaffDirectoryView.as_view(), name="directory"),
        path("audit/", views.AuditTrailView.as_view(), name="audit"),
    ],
    "staff",
)

urlpatterns = [
    # First: scripts call the API far more often than people open pages, and Django tries the
    # patterns in order (no other pattern starts with api/).
    path("api/v1/", include("coalition.api.urls")),
    path("", views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("practices/", include("practices.urls")),
    path("practices/", include("practices.submissions.urls")),
    path("practices/", include("benchmarks.practice_urls")),
    path("practices/", include("quality.pso.practice_urls")),
    path("practices/", include("coalition.purchasing.practice_urls")),
    path("purchasing/", include("coalition.purchasing.urls")),
    path("practices/", include("benchmarks.economics.urls")),
    path("practices/", include("quality.urls")),
    path("benchmarks/", include("benchmarks.urls")),
    path("invitations/<str:token>/", practice_views.invitation_accept, name="invitation_accept"),
    path("staff/benchmarks/", include("benchmarks.staff_urls")),
    path("staff/purchasing/", include("coalition.purchasing.staff_urls")),
    path("staff/", include(staff_patterns)),
    path("staff/submissions/", include("practices.submissions.staff_urls")),
    path("staff/pso/", include("quality.pso.staff_urls")),
    path("admin/", admin.site.urls),
]

# Error pages in the site's layout (JSON under /api/).
handler403 = "coalition.views.permission_denied"
handler404 = "coalition.views.page_not_found"
