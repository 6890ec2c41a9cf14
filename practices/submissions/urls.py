from django.urls import path

from practices.submissions import views

app_name = "submissions"

SUBMISSION = "<slug:practice_slug>/submissions/<int:submission_id>"

urlpatterns = [
    path("<slug:practice_slug>/submissions/", views.SubmissionListView.as_view(), name="list"),
    # Templates are the same for every practice: any signed-in user may download them.
    path(
        "submission-templates/<slug:kind>.<slug:file_format>",
        views.TemplateDownloadView.as_view(),
        name="template",
    ),
    path(f"{SUBMISSION}/", views.SubmissionDetailView.as_view(), name="detail"),
    path(f"{SUBMISSION}/progress/", views.SubmissionProgressView.as_view(), name="progress"),
    path(f"{SUBMISSION}/errors.csv", views.ErrorReportView.as_view(), name="error_report"),
    path(f"{SUBMISSION}/submit/", views.SubmissionSubmitView.as_view(), name="submit"),
    path(f"{SUBMISSION}/retry/", views.SubmissionRetryView.as_view(), name="retry"),
]
