from django.apps import AppConfig


class EconomicsConfig(AppConfig):
    name = "benchmarks.economics"
    label = "economics"
    verbose_name = "Practice economics"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from benchmarks.economics.models import EconomicsScenario, ScenarioVersion, SupportAsk

        # Who saved which scenario and ask, and when: the figures a practice takes to its hospital.
        auditlog.register(EconomicsScenario)
        auditlog.register(ScenarioVersion)
        auditlog.register(SupportAsk)
