"""Django's Redis cache, reusing its Redis client objects.

Django's RedisCacheClient builds a new `redis.Redis` for every cache call, and redis-py fills
a table of some 170 response callbacks in each one: with sessions and API rate limits in the
cache, three such clients per request cost more than the Redis round trips themselves. A
client is only a façade over its connection pool (thread-safe), so one per pool is reused.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
