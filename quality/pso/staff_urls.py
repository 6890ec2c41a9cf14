from django.urls import path

from quality.pso import views

app_name = "staff_pso"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("events/<int:event_id>/", views.WorkspaceView.as_view(), name="event"),
    path("actions/", views.ActionTrackerView.as_view(), name="actions"),
    path("trends/", views.StaffTrendsView.as_view(), name="trends"),
    path("lessons/", views.StaffLessonsView.as_view(), name="lessons"),
    path("lessons/<int:lesson_id>/", views.StaffLessonView.as_view(), name="lesson"),
    path("export.<slug:file_format>", views.DeidentifiedExportView.as_view(), name="export"),
]
