from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "practices"
    verbose_name = "Member practices"
