"""Fixtures shared by the suite: two practices with users of every role, staff of every
group (with two-factor set up, as the site requires of staff), and API clients."""

from __future__ import annotations

import os

import pytest
from rest_framework.test import APIClient

from practices.models import Role
from tests.factories import (
    MembershipFactory,
    PracticeFactory,
    UserFactory,
    enable_totp,
)


def pytest_configure(config):
    # Without DATABASE_URL the suite runs on the embedded PostgreSQL under var/.
    if not os.environ.get("DATABASE_URL"):
        from coalition import devdb

        devdb.start()


@pytest.fixture
def practice_a(db):
    return PracticeFactory(name="Alpha Radiology", slug="alpha", state="OH")


@pytest.fixture
def practice_b(db):
    return PracticeFactory(name="Beta Imaging", slug="beta", state="CA")


def _member(practice, role):
    return MembershipFactory(practice=practice, role=role).user


@pytest.fixture
def admin_a(practice_a):
    return _member(practice_a, Role.PRACTICE_ADMIN)


@pytest.fixture
def submitter_a(practice_a):
    return _member(practice_a, Role.SUBMITTER)


@pytest.fixture
def viewer_a(practice_a):
    return _member(practice_a, Role.VIEWER)


@pytest.fixture
def admin_b(practice_b):
    return _member(practice_b, Role.PRACTICE_ADMIN)


@pytest.fixture
def make_staff(db):
    def make(group: str | None = None, *, superuser: bool = False, totp: bool = True):
        user = UserFactory(
            groups=[group] if group else [],
            is_staff=superuser,
            is_superuser=superuser,
        )
        if totp:
            enable_totp(user)
        return user

    return make


@pytest.fixture
def analyst(make_staff):
    return make_staff("analyst")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    def client_for(user):
        client = APIClient()
        client.force_login(user)
        return client

    return client_for


@pytest.fixture
def client_as(client):
    from django.test import Client

    def client_for(user):
        logged_in = Client()
        logged_in.force_login(user)
        return logged_in

    return client_for
