from django.apps import AppConfig


class PsoConfig(AppConfig):
    name = "quality.pso"
    label = "pso"
    verbose_name = "Patient Safety Organization"

    def ready(self) -> None:
        # The safety_event upload kind (practices/submissions/kinds.py).
        from quality.pso import upload_kinds  # noqa: F401
