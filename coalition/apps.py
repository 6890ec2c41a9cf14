from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoalitionConfig(AppConfig):
    name = "coalition"
    verbose_name = "Coalition"

    def ready(self) -> None:
        from coalition import audit

        audit.connect_signals()
        # After every app's migration, not only this one's: the groups' permissions belong to
        # apps that come later in INSTALLED_APPS. The function is idempotent.
        post_migrate.connect(_ensure_staff_groups, dispatch_uid="coalition_staff_groups")


def _ensure_staff_groups(**kwargs) -> None:
    from coalition.services import staff_groups_ensure

    staff_groups_ensure()
