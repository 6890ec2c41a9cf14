from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _vocabularies_ensure(sender, **kwargs) -> None:
    # After every migrate (and every flush, which tests run): the fixed codes exist.
    from quality.pso.models import ContributingFactor, EventType
    from quality.pso.vocabularies import CONTRIBUTING_FACTORS, EVENT_TYPES

    for model, rows in ((EventType, EVENT_TYPES), (ContributingFactor, CONTRIBUTING_FACTORS)):
        for code, label in rows:
            model.objects.get_or_create(code=code, defaults={"label": label})


class PsoConfig(AppConfig):
    name = "quality.pso"
    label = "pso"
    verbose_name = "Patient Safety Organization"

    def ready(self) -> None:
        # The safety_event upload kind (practices/submissions/kinds.py).
        from quality.pso import upload_kinds  # noqa: F401

        post_migrate.connect(_vocabularies_ensure, sender=self)
