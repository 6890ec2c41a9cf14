"""/staff/purchasing/: reports, tier tracking, alerts, vendors, contracts, tiers, enrollments."""

from django.urls import path

from coalition.purchasing import staff_views as views

app_name = "staff_purchasing"

urlpatterns = [
    path("", views.ReportView.as_view(), name="reports"),
    path("tier-tracking/", views.TierTrackingView.as_view(), name="tier_tracking"),
    path("alerts/", views.AlertListView.as_view(), name="alerts"),
    path("vendors/", views.VendorListView.as_view(), name="vendors"),
    path("vendors/<int:vendor_id>/", views.VendorEditView.as_view(), name="vendor"),
    path("contracts/", views.ContractListView.as_view(), name="contracts"),
    path("contracts/<int:contract_id>/", views.ContractEditView.as_view(), name="contract"),
    path(
        "contracts/<int:contract_id>/agreement/",
        views.AgreementDownloadView.as_view(),
        name="agreement",
    ),
    path("tiers/<int:tier_id>/", views.TierEditView.as_view(), name="tier"),
    path("enrollments/", views.EnrollmentListView.as_view(), name="enrollments"),
    path("enrollments/<int:enrollment_id>/", views.EnrollmentEditView.as_view(), name="enrollment"),
]
