"""API rate limits counted in fixed windows with one atomic increment per request.

DRF's own throttles keep every request's timestamp of the last minute in the cache, read and
write it back on each request (two round trips to the shared cache, and a list of up to the
whole rate to unpickle and pickle). Here each user's window is one counter: with Redis the
increment and its expiry go in one round trip. A fixed window lets a client make up to twice
the rate across the boundary of two windows, which a limit against runaway scripts allows.
"""

from __future__ import annotations

from django.core.cache import caches
from rest_framework import throttling

from coalition.cache import RedisCache


def _increment(cache, key: str, *, timeout: int) -> int:
    """The counter at `key` after adding one; created with the timeout when missing."""
    if isinstance(cache, RedisCache):
        full_key = cache.make_and_validate_key(key)
        pipe = cache._cache.get_client(full_key, write=True).pipeline()
        pipe.incr(full_key)
        pipe.expire(full_key, timeout, nx=True)
        count, _ = pipe.execute()
        return int(count)
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout)
        return 1


class _WindowCounting:
    @property
    def cache(self):
        # The backend itself (this thread's), not the module-level proxy: Redis is told apart.
        return caches["default"]

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        count = _increment(self.cache, f"{self.key}:{window}", timeout=self.duration + 1)
        self.retry_after = (window + 1) * self.duration - now
        return count <= self.num_requests

    def wait(self) -> float | None:
        return max(0.0, getattr(self, "retry_after", 0.0))


class AnonRateThrottle(_WindowCounting, throttling.AnonRateThrottle):
    """Requests without credentials, per client address."""


class UserRateThrottle(_WindowCounting, throttling.UserRateThrottle):
    """Signed-in members and API keys, per user."""
