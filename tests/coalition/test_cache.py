"""The Redis cache backend (coalition/cache.py) against this machine's Redis: it behaves as
Django's and reuses one client per connection pool."""

from __future__ import annotations

import uuid

import pytest

from coalition.cache import RedisCache

pytestmark = pytest.mark.services

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def cache():
    backend = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield backend
    backend.clear()


def test_reads_and_writes_as_djangos(cache):
    assert cache.get("missing", "default") == "default"
    cache.set("session", {"user": 7}, 30)
    assert cache.get("session") == {"user": 7}
    assert cache.add("session", "other") is False
    cache.set("hits", 1)
    assert cache.incr("hits") == 2
    cache.delete("session")
    assert cache.get("session") is None
    cache.set_many({"a": 1, "b": 2})
    assert cache.get_many(["a", "b"]) == {"a": 1, "b": 2}


def test_one_client_per_pool_is_reused(cache):
    client = cache._cache.get_client("x")
    assert cache._cache.get_client("y") is client
    assert cache._cache.get_client("z", write=True) is client  # one server: one pool
