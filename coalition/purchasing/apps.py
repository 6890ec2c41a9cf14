from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "coalition.purchasing"
    label = "purchasing"
    verbose_name = "Group purchasing"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from coalition.purchasing import models, upload_kinds  # noqa: F401 - registers the kind

        # Who changed a contract's terms, fees, tiers or a practice's enrollment, and when.
        auditlog.register(models.Vendor)
        auditlog.register(models.Contract, exclude_fields=["updated_at"])
        auditlog.register(models.Tier)
        auditlog.register(models.Enrollment)
        auditlog.register(models.PurchaseRecord)
