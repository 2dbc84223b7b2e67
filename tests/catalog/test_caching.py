"""Response cache (no database on a hit), invalidation by admin writes, ETag / If-None-Match."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from tests.catalog.conftest import add_item, ip, login_as_admin


@contextmanager
def count_sql(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engines = {app.state.db.engine.sync_engine, app.state.db.read_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


async def test_a_cached_list_page_is_served_without_the_database(client: httpx.AsyncClient, app: Any) -> None:
    await add_item(app, "vehicle", slug="cached-1")
    with count_sql(app) as first:
        cold = await client.get("/v1/vehicles?type=scooter&sort=price", headers=ip())
    assert cold.status_code == 200 and first, "the first read goes to the database"
    with count_sql(app) as second:
        warm = await client.get("/v1/vehicles?type=scooter&sort=price", headers=ip())
    assert warm.status_code == 200
    assert second == []
    assert warm.json()["data"] == cold.json()["data"]
    assert warm.headers["x-total-count"] == "1" and warm.headers["etag"] == cold.headers["etag"]
    assert warm.json()["meta"]["requestId"] == warm.headers["x-request-id"]  # fresh meta, cached data


async def test_the_cache_key_includes_query_and_language(client: httpx.AsyncClient, app: Any) -> None:
    await add_item(app, "vehicle", slug="lang-1", name={"en": "Red scooter", "ru": "Красный скутер"})
    en = await client.get("/v1/vehicles", headers={**ip(), "Accept-Language": "en"})
    ru = await client.get("/v1/vehicles", headers={**ip(), "Accept-Language": "ru"})
    assert en.json()["data"][0]["name"] == "Red scooter"
    assert ru.json()["data"][0]["name"] == "Красный скутер"
    assert en.headers["etag"] != ru.headers["etag"]
    empty = await client.get("/v1/vehicles?type=car", headers=ip())
    assert empty.json()["data"] == []


async def test_an_admin_change_is_visible_on_the_next_read(client: httpx.AsyncClient, app: Any) -> None:
    item = await add_item(app, "vehicle", slug="price-change", priceThb="300.00")
    admin = await login_as_admin(app, client)
    before_list = await client.get("/v1/vehicles", headers=ip())
    before_detail = await client.get(f"/v1/vehicles/{item.id}", headers=ip())
    assert before_list.json()["data"][0]["price"]["amount"] == "300.00"
    patched = await client.patch(
        f"/v1/admin/vehicles/{item.id}", json={"priceThb": "450.00"}, headers=admin.headers
    )
    assert patched.status_code == 200, patched.text
    after_list = await client.get("/v1/vehicles", headers=ip())
    after_detail = await client.get(f"/v1/vehicles/{item.id}", headers=ip())
    assert after_list.json()["data"][0]["price"]["amount"] == "450.00"
    assert after_detail.json()["data"]["price"]["amount"] == "450.00"
    assert after_list.headers["etag"] != before_list.headers["etag"]
    assert after_detail.headers["etag"] != before_detail.headers["etag"]

    deleted = await client.delete(f"/v1/admin/vehicles/{item.id}", headers=admin.headers)
    assert deleted.status_code == 204
    assert (await client.get("/v1/vehicles", headers=ip())).json()["data"] == []
    assert (await client.get(f"/v1/vehicles/{item.id}", headers=ip())).status_code == 404


async def test_if_none_match_gets_304_without_the_database(client: httpx.AsyncClient, app: Any) -> None:
    tour = await add_item(app, "tour", slug="etag-tour")
    for url in ("/v1/tours", f"/v1/tours/{tour.id}", "/v1/search?q=walk"):
        first = await client.get(url, headers=ip())
        etag = first.headers["etag"]
        assert first.status_code == 200 and etag.startswith('W/"')
        with count_sql(app) as statements:
            again = await client.get(url, headers={**ip(), "If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.content == b"" and again.headers["etag"] == etag
        assert statements == []
        stale = await client.get(url, headers={**ip(), "If-None-Match": 'W/"something-else"'})
        assert stale.status_code == 200 and stale.json()["data"] == first.json()["data"]


async def test_availability_answers_are_not_served_from_the_cache(
    client: httpx.AsyncClient, app: Any
) -> None:
    await add_item(app, "property", slug="avail-1")
    url = "/v1/properties?available_from=2031-01-10&available_to=2031-01-12"
    assert (await client.get(url, headers=ip())).status_code == 200
    with count_sql(app) as statements:
        again = await client.get(url, headers=ip())
    assert again.status_code == 200 and statements, "bookings change without an admin write"
    assert [r["slug"] for r in again.json()["data"]] == ["avail-1"]


async def test_search_is_rate_limited_with_retry_after(client: httpx.AsyncClient) -> None:
    headers = {"X-Forwarded-For": "192.0.2.77"}
    statuses = [(await client.get("/v1/search?q=kata", headers=headers)).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    limited = await client.get("/v1/search?q=kata", headers=headers)
    assert limited.json()["error"]["code"] == "RATE_LIMITED" and int(limited.headers["retry-after"]) >= 1


async def test_concurrent_misses_of_one_page_query_the_database_once(
    client: httpx.AsyncClient, app: Any
) -> None:
    """No stampede: twenty simultaneous first reads of one page share a single load."""
    import asyncio

    await add_item(app, "vehicle", slug="herd-1")
    with count_sql(app) as once:
        await client.get("/v1/vehicles?sort=rating&per_page=7", headers=ip())
    with count_sql(app) as herd:
        responses = await asyncio.gather(
            *(client.get("/v1/vehicles?sort=rating&per_page=5", headers=ip()) for _ in range(20))
        )
    assert {r.status_code for r in responses} == {200}
    assert len({r.headers["etag"] for r in responses}) == 1
    # Without single-flight this was twenty loads. With Redis, a cache read already in flight when the
    # first load is stored can still miss once more: at most two loads, never a stampede.
    assert len(herd) <= 2 * len(once), (
        f"20 concurrent misses ran {len(herd)} statements, one load runs {len(once)}"
    )
