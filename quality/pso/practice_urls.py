from django.urls import path

from quality.pso import views

app_name = "pso"

BASE = "<slug:practice_slug>/safety"

urlpatterns = [
    path(f"{BASE}/", views.EventListView.as_view(), name="events"),
    path(f"{BASE}/report/", views.ReportView.as_view(), name="report"),
    path(f"{BASE}/trends/", views.TrendsView.as_view(), name="trends"),
    path(f"{BASE}/lessons/", views.PracticeLessonsView.as_view(), name="lessons"),
    path(f"{BASE}/access-log/", views.AccessLogView.as_view(), name="access_log"),
    path(f"{BASE}/<int:safetyevent_id>/", views.EventDetailView.as_view(), name="event"),
]
