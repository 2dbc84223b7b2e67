"""The catalog fast path (catalog/fastpath.py): a page this process served lately is answered before
FastAPI's routing and dependencies — with the same bytes and headers as the route, its rate limit, its
metrics label — and never with a page a write has made stale."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi import Request
from sqlalchemy import update

from phuket.catalog.cache import VERSION_KEY, LocalPages, Payload, catalog_cache
from phuket.catalog.models import Vehicle
from phuket.core.cache import RedisCache, make_redis
from phuket.core.db import get_read_session
from tests.catalog.conftest import add_item, ip, login_as_admin

VOLATILE = {"x-request-id", "date", "ratelimit-remaining", "ratelimit-reset"}  # per request


@contextmanager
def route_calls(app: Any) -> Iterator[list[str]]:
    """Counts the requests that reached a catalog route (every one of them opens a read session)."""
    calls: list[str] = []

    async def counted(request: Request) -> AsyncIterator[Any]:
        calls.append(request.url.path)
        async for session in get_read_session(request):
            yield session

    app.dependency_overrides[get_read_session] = counted
    try:
        yield calls
    finally:
        app.dependency_overrides.pop(get_read_session, None)


def comparable(response: httpx.Response) -> tuple[int, dict[str, str], Any]:
    headers = {k: v for k, v in response.headers.items() if k not in VOLATILE}
    body = response.json() if response.content else None
    if isinstance(body, dict):
        body.pop("meta", None)
    return response.status_code, headers, body


async def test_a_page_from_memory_is_the_route_s_answer_byte_for_byte(
    client: httpx.AsyncClient, app: Any
) -> None:
    for n in range(3):
        await add_item(app, "vehicle", slug=f"fast-{n}")
    tour = await add_item(app, "tour", slug="fast-tour")
    urls = [
        "/v1/vehicles?per_page=1&page=2&sort=price",  # pagination headers and Link on both sides
        "/v1/vehicles?type=scooter",
        f"/v1/tours/{tour.id}",
        "/v1/tours/fast-tour",  # by slug
        "/v1/search?q=honda",
    ]
    for url in urls:
        headers = {**ip(), "Accept-Language": "ru"}
        with route_calls(app) as calls:
            routed = await client.get(url, headers=headers)
            remembered = await client.get(url, headers=headers)
        assert calls == [url.split("?")[0]], f"{url}: the second read must not reach the route"
        assert routed.status_code == 200, routed.text
        a, b = comparable(remembered), comparable(routed)
        assert a[0] == b[0] and a[2] == b[2], url
        assert sorted(a[1].items()) == sorted(b[1].items()), (url, set(a[1].items()) ^ set(b[1].items()))
        assert remembered.json()["meta"]["requestId"] == remembered.headers["x-request-id"]
        assert remembered.headers["content-language"] == "ru"
    paged = await client.get(urls[0], headers=ip())
    assert paged.headers["x-total-count"] == "3" and 'rel="next"' in paged.headers["link"]


async def test_if_none_match_is_answered_304_from_memory(client: httpx.AsyncClient, app: Any) -> None:
    await add_item(app, "vehicle", slug="fast-etag")
    first = await client.get("/v1/vehicles", headers=ip())
    with route_calls(app) as calls:
        again = await client.get("/v1/vehicles", headers={**ip(), "If-None-Match": first.headers["etag"]})
    assert calls == []
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["x-content-type-options"] == "nosniff"  # the security headers still apply


async def test_an_admin_write_is_seen_at_once_and_the_old_page_never_again(
    client: httpx.AsyncClient, app: Any
) -> None:
    item = await add_item(app, "vehicle", slug="fast-price", priceThb="300.00")
    admin = await login_as_admin(app, client)
    assert (await client.get("/v1/vehicles", headers=ip())).json()["data"][0]["price"]["amount"] == "300.00"
    assert (await client.get("/v1/vehicles", headers=ip())).status_code == 200  # now in memory
    patched = await client.patch(
        f"/v1/admin/vehicles/{item.id}", json={"priceThb": "450.00"}, headers=admin.headers
    )
    assert patched.status_code == 200, patched.text
    for _ in range(2):
        assert (await client.get("/v1/vehicles", headers=ip())).json()["data"][0]["price"][
            "amount"
        ] == "450.00"


async def test_a_write_by_another_process_is_seen_within_the_version_ttl(
    client: httpx.AsyncClient, app: Any
) -> None:
    """`phuket seed`, an import or another worker bump the shared version; this process rereads it."""
    item = await add_item(app, "vehicle", slug="fast-other", priceThb="300.00")
    state = catalog_cache(app)
    state.version_ttl = 0.2
    await client.get("/v1/vehicles", headers=ip())
    async with app.state.db.sessionmaker() as session, session.begin():
        await session.execute(update(Vehicle).where(Vehicle.id == item.id).values(price_thb="999.00"))
    await app.state.cache.incr(VERSION_KEY)  # what the other process does after its write
    await asyncio.sleep(0.3)
    fresh = await client.get("/v1/vehicles", headers=ip())
    assert fresh.json()["data"][0]["price"]["amount"] == "999.00"


async def test_the_route_s_rate_limit_applies_to_pages_from_memory(
    client: httpx.AsyncClient, app: Any
) -> None:
    await add_item(app, "vehicle", slug="fast-limit")
    headers = {"X-Forwarded-For": "192.0.2.201"}
    with route_calls(app) as calls:
        statuses = [(await client.get("/v1/vehicles", headers=headers)).status_code for _ in range(61)]
    assert len(calls) == 1, "all but the first read came from memory"
    assert statuses[:60] == [200] * 60 and statuses[60] == 429
    limited = await client.get("/v1/vehicles", headers=headers)
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["meta"]["requestId"] == limited.headers["x-request-id"]
    # Another client (outside ip()'s range, which could draw .201 itself) still has its own allowance.
    ok = await client.get("/v1/vehicles", headers={"X-Forwarded-For": "198.51.100.7"})
    assert int(ok.headers["ratelimit-remaining"]) == 59


async def test_pages_from_memory_are_counted_under_the_route_template(
    client: httpx.AsyncClient, app: Any
) -> None:
    item = await add_item(app, "vehicle", slug="fast-metrics")

    def served(text: str) -> float:
        wanted = ('route="/v1/vehicles/{item_id}"', 'status="200"', 'method="GET"')
        for line in text.splitlines():
            if line.startswith("phuket_http_requests_total{") and all(w in line for w in wanted):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = served((await client.get("/metrics")).text)
    for _ in range(3):
        assert (await client.get(f"/v1/vehicles/{item.id}", headers=ip())).status_code == 200
    assert served((await client.get("/metrics")).text) - before == 3


async def test_answers_that_depend_on_bookings_and_errors_always_reach_the_route(
    client: httpx.AsyncClient, app: Any
) -> None:
    await add_item(app, "property", slug="fast-avail")
    url = "/v1/properties?available_from=2031-01-10&available_to=2031-01-12"
    with route_calls(app) as calls:
        for _ in range(2):
            assert (await client.get(url, headers=ip())).status_code == 200
            assert (await client.get("/v1/vehicles/no-such-thing", headers=ip())).status_code == 404
            assert (await client.get("/v1/vehicles?per_page=500", headers=ip())).status_code == 400
    assert len(calls) == 6, "every one of them reached the route, the second time too"


def test_local_pages_stay_within_their_byte_budget_and_drop_the_least_recently_used() -> None:
    pages = LocalPages(max_bytes=1000, ttl=60)
    for n in range(5):
        pages.put(f"k{n}", Payload(b"x" * 200), route=None, params=None)
    assert pages.get("k0") is not None  # used: now the most recent
    pages.put("k5", Payload(b"y" * 200), route=None, params=None)
    assert pages.size <= 1000
    assert pages.get("k1") is None and pages.get("k0") is not None and pages.get("k5") is not None
    pages.put("huge", Payload(b"z" * 600), route=None, params=None)
    assert pages.get("huge") is None, "a page over a quarter of the budget is not kept"


def test_local_pages_expire() -> None:
    pages = LocalPages(max_bytes=1000, ttl=-1)
    pages.put("old", Payload(b"{}"), route=None, params=None)
    assert pages.get("old") is None and pages.size == 0


async def test_no_page_is_served_from_memory_while_the_shared_cache_is_unreadable(
    client: httpx.AsyncClient, app: Any
) -> None:
    """Redis down: a write in another process could not be seen, so memory is not trusted either."""
    item = await add_item(app, "vehicle", slug="fast-outage", priceThb="300.00")
    await client.get("/v1/vehicles", headers=ip())  # in memory now
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    dead = make_redis(f"redis://127.0.0.1:{closed_port}/0")
    app.state.cache = RedisCache(dead, "phuket-outage:")
    try:
        async with app.state.db.sessionmaker() as session, session.begin():
            await session.execute(update(Vehicle).where(Vehicle.id == item.id).values(price_thb="777.00"))
        with route_calls(app) as calls:
            answers = [await client.get("/v1/vehicles", headers=ip()) for _ in range(2)]
        assert len(calls) == 2, "both reads went to the database"
        assert [a.json()["data"][0]["price"]["amount"] for a in answers] == ["777.00", "777.00"]
    finally:
        await dead.aclose()
