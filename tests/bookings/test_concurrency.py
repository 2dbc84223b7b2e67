"""No double booking under concurrency: many simultaneous requests against a real server process
(two worker processes) for the same item and dates; exactly one wins, the rest get 422, no 5xx."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from phuket.bookings.models import Booking, TourInventory
from phuket.core.config import Settings
from tests.bookings.conftest import iso
from tests.conftest import register
from tests.factories import make_tour, make_vehicle


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "PHUKET_ENV": "test",
        "PHUKET_DATABASE_URL": settings.database_url,
        "PHUKET_REDIS_URL": settings.redis_url or "",
        "PHUKET_REDIS_PREFIX": settings.redis_prefix,
        "PHUKET_RATE_LIMIT_ENABLED": "false",
        "PHUKET_BCRYPT_ROUNDS": "4",
        "PHUKET_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "phuket.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"server did not start: {proc.stderr.read().decode() if proc.stderr else ''}"
                )
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


async def _fire(base: str, requests: list[tuple[dict[str, str], dict[str, Any]]]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(requests))
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as c:
        return list(await asyncio.gather(*(c.post("/v1/bookings", json=b, headers=h) for h, b in requests)))


async def test_fifty_concurrent_requests_for_one_scooter_book_it_once(
    server: str, client: httpx.AsyncClient, app: Any
) -> None:
    scooter = await make_vehicle(app)
    users = [await register(client) for _ in range(10)]
    body = {
        "itemType": "vehicle",
        "itemId": scooter.id,
        "startDate": iso(5),
        "endDate": iso(8),
        "guestsCount": 1,
    }
    responses = await _fire(server, [(users[n % 10].headers, body) for n in range(50)])
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 422: 49}, statuses
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 422} == {"ITEM_UNAVAILABLE"}
    async with app.state.db.sessionmaker() as session:
        live = await session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.item_id == scooter.id, Booking.status == "pending")
        )
    assert live == 1


async def test_concurrent_requests_for_the_last_tour_seats_never_oversell(
    server: str, client: httpx.AsyncClient, app: Any
) -> None:
    tour = await make_tour(app, seats_per_day=5)
    users = [await register(client) for _ in range(10)]
    body = {"itemType": "tour", "itemId": tour.id, "startDate": iso(6), "guestsCount": 1}
    responses = await _fire(server, [(users[n % 10].headers, body) for n in range(50)])
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 5, 422: 45}, statuses
    async with app.state.db.sessionmaker() as session:
        inventory = (await session.execute(select(TourInventory))).scalar_one()
        count = await session.scalar(
            select(func.count()).select_from(Booking).where(Booking.item_id == tour.id)
        )
    assert (inventory.seats_booked, inventory.seats_total, count) == (5, 5, 5)
