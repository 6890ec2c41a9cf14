from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Quality and safety (PSO)"

    def ready(self) -> None:
        # The three quality upload kinds join the submission pipeline's registry.
        from quality import upload_kinds  # noqa: F401
