from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "practices.submissions"
    label = "submissions"
    verbose_name = "Data submissions"
