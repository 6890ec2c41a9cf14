"""The signed-in user is loaded with its staff and membership flags in one query, and the flags
are read from the database on every request: a change is honoured on the next request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coalition.backends import user_with_access_flags
from practices.models import Membership, Role

ME = "/api/v1/me/"
BENCHMARKS = "/api/v1/benchmarks/releases/"


@pytest.mark.django_db
def test_flags_come_with_the_user(viewer_a, analyst, practice_b):
    with CaptureQueriesContext(connection) as queries:
        member = user_with_access_flags(viewer_a.pk)
        staff = user_with_access_flags(analyst.pk)
        nobody = user_with_access_flags(10**9)
    assert len(queries) == 3
    assert nobody is None
    with CaptureQueriesContext(connection) as queries:
        assert member.is_active_member and not member.is_coalition_staff
        assert staff.is_coalition_staff and not staff.is_active_member
    assert len(queries) == 0
    practice_b.is_active = False
    practice_b.save()
    Membership.objects.create(practice=practice_b, user=analyst, role=Role.VIEWER)
    assert not user_with_access_flags(analyst.pk).is_active_member  # an inactive practice
    # Without the flags (a user loaded elsewhere), the properties ask the database.
    assert viewer_a.is_active_member and not viewer_a.is_coalition_staff


@pytest.mark.django_db
def test_signed_in_request_loads_session_and_user_only(client_as, viewer_a):
    client = client_as(viewer_a)
    client.get(ME)  # the first request of a session may record things
    with CaptureQueriesContext(connection) as queries:
        assert client.get(BENCHMARKS).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert 'FROM "django_session"' in sql[0]
    assert 'FROM "coalition_user" u WHERE' in sql[1] and "AS in_staff_group" in sql[1]
    # The staff check of the two-factor middleware and the membership check of the
    # benchmarks permission ask nothing more: the rest is the view's own reading.
    assert not any('"auth_group"' in s or '"practices_membership"' in s for s in sql[2:])


@pytest.mark.django_db
def test_joining_a_staff_group_requires_two_factor_on_the_next_request(client_as, viewer_a):
    client = client_as(viewer_a)
    assert client.get(ME).status_code == 200
    viewer_a.groups.add(Group.objects.get(name="analyst"))
    response = client.get(ME)
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


@pytest.mark.django_db
def test_losing_the_membership_is_honoured_on_the_next_request(client_as, viewer_a, practice_a):
    client = client_as(viewer_a)
    assert client.get(BENCHMARKS).status_code == 200
    Membership.objects.for_practice(practice_a).filter(user=viewer_a).delete()
    assert client.get(BENCHMARKS).status_code == 403


@pytest.mark.django_db
def test_deactivated_user_is_signed_out(client_as, viewer_a):
    client = client_as(viewer_a)
    assert client.get(ME).status_code == 200
    viewer_a.is_active = False
    viewer_a.save()
    assert client.get(ME).status_code == 401  # no longer authenticated
