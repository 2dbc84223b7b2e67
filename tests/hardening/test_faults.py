"""Faults with the service under traffic (seed §8, §10): Redis stopped and restarted, PostgreSQL
restarted. Each uses a private server so that the outage touches nothing else."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from phuket.core import migrate
from phuket.main import create_app
from tests.conftest import Account, assert_error, make_settings, register
from tests.factories import make_vehicle
from tests.hardening.services import PrivatePostgres, PrivateRedis


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    server.init()
    server.start()
    migrate.upgrade(server.url)
    try:
        yield server
    finally:
        server.destroy()


async def _traffic(client: httpx.AsyncClient, account: Account) -> list[int]:
    """A small mixed burst: profile, bookings list, catalog, readiness."""
    paths = ["/v1/users/me", "/v1/bookings", "/v1/vehicles", "/health/ready", "/v1/vehicles?type=scooter"]
    responses = await asyncio.gather(*(client.get(p, headers=account.headers) for p in paths * 4))
    return [r.status_code for r in responses]


async def test_service_keeps_answering_while_redis_is_down_and_recovers(
    database_url: str, private_redis: PrivateRedis
) -> None:
    app = create_app(make_settings(database_url, redis_url=private_redis.url), configure_logs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            await make_vehicle(app)
            account = await register(client)
            assert set(await _traffic(client, account)) == {200}

            private_redis.stop()
            assert set(await _traffic(client, account)) == {200}, "a Redis outage must not fail requests"
            ready = (await client.get("/health/ready")).json()["data"]
            assert ready["checks"] == {"database": "ok", "redis": "unavailable"}
            # Login still works (limits fail open) and logout is still remembered (database fallback).
            login = await client.post(
                "/v1/auth/login", json={"email": account.email, "password": account.password}
            )
            assert login.status_code == 200
            fresh = login.json()["data"]["accessToken"]
            assert (
                await client.post("/v1/auth/logout", headers={"Authorization": f"Bearer {fresh}"})
            ).status_code == 204
            revoked = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {fresh}"})
            assert_error(revoked, 401, "TOKEN_REVOKED")

            private_redis.start()
            deadline = time.monotonic() + 30
            while (await client.get("/health/ready")).json()["data"]["checks"].get("redis") != "ok":
                assert time.monotonic() < deadline, "did not reconnect to Redis within 30 s"
                await asyncio.sleep(0.5)
            assert set(await _traffic(client, account)) == {200}
            # The revocation made during the outage still holds after Redis is back.
            assert_error(
                await client.get("/v1/users/me", headers={"Authorization": f"Bearer {fresh}"}),
                401,
                "TOKEN_REVOKED",
            )


async def test_service_answers_503_while_postgres_is_down_and_recovers_by_itself(
    private_pg: PrivatePostgres,
) -> None:
    app = create_app(make_settings(private_pg.url, redis_url=None), configure_logs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            account = await register(client)
            assert set(await _traffic(client, account)) == {200}

            await asyncio.to_thread(private_pg.stop)
            statuses = await _traffic(client, account)
            # Cached catalog pages are still served (200); everything that needs the database is 503.
            assert set(statuses) <= {200, 503} and 503 in statuses, statuses
            down = await client.get("/v1/users/me", headers=account.headers)
            assert_error(down, 503, "SERVICE_UNAVAILABLE")
            assert down.headers["retry-after"] == "5"
            assert (await client.get("/health/live")).status_code == 200

            await asyncio.to_thread(private_pg.start)
            started = time.monotonic()
            while (await client.get("/v1/users/me", headers=account.headers)).status_code != 200:
                assert time.monotonic() - started < 30, "the service did not recover within 30 s"
                await asyncio.sleep(0.5)
            assert set(await _traffic(client, account)) == {200}
