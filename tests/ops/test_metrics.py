"""/metrics: what an operator's Prometheus scrapes from one process (several workers: test_multiworker)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import Request
from fastapi.routing import APIRoute
from sqlalchemy import text

from phuket.core import metrics
from phuket.core.outbox import OutboxMessage
from phuket.main import create_app
from tests.conftest import BACKEND, make_settings

from .promtext import value


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def requests_total(body: str, route: str, status: str, method: str = "GET") -> float:
    return value(body, "phuket_http_requests_total", method=method, route=route, status=status) or 0.0


async def test_metrics_is_outside_the_api_and_its_document(client: httpx.AsyncClient) -> None:
    body = await scrape(client)
    assert "# TYPE phuket_http_request_duration_seconds histogram" in body
    assert (await client.get("/v1/metrics")).status_code == 404
    assert "/metrics" not in (await client.get("/openapi.json")).json()["paths"]


async def test_requests_are_counted_by_route_template_and_status(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    for _ in range(3):
        assert (await client.get("/health/live")).status_code == 200
    assert (await client.get("/v1/users/me")).status_code == 401
    after = await scrape(client)
    assert requests_total(after, "/health/live", "200") - requests_total(before, "/health/live", "200") == 3
    assert requests_total(after, "/v1/users/me", "401") - requests_total(before, "/v1/users/me", "401") == 1
    count = value(
        after, "phuket_http_request_duration_seconds_count", method="GET", route="/v1/users/me", status="401"
    )
    assert count is not None and count >= 1
    # The scrape itself is the one request in flight while it is answered.
    assert value(after, "phuket_http_requests_in_flight") == 1


async def test_path_parameters_never_become_label_values(app: Any, client: httpx.AsyncClient) -> None:
    async def probe(item_id: str, request: Request) -> dict[str, str]:
        return {"id": item_id}

    # A throwaway route ahead of every other one, standing in for /v1/vehicles/{item_id} and the like.
    app.router.routes.insert(0, APIRoute("/v1/ops-probe/{item_id}", probe, methods=["GET"]))
    ids = ["7f0c2a40-1111-4d0e-9a43-000000000001", "7f0c2a40-1111-4d0e-9a43-000000000002"]
    for item_id in ids:
        assert (await client.get(f"/v1/ops-probe/{item_id}")).json() == {"id": item_id}
    body = await scrape(client)
    assert requests_total(body, "/v1/ops-probe/{item_id}", "200") >= 2
    assert not any(item_id in body for item_id in ids)


async def test_cache_hits_and_misses_give_a_hit_ratio(app: Any, client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    cache = app.state.cache
    await cache.set("ops-test", b"x", 60)
    assert await cache.get("ops-test") == b"x"
    assert await cache.get("ops-test") == b"x"
    assert await cache.get("ops-test-missing") is None
    after = await scrape(client)

    def delta(name: str) -> float:
        return (value(after, name) or 0.0) - (value(before, name) or 0.0)

    assert delta("phuket_cache_hits_total") == 2
    assert delta("phuket_cache_misses_total") == 1
    hits, misses = value(after, "phuket_cache_hits_total"), value(after, "phuket_cache_misses_total")
    assert hits is not None and misses is not None
    assert value(after, "phuket_cache_hit_ratio") == hits / (hits + misses)


async def test_rate_limit_rejections_are_counted(client: httpx.AsyncClient) -> None:
    before = value(await scrape(client), "phuket_rate_limit_rejections_total") or 0.0
    statuses = []
    for _ in range(7):
        response = await client.post(
            "/v1/auth/login",
            json={"email": "nobody@example.com", "password": "Wrong-password-1"},
            headers={"X-Forwarded-For": "198.51.100.77"},
        )
        statuses.append(response.status_code)
    refused = statuses.count(429)
    assert refused >= 1, statuses
    after = value(await scrape(client), "phuket_rate_limit_rejections_total") or 0.0
    assert after - before == refused


async def test_outbox_backlog_and_failures_are_read_from_the_table(
    app: Any, client: httpx.AsyncClient
) -> None:
    async with app.state.db.sessionmaker() as session, session.begin():
        session.add_all(
            [
                OutboxMessage(kind="email", payload={}, status="pending"),
                OutboxMessage(kind="push", payload={}, status="processing"),
                OutboxMessage(kind="push", payload={}, status="dead", attempts=5),
                OutboxMessage(kind="push", payload={}, status="sent"),
            ]
        )
    body = await scrape(client)
    assert value(body, "phuket_outbox_backlog") == 2
    assert value(body, "phuket_outbox_failed") == 1
    oldest = value(body, "phuket_outbox_oldest_pending_seconds")
    assert oldest is not None and oldest >= 0


async def test_features_feed_breaker_state_and_booking_counters(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    metrics.set_breaker_state("openweather", "open")
    metrics.set_breaker_state("stripe", "half_open")
    metrics.BOOKINGS_CREATED.inc()
    metrics.BOOKINGS_CANCELLED.inc()
    metrics.OUTBOX_DELIVERY_FAILURES.inc()
    after = await scrape(client)
    assert value(after, "phuket_circuit_breaker_state", provider="openweather") == 2
    assert value(after, "phuket_circuit_breaker_state", provider="stripe") == 1
    for name in (
        "phuket_bookings_created_total",
        "phuket_bookings_cancelled_total",
        "phuket_outbox_delivery_failures_total",
    ):
        assert (value(after, name) or 0) - (value(before, name) or 0) == 1, name
    metrics.set_breaker_state("openweather", "closed")
    metrics.set_breaker_state("stripe", "closed")
    assert value(await scrape(client), "phuket_circuit_breaker_state", provider="openweather") == 0


async def test_pool_usage_shows_connections_lent_out(database_url: str) -> None:
    # A pooled engine (the test settings use none on SQLite): size 3 + overflow 2 on PostgreSQL;
    # SQLite's pool is fixed at 5 + 10 outside tests.
    settings = make_settings(
        database_url, env="development", inprocess_worker=False, db_pool_size=3, db_max_overflow=2
    )
    capacity = 5 if BACKEND == "postgres" else 15
    application = create_app(settings, configure_logs=False)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            async with application.state.db.engine.connect() as held:
                await held.execute(text("SELECT 1"))
                body = await scrape(client)
                assert value(body, "phuket_db_pool_checked_out", pool="primary") == 1
                assert value(body, "phuket_db_pool_capacity", pool="primary") == capacity
            body = await scrape(client)
            assert value(body, "phuket_db_pool_checked_out", pool="primary") == 0


async def test_event_loop_lag_is_reported(client: httpx.AsyncClient) -> None:
    lag = value(await scrape(client), "phuket_event_loop_lag_seconds")
    assert lag is not None and lag >= 0


def counter(text: str, name: str) -> float:
    return value(text, name) or 0.0


async def test_business_metrics_are_fed_by_the_features(client: httpx.AsyncClient, app: Any) -> None:
    from phuket.core.breaker import get_breaker
    from tests.bookings.conftest import book
    from tests.conftest import register
    from tests.factories import make_vehicle

    before = (await client.get("/metrics")).text
    account = await register(client)
    scooter = await make_vehicle(app)
    booking = (await book(client, account, scooter, "vehicle", 3, 5)).json()["data"]
    await client.post(f"/v1/bookings/{booking['id']}/cancel", headers=account.headers)
    breaker = get_breaker("metrics-probe")  # a breaker of its own: real providers' stay closed
    for _ in range(5):  # five failures open it (seed §10.2)
        with pytest.raises(Exception):  # noqa: B017 - the breaker wraps the provider's error
            await breaker.call(_failing)
    after = (await client.get("/metrics")).text
    assert (
        counter(after, "phuket_bookings_created_total")
        == counter(before, "phuket_bookings_created_total") + 1
    )
    assert (
        counter(after, "phuket_bookings_cancelled_total")
        == counter(before, "phuket_bookings_cancelled_total") + 1
    )
    assert 'phuket_circuit_breaker_state{provider="metrics-probe"} 2.0' in after


async def _failing() -> None:
    import httpx as _httpx

    raise _httpx.ConnectError("provider down")
