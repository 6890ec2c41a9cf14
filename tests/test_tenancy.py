"""The tenancy suite: every URL pattern of the project, walked as a user of practice A, a user
of practice B, each staff role, an administrator and an anonymous visitor.

Routes are discovered from the URL configuration, so a route added later is covered the day it
appears. URL keyword arguments are filled by name from tests/tenancy_samples.py; a route with a
keyword nobody registered fails here with the name to register.

What must hold:
- no route answers 5xx to anyone, for reads or for writes with an empty payload;
- a practice route (one with `practice_slug`) built for practice A answers 404 to B's user and
  to staff who are not members, for every method, and changes none of A's rows; with B's slug
  and A's object ids (a forged id) it answers 404 to B's user too;
- the URL built for A really works for A's own admin (so the 404s above prove something);
- an anonymous visitor gets 200 only from the routes listed as public.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from coalition.tenancy import is_practice_owned
from practices.models import Role
from tests.factories import MembershipFactory, PracticeFactory, UserFactory, enable_totp
from tests.tenancy_samples import SAMPLES

# Routes an anonymous visitor may read (200). Everything else must send them to sign in.
PUBLIC_ROUTES = {
    "account_login",
    "account_signup",  # answers "sign-up is closed": accounts come from invitations
    "account_inactive",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "api-schema",
    "api-docs",
    "api-redoc",
}

# Keyword arguments of third-party routes, filled with harmless values.
THIRD_PARTY_KWARGS = {
    "app_label": "practices",
    "object_id": "999999",
    "id": "999999",
    "content_type_id": "1",
    "key": "x",
    "uidb36": "x",
    "token": "x",
    "url": "x",
}

UNSAFE_METHODS = ("post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: tuple[str, ...]

    @property
    def is_practice_route(self) -> bool:
        return "practice_slug" in self.kwargs


def _walk(patterns, namespace: str = "") -> list[Route]:
    routes: list[Route] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            keywords = tuple(entry.pattern.regex.groupindex)
            for route in _walk(entry.url_patterns, inner):
                routes.append(Route(route.name, tuple(dict.fromkeys(keywords + route.kwargs))))
        elif isinstance(entry, URLPattern) and entry.name:
            routes.append(Route(namespace + entry.name, tuple(entry.pattern.regex.groupindex)))
    unique = {}
    for route in routes:
        unique.setdefault((route.name, route.kwargs), route)
    return sorted(unique.values(), key=lambda r: r.name)


ALL_ROUTES = _walk(get_resolver().url_patterns)
OUR_MODULE = re.compile(r"^(coalition|practices|benchmarks|quality)\b")


def _route_ids(routes):
    return [f"{r.name}[{','.join(r.kwargs)}]" for r in routes]


def test_every_project_route_is_named():
    """Unnamed routes cannot be reversed by this suite; every route of ours needs a name."""
    unnamed = []

    def collect(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                collect(entry.url_patterns)
            elif isinstance(entry, URLPattern) and not entry.name:
                module = getattr(entry.callback, "__module__", "")
                if OUR_MODULE.match(module):
                    unnamed.append(str(entry.pattern))

    collect(get_resolver().url_patterns)
    assert unnamed == []


def test_suite_sees_the_practice_routes():
    names = {r.name for r in ALL_ROUTES if r.is_practice_route}
    assert {"practices:detail", "practices:members", "membership-detail"} <= names


# --- the world the suite walks -----------------------------------------------------------------
class World:
    def __init__(self):
        self.practice_a = PracticeFactory(name="Tenancy A", slug="tenancy-a")
        self.practice_b = PracticeFactory(name="Tenancy B", slug="tenancy-b", state="CA")
        self.owner_a = MembershipFactory(practice=self.practice_a, role=Role.PRACTICE_ADMIN).user
        self.viewer_a = MembershipFactory(practice=self.practice_a, role=Role.VIEWER).user
        self.admin_b = MembershipFactory(practice=self.practice_b, role=Role.PRACTICE_ADMIN).user
        self.staff = {}
        for group in ("analyst", "pso_staff", "purchasing"):
            user = UserFactory(groups=[group])
            enable_totp(user)
            self.staff[group] = user
        superuser = UserFactory(is_staff=True, is_superuser=True)
        enable_totp(superuser)
        self.staff["administrator"] = superuser
        self._samples: dict[tuple[str, int], object] = {}

    def sample(self, kwarg: str, practice):
        key = (kwarg, practice.pk)
        if key not in self._samples:
            owner = self.owner_a if practice == self.practice_a else self.admin_b
            self._samples[key] = SAMPLES[kwarg](practice, owner)
        return self._samples[key]

    def url(self, route: Route, practice, object_practice=None) -> str:
        """The route's URL for `practice`; object ids of `object_practice` (default: same)."""
        object_practice = object_practice or practice
        kwargs = {}
        for kwarg in route.kwargs:
            if kwarg == "practice_slug":
                kwargs[kwarg] = practice.slug
            elif kwarg in SAMPLES:
                kwargs[kwarg] = self.sample(kwarg, object_practice)
            elif kwarg in THIRD_PARTY_KWARGS and not route.is_practice_route:
                kwargs[kwarg] = THIRD_PARTY_KWARGS[kwarg]
            else:
                pytest.fail(
                    f"Route {route.name} takes '{kwarg}', which tests/tenancy_samples.py does "
                    f"not know: register a maker with @sample('{kwarg}')."
                )
        return reverse(route.name, kwargs=kwargs)

    def snapshot(self, practice) -> dict[str, list]:
        """Every practice-owned row of the practice, for before/after comparisons."""
        state = {}
        for model in apps.get_models():
            if is_practice_owned(model):
                rows = model.objects.for_practice(practice).order_by("pk").values()
                state[model._meta.label] = [dict(row) for row in rows]
        return state


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def world(db):
    return World()


