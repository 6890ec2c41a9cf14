from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "benchmarks"
    verbose_name = "Benchmarks"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from benchmarks import checks  # noqa: F401  (registers the settings check)
        from benchmarks.models import BenchmarkRelease, ReferenceFigure, RuleSettings

        # Who changed a threshold, published a release or edited a reference figure.
        auditlog.register(RuleSettings)
        auditlog.register(ReferenceFigure)
        auditlog.register(
            BenchmarkRelease, include_fields=["status", "published_by", "published_at"]
        )
