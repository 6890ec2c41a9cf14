from django.urls import path

from practices.submissions import staff_views

app_name = "staff_submissions"

urlpatterns = [
    path("review/", staff_views.ReviewQueueView.as_view(), name="review_queue"),
    path("<int:submission_id>/", staff_views.ReviewView.as_view(), name="review"),
    path("periods/", staff_views.PeriodListView.as_view(), name="periods"),
    path(
        "periods/<int:reportingperiod_id>/",
        staff_views.PeriodUpdateView.as_view(),
        name="period_update",
    ),
]
