"""/practices/<practice_slug>/purchasing/: the practice's own purchasing pages."""

from django.urls import path

from coalition.purchasing import views

app_name = "practice_purchasing"

BASE = "<slug:practice_slug>/purchasing/"

urlpatterns = [
    path(BASE, views.OverviewView.as_view(), name="overview"),
    path(f"{BASE}purchases/", views.PurchasesView.as_view(), name="purchases"),
    path(f"{BASE}prices/", views.PricesView.as_view(), name="prices"),
    # ?year=YYYY&format=pdf|xlsx (query parameters: a year is not an object of the practice)
    path(f"{BASE}disclosure/", views.DisclosureView.as_view(), name="disclosure"),
]
