"""Coalition-wide writes: staff groups and their permissions."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

# Staff roles are Django groups. Each later feature adds the permissions its staff pages need.
STAFF_GROUP_PERMISSIONS: dict[str, list[str]] = {
    "analyst": [
        "practices.view_practice",
        "practices.view_member_directory",
        "coalition.view_audit_trail",
        "submissions.review_submission",
        "submissions.view_submission",
        "submissions.add_reportingperiod",
        "submissions.change_reportingperiod",
        "benchmarks.view_draft",
        "benchmarks.compute_release",
        "benchmarks.publish_release",
        "benchmarks.view_rulesettings",
        "benchmarks.change_rulesettings",
        "benchmarks.view_referencefigure",
        "benchmarks.add_referencefigure",
        "benchmarks.change_referencefigure",
        "benchmarks.delete_referencefigure",
    ],
    "pso_staff": [
        "practices.view_practice",
        "practices.view_member_directory",
        "pso.manage_safety_events",
        "pso.publish_lesson",
        "pso.view_safetyevent",
        "pso.view_lesson",
    ],
    "purchasing": [
        "practices.view_practice",
        "practices.view_member_directory",
        "purchasing.view_purchasing_reports",
        *(
            f"purchasing.{action}_{model}"
            for model in ("vendor", "contract", "tier", "enrollment")
            for action in ("view", "add", "change", "delete")
        ),
        "purchasing.view_purchaserecord",
        "purchasing.review_purchase_records",
        "submissions.view_submission",
        "purchasing.view_alert",
    ],
}


@transaction.atomic
def staff_groups_ensure() -> dict[str, Group]:
    """Create the staff groups and give them exactly their permissions. Idempotent."""
    groups = {}
    for name, codes in STAFF_GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:  # absent only mid-way through the first migrate
                permissions.append(permission)
        group.permissions.set(permissions)
        groups[name] = group
    return groups
