"""Cached catalog responses (seed §2.2.3, §6.2): the `data` part of list and detail responses is kept in
`app.state.cache` (Redis or in-process) for an hour, under a key that carries a catalog version
number. An admin write bumps the version, so every cached page goes stale at once, in O(1).

Responses carry a weak `ETag` (a hash of the data and the total; `meta` differs per request) and a
matching `If-None-Match` is answered 304 — from the cache, without touching the database."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import orjson
from fastapi import Request, Response

from phuket.core.cache import Cache
from phuket.core.http import PageParams, meta_for, set_pagination_headers
from phuket.core.i18n import current_language

TTL_SECONDS = 3600
VERSION_KEY = "catalog:version"
CACHE_CONTROL = "public, max-age=0, must-revalidate"


@dataclass(frozen=True)
class Payload:
    data: bytes  # the JSON of the response's `data`
    total: int | None = None  # list responses: the X-Total-Count

    @property
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


def get_cache(request: Request) -> Cache:
    cache: Cache = request.app.state.cache
    return cache


async def catalog_version(cache: Cache) -> str:
    raw = await cache.get(VERSION_KEY)
    return raw.decode() if raw else "0"


async def bump_version(cache: Cache) -> None:
    """Call after the admin's write is committed: every cached catalog response is now stale."""
    await cache.incr(VERSION_KEY)


def _key(version: str, request: Request) -> str:
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

    `cacheable=False` for answers that depend on bookings (availability filters): those change without
    an admin write, so they are computed every time (ETag/304 still apply)."""
    cache = get_cache(request)
    key = _key(await catalog_version(cache), request) if cacheable else None
    payload: Payload | None = None
    if key is not None:
        raw = await cache.get(key)
        payload = Payload.decode(raw) if raw is not None else None
    if payload is None:
        if key is None:
            payload = await load()
        else:

            async def store(loaded: Payload) -> None:
                await cache.set(key, loaded.encode(), TTL_SECONDS)

            payload = await _load_once(key, load, store)
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