def _reverse_or_none(world, route, practice, object_practice=None):
    try:
        return world.url(route, practice, object_practice)
    except NoReverseMatch:
        return None


# --- 1. nobody gets a 5xx -------------------------------------------------------------------------
@pytest.mark.parametrize("route", ALL_ROUTES, ids=_route_ids(ALL_ROUTES))
def test_no_route_answers_5xx_to_anyone(world, route):
    url = _reverse_or_none(world, route, world.practice_a)
    if url is None:
        pytest.fail(f"{route.name} cannot be reversed with the sample keyword values")
    actors = {
        "anonymous": None,
        "owner_a": world.owner_a,
        "viewer_a": world.viewer_a,
        "admin_b": world.admin_b,
        **world.staff,
    }
    for actor, user in actors.items():
        response = _client(user).get(url)
        assert response.status_code < 500, f"GET {url} as {actor}: {response.status_code}"


# --- 2. practice routes: another practice's user and staff get 404, for every method --------------
PRACTICE_ROUTES = [r for r in ALL_ROUTES if r.is_practice_route]


@pytest.mark.parametrize("route", PRACTICE_ROUTES, ids=_route_ids(PRACTICE_ROUTES))
def test_practice_route_is_closed_to_other_practices_and_staff(world, route):
    url = world.url(route, world.practice_a)

    # The owner reaches it, so the 404s below are about access, not a broken URL.
    owner_status = _client(world.owner_a).get(url).status_code
    assert owner_status in (200, 302, 405), f"GET {url} as A's admin: {owner_status}"

    before = world.snapshot(world.practice_a)
    outsiders = {"admin_b": world.admin_b, **world.staff}
    for actor, user in outsiders.items():
        client = _client(user)
        for method in ("get", *UNSAFE_METHODS):
            response = getattr(client, method)(url, data={}, content_type="application/json")
            assert response.status_code == 404, (
                f"{method.upper()} {url} as {actor}: {response.status_code}, expected 404"
            )
    assert world.snapshot(world.practice_a) == before, f"{route.name} let an outsider change A"


OBJECT_ROUTES = [r for r in PRACTICE_ROUTES if set(r.kwargs) - {"practice_slug"}]


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=_route_ids(OBJECT_ROUTES))
def test_forged_object_id_answers_404(world, route):
    """B's user, on B's own practice route, names one of A's objects."""
    forged = world.url(route, world.practice_b, object_practice=world.practice_a)
    before = world.snapshot(world.practice_a)
    client = _client(world.admin_b)
    for method in ("get", *UNSAFE_METHODS):
        response = getattr(client, method)(forged, data={}, content_type="application/json")
        assert response.status_code in (404, 405), (
            f"{method.upper()} {forged} as B's admin: {response.status_code}"
        )
    assert world.snapshot(world.practice_a) == before


@pytest.mark.parametrize("route", PRACTICE_ROUTES, ids=_route_ids(PRACTICE_ROUTES))
def test_owner_writes_with_empty_payload_never_5xx(world, route):
    url = world.url(route, world.practice_a)
    client = _client(world.owner_a)
    for method in UNSAFE_METHODS:
        response = getattr(client, method)(url, data={}, content_type="application/json")
        assert response.status_code < 500, f"{method.upper()} {url}: {response.status_code}"


@pytest.mark.parametrize("route", PRACTICE_ROUTES, ids=_route_ids(PRACTICE_ROUTES))
def test_anonymous_is_sent_to_sign_in_on_practice_routes(world, route):
    url = world.url(route, world.practice_a)
    for method in ("get", *UNSAFE_METHODS):
        response = getattr(_client(), method)(url, data={}, content_type="application/json")
        assert response.status_code in (302, 401, 403), (
            f"{method.upper()} {url} anonymous: {response.status_code}"
        )
        if response.status_code == 302:
            assert response.url.startswith(reverse("account_login"))


# --- 3. nothing else is public ----------------------------------------------------------------------
PRIVATE_ROUTES = [r for r in ALL_ROUTES if r.name not in PUBLIC_ROUTES]


@pytest.mark.parametrize("route", PRIVATE_ROUTES, ids=_route_ids(PRIVATE_ROUTES))
def test_anonymous_never_reads_a_private_route(world, route):
    url = _reverse_or_none(world, route, world.practice_a)
    assert url is not None
    response = _client().get(url)
    assert response.status_code != 200, f"GET {url} is public; add it to PUBLIC_ROUTES if meant"


STAFF_ROUTES = [r for r in ALL_ROUTES if r.name.startswith("staff")]


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=_route_ids(STAFF_ROUTES))
def test_members_cannot_open_staff_pages(world, route):
    url = world.url(route, world.practice_a)
    for user in (world.owner_a, world.viewer_a, world.admin_b):
        assert _client(user).get(url).status_code in (403, 404)
