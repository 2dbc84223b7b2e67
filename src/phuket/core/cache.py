"""Key-value cache: Redis when configured, in-process otherwise.

A cache is an optimisation, never a dependency: when Redis fails, reads miss and writes are dropped
(with a warning), and the service answers from the database.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("phuket.cache")


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...
    async def set(self, key: str, value: bytes, ttl: int) -> None: ...
    async def delete(self, *keys: str) -> None: ...
    async def incr(self, key: str) -> int: ...
    async def clear(self) -> None: ...


class MemoryCache:
    """A bounded LRU with per-key expiry, for one process."""

    def __init__(self, max_items: int = 10_000) -> None:
        self._data: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max = max_items
        self.hits = 0
        self.misses = 0

    async def get(self, key: str) -> bytes | None:
        item = self._data.get(key)
        if item is None or item[0] < time.monotonic():
            if item is not None:
                self._data.pop(key, None)
            self.misses += 1
            return None
        self._data.move_to_end(key)
        self.hits += 1
        return item[1]

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        self._data[key] = (time.monotonic() + ttl, value)
        self._data.move_to_end(key)
        while len(self._data) > self._max:
            self._data.popitem(last=False)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._data.pop(key, None)

    async def incr(self, key: str) -> int:
        item = self._data.get(key)
        value = int(item[1]) + 1 if item else 1
        self._data[key] = (time.monotonic() + 10 * 365 * 86400, str(value).encode())
        return value

    async def clear(self) -> None:
        self._data.clear()


class RedisCache:
    def __init__(self, client: Redis, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix + "cache:"
        self.hits = 0
        self.misses = 0
        self.errors = 0

    async def get(self, key: str) -> bytes | None:
        try:
            raw = await self._redis.get(self._prefix + key)
            value = raw.encode() if isinstance(raw, str) else raw
        except (RedisError, OSError) as exc:
            self._degraded("get", exc)
            return None
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        try:
            await self._redis.set(self._prefix + key, value, ex=ttl)
        except (RedisError, OSError) as exc:
            self._degraded("set", exc)

    async def delete(self, *keys: str) -> None:
        if not keys:
            return
        try:
            await self._redis.delete(*(self._prefix + k for k in keys))
        except (RedisError, OSError) as exc:
            self._degraded("delete", exc)

    async def incr(self, key: str) -> int:
        try:
            return int(await self._redis.incr(self._prefix + key))
        except (RedisError, OSError) as exc:
            self._degraded("incr", exc)
            # A fresh number makes every versioned key miss: stale data is never served.
            return int(time.time() * 1000)

    async def clear(self) -> None:
        try:
            async for key in self._redis.scan_iter(match=self._prefix + "*", count=500):
                await self._redis.delete(key)
        except (RedisError, OSError) as exc:
            self._degraded("clear", exc)

    def _degraded(self, op: str, exc: Exception) -> None:
        self.errors += 1
        log.warning("redis cache %s failed; serving without cache", op, extra={"error": type(exc).__name__})


def make_redis(url: str) -> Redis:
    return Redis.from_url(
        url,
        socket_timeout=1.0,
        socket_connect_timeout=1.0,
        health_check_interval=15,
        retry_on_timeout=False,
    )
