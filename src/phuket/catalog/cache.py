"""Cached catalog responses (seed §2.2.3, §6.2): the `data` part of list and detail responses is kept in
`app.state.cache` (Redis or in-process) for an hour, under a key that carries a catalog version
number. An admin write bumps the version, so every cached page goes stale at once, in O(1).

Responses carry a weak `ETag` (a hash of the data and the total; `meta` differs per request) and a
matching `If-None-Match` is answered 304 — from the cache, without touching the database.

Each process also keeps the pages it served lately in memory (`LocalPages`, bounded in bytes), and the
catalog version for a second (`VERSION_TTL_SECONDS`). A page in memory is answered by
`catalog/fastpath.py` before FastAPI's routing and dependencies run; a write in another process (the
admin API in another worker, `phuket seed`/import) is seen by this one within that second."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import orjson
from fastapi import Request, Response

from phuket.core.cache import Cache
from phuket.core.http import PageParams, meta_for, set_pagination_headers
from phuket.core.i18n import current_language

TTL_SECONDS = 3600
VERSION_KEY = "catalog:version"
VERSION_TTL_SECONDS = 1.0
LOCAL_TTL_SECONDS = 60.0
LOCAL_MAX_BYTES = 16 * 1024 * 1024
CACHE_CONTROL = "public, max-age=0, must-revalidate"


@dataclass(frozen=True)
class Payload:
    data: bytes  # the JSON of the response's `data`
    total: int | None = None  # list responses: the X-Total-Count

    @cached_property
    def etag(self) -> str:
        digest = hashlib.sha256(self.data + b"|" + str(self.total).encode()).hexdigest()[:32]
        return f'W/"{digest}"'

    def encode(self) -> bytes:
        return orjson.dumps({"total": self.total}) + b"\n" + self.data

    @classmethod
    def decode(cls, raw: bytes) -> Payload | None:
        head, sep, data = raw.partition(b"\n")
        if not sep:
            return None
        try:
            total = orjson.loads(head).get("total")
        except orjson.JSONDecodeError:
            return None
        return cls(data=data, total=total if isinstance(total, int) else None)


@dataclass(frozen=True)
class Page:
    """A response this process served, as the fast path needs it again: its payload, the route that made
    it (for the metrics label and the rate-limit policy) and its pagination."""

    payload: Payload
    route: Any
    params: PageParams | None
    expires: float


class LocalPages:
    """This process's most recently used pages, by cache key (which carries the catalog version, so an
    entry never needs invalidating: a bump makes new keys). Bounded in bytes; entries live a minute, so
    that what changes without an admin write (sea risk, approximate prices) is no staler than before."""

    def __init__(self, max_bytes: int = LOCAL_MAX_BYTES, ttl: float = LOCAL_TTL_SECONDS) -> None:
        self.max_bytes = max_bytes
        self.ttl = ttl
        self.size = 0
        self._pages: OrderedDict[str, Page] = OrderedDict()

    def get(self, key: str) -> Page | None:
        page = self._pages.get(key)
        if page is None:
            return None
        if page.expires < time.monotonic():
            self._drop(key)
            return None
        self._pages.move_to_end(key)
        return page

    def put(self, key: str, payload: Payload, route: Any, params: PageParams | None) -> None:
        if len(payload.data) > self.max_bytes // 4:
            return
        self._drop(key)
        self._pages[key] = Page(payload, route, params, time.monotonic() + self.ttl)
        self.size += len(payload.data)
        while self.size > self.max_bytes:
            self._drop(next(iter(self._pages)))

    def clear(self) -> None:
        self._pages.clear()
        self.size = 0

    def _drop(self, key: str) -> None:
        page = self._pages.pop(key, None)
        if page is not None:
            self.size -= len(page.payload.data)


class CatalogCache:
    """Per application: the shared cache (Redis or in-process), this process's pages and its view of the
    catalog version."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.pages = LocalPages()
        self.version_ttl = VERSION_TTL_SECONDS
        self._version: str | None = None
        self._version_until = 0.0

    async def version(self) -> str | None:
        """The catalog version, reread at most every `version_ttl` seconds. None when the shared cache
        could not be read (Redis down): a write elsewhere could not be seen, so until the next reread
        no page is served from memory and every request goes to the route and the database."""
        if time.monotonic() >= self._version_until:
            errors = getattr(self.cache, "errors", 0)
            raw = await self.cache.get(VERSION_KEY)
            failed = getattr(self.cache, "errors", 0) != errors
            self._version = None if failed else raw.decode() if raw else "0"
            self._version_until = time.monotonic() + self.version_ttl
        return self._version

    async def bump(self) -> None:
        self._version = str(await self.cache.incr(VERSION_KEY))
        self._version_until = time.monotonic() + self.version_ttl
        self.pages.clear()


