"""/practices/<practice_slug>/economics/: the practice's negotiation model (scoped pages)."""

from django.urls import path

from benchmarks.economics import views

app_name = "economics"

YEAR = "<slug:practice_slug>/economics/<int:economics_year>"
SCENARIO = f"{YEAR}/scenarios/<int:economicsscenario_id>"

urlpatterns = [
    path("<slug:practice_slug>/economics/", views.EconomicsIndexView.as_view(), name="index"),
    path(f"{YEAR}/", views.EconomicsPageView.as_view(), name="year"),
    path(f"{YEAR}/brief/", views.BriefView.as_view(), name="brief"),
    path(f"{YEAR}/scenarios/", views.ScenarioSaveView.as_view(), name="scenario_save"),
    path(f"{SCENARIO}/", views.ScenarioDetailView.as_view(), name="scenario"),
    path(f"{SCENARIO}/refresh/", views.ScenarioRefreshView.as_view(), name="scenario_refresh"),
    path(f"{SCENARIO}/delete/", views.ScenarioDeleteView.as_view(), name="scenario_delete"),
    path(f"{YEAR}/asks/", views.AskCreateView.as_view(), name="ask_create"),
    path(
        f"{YEAR}/asks/<int:supportask_id>/delete/",
        views.AskDeleteView.as_view(),
        name="ask_delete",
    ),
]
