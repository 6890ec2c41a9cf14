"""The authentication backends of the site: Django's and allauth's, each loading a signed-in
user (once per request, from the session) together with the two facts nearly every request
asks next, in the same query: whether the user is in a staff group (the two-factor middleware
asks on every request) and whether they belong to an active practice (benchmark pages and the
cells API ask). Both are read from the database with the user, so they are as fresh as the
user row itself; nothing is cached between requests."""

from __future__ import annotations

from functools import cache

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import backends


@cache
def _user_sql() -> str:
    """One statement for the user and both flags. Written as SQL because it runs on every
    signed-in request, where building the same query with annotations through the ORM cost
    more than the database took to answer it."""
    from django.contrib.auth.models import Group

    from coalition.models import STAFF_GROUPS, User
    from practices.models import Membership, Practice

    user = User._meta.db_table
    groups = User.groups.through._meta.db_table
    group = Group._meta.db_table
    membership = Membership._meta.db_table
    practice = Practice._meta.db_table
    names = ", ".join(["%s"] * len(STAFF_GROUPS))
    # Table names come from the models; every value is a parameter.
    return (
        f'SELECT u.*, EXISTS (SELECT 1 FROM "{groups}" ug JOIN "{group}" g ON g.id = ug.group_id '  # noqa: S608
        f"WHERE ug.user_id = u.id AND g.name IN ({names})) AS in_staff_group, "
        f'EXISTS (SELECT 1 FROM "{membership}" m JOIN "{practice}" p ON p.id = m.practice_id '
        "WHERE m.user_id = u.id AND p.is_active) AS has_active_membership "
        f'FROM "{user}" u WHERE u.id = %s'
    )


def user_with_access_flags(user_id):
    from coalition.models import STAFF_GROUPS, User

    try:
        pk = User._meta.pk.to_python(user_id)
    except Exception:  # a session holding something that is not an id: nobody
        return None
    found = list(User._default_manager.raw(_user_sql(), [*STAFF_GROUPS, pk]))
    return found[0] if found else None


class _AccessFlagsMixin:
    def get_user(self, user_id):
        user = user_with_access_flags(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_AccessFlagsMixin, backends.ModelBackend):
    pass


class AccountBackend(_AccessFlagsMixin, AuthenticationBackend):
    pass