def get_cache(request: Request) -> Cache:
    cache: Cache = request.app.state.cache
    return cache


def catalog_cache(app: Any) -> CatalogCache:
    state = app.state
    found: CatalogCache | None = getattr(state, "catalog_cache", None)
    if found is None or found.cache is not state.cache:
        found = CatalogCache(state.cache)
        state.catalog_cache = found
    return found


async def bump_version(cache: Cache) -> None:
    """For a process without the app (`phuket seed`, an import), after its write is committed: every
    cached catalog response is now stale; the serving processes see it within `VERSION_TTL_SECONDS`.
    The admin API calls `catalog_cache(app).bump()`, which this process also sees at once."""
    await cache.incr(VERSION_KEY)


def page_key(version: str, request: Request) -> str:
    query = sorted(request.query_params.multi_items())
    raw = orjson.dumps([request.url.path, query])
    return f"catalog:v{version}:{current_language.get()}:{hashlib.sha256(raw).hexdigest()}"


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    bare = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        value = candidate.strip()
        if value == "*" or value.removeprefix("W/") == bare:
            return True
    return False


def render(request: Request, payload: Payload, params: PageParams | None = None) -> Response:
    headers = {
        "ETag": payload.etag,
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Language",
    }
    if _matches(request.headers.get("if-none-match"), payload.etag):
        response = Response(status_code=304, headers=headers)
    else:
        body = b'{"data":' + payload.data + b',"meta":' + orjson.dumps(meta_for(request)) + b"}"
        response = Response(content=body, media_type="application/json", headers=headers)
    if params is not None and payload.total is not None:
        set_pagination_headers(request, response, params, payload.total)
    return response


async def cached_response(
    request: Request,
    load: Callable[[], Awaitable[Payload]],
    *,
    params: PageParams | None = None,
    cacheable: bool = True,
) -> Response:
    """The response from the cache when it holds this (version, language, path, query), else from `load`.

    Public answers only: a page kept in memory is answered by the fast path to anyone who asks for the
    same path and query, without the route's dependencies (but its rate limit).

    `cacheable=False` for answers that depend on bookings (availability filters): those change without
    an admin write, so they are computed every time (ETag/304 still apply)."""
    if not cacheable:
        return render(request, await load(), params)
    state = catalog_cache(request.app)
    version = await state.version()
    key = page_key(version or "0", request)
    page = state.pages.get(key) if version is not None else None
    if page is not None:
        return render(request, page.payload, params)
    raw = await state.cache.get(key)
    payload = Payload.decode(raw) if raw is not None else None
    if payload is None:

        async def store(loaded: Payload) -> None:
            await state.cache.set(key, loaded.encode(), TTL_SECONDS)

        payload = await _load_once(key, load, store)
    if version is not None:
        state.pages.put(key, payload, request.scope.get("route"), params)
    return render(request, payload, params)


# Loads under way in this process, by cache key: when many requests miss the same key at once (a cold
# cache under load, or right after an admin write bumps the version), one of them queries the database
# and the others wait for its answer, instead of a stampede of identical queries on the pool.
_inflight: dict[str, asyncio.Future[Payload]] = {}


async def _load_once(
    key: str, load: Callable[[], Awaitable[Payload]], store: Callable[[Payload], Awaitable[None]]
) -> Payload:
    pending = _inflight.get(key)
    if pending is not None:
        try:
            return await asyncio.shield(pending)
        except asyncio.CancelledError:
            if pending.cancelled():  # the request doing the load went away: load for ourselves
                return await load()
            raise
    future: asyncio.Future[Payload] = asyncio.get_running_loop().create_future()
    future.add_done_callback(lambda f: f.cancelled() or f.exception())  # mark an error as retrieved
    _inflight[key] = future
    try:
        payload = await load()
    except asyncio.CancelledError:
        future.cancel()
        raise
    except BaseException as exc:
        future.set_exception(exc)
        raise
    else:
        future.set_result(payload)  # waiters have it now
        # Keep answering for this key until the shared cache holds the page: a request whose cache read
        # was already under way would otherwise miss again and load a second time.
        await store(payload)
        return payload
    finally:
        _inflight.pop(key, None)
