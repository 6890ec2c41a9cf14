"""API rate limits (coalition/api/throttling.py): a user's requests over the rate in one window
answer 429 with Retry-After; a new window starts afresh; anonymous callers are counted by
address. Run against the in-process cache and, marked for the real services, Redis."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.test import override_settings
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from coalition.api import throttling
from coalition.cache import RedisCache
from tests.factories import UserFactory


class _Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _throttle(kind, clock, rate="3/min"):
    throttle = kind.__new__(kind)
    throttle.timer = clock
    throttle.rate = rate
    throttle.num_requests, throttle.duration = throttle.parse_rate(rate)
    return throttle


def _request(user=None, address="10.0.0.1"):
    drf = Request(APIRequestFactory().get("/api/v1/me/", REMOTE_ADDR=address))
    drf.user = user if user is not None else AnonymousUser()
    return drf


def _run_window_checks(db_user):
    clock = _Clock(1_000_040.0)  # 20 s into a window of 60 s (windows start at multiples)
    throttle = _throttle(throttling.UserRateThrottle, clock)
    request = _request(db_user)
    view = APIView()
    assert [throttle.allow_request(request, view) for _ in range(4)] == [True, True, True, False]
    assert throttle.wait() == pytest.approx(40.0)
    other = _request(UserFactory())
    assert throttle.allow_request(other, view), "each user has a window of their own"
    clock.now += 41  # the next window
    assert throttle.allow_request(request, view)


@pytest.mark.django_db
def test_user_windows_with_the_in_process_cache():
    caches["default"].clear()
    _run_window_checks(UserFactory())


@pytest.mark.django_db
@pytest.mark.services
def test_user_windows_with_redis():
    redis_caches = {
        "default": {
            "BACKEND": "coalition.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/13",
            "KEY_PREFIX": uuid.uuid4().hex,
        }
    }
    with override_settings(CACHES=redis_caches):
        assert isinstance(caches["default"], RedisCache)
        try:
            _run_window_checks(UserFactory())
        finally:
            caches["default"].clear()


@pytest.mark.django_db
def test_anonymous_callers_are_counted_by_address():
    caches["default"].clear()
    clock = _Clock(2_000_000.0)
    throttle = _throttle(throttling.AnonRateThrottle, clock, rate="2/min")
    view = APIView()
    first = _request(None, "10.0.0.7")
    assert [throttle.allow_request(first, view) for _ in range(3)] == [True, True, False]
    assert throttle.allow_request(_request(None, "10.0.0.8"), view)
    # Signed-in callers are not anonymous: never counted here.
    assert all(throttle.allow_request(_request(UserFactory()), view) for _ in range(5))


def test_the_site_uses_these_throttles():
    from rest_framework.settings import api_settings

    assert {t.__module__ for t in api_settings.DEFAULT_THROTTLE_CLASSES} == {
        "coalition.api.throttling"
    }


@pytest.mark.django_db
def test_over_the_rate_the_api_answers_429_with_retry_after(viewer_a, api_as, monkeypatch):
    caches["default"].clear()
    monkeypatch.setattr(throttling.UserRateThrottle, "THROTTLE_RATES", {"user": "2/min"})
    client = api_as(viewer_a)
    statuses = [client.get("/api/v1/me/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = client.get("/api/v1/me/")
    assert 0 <= int(refused["Retry-After"]) <= 61
