"""/purchasing/: the contract catalog for members and purchasing staff."""

from django.urls import path

from coalition.purchasing import views

app_name = "purchasing"

urlpatterns = [
    path("", views.CatalogView.as_view(), name="catalog"),
    path("contracts/<int:contract_id>/", views.ContractView.as_view(), name="contract"),
]
