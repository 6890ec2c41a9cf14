from django.contrib.auth.models import Group

from coalition.services import STAFF_GROUP_PERMISSIONS


def test_migrate_gives_every_staff_group_all_its_permissions(db):
    """The groups are made after every app's migration, so permissions of apps that come
    later in INSTALLED_APPS are there too."""
    for name, codes in STAFF_GROUP_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert granted == set(codes), name
