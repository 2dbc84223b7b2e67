"""Idempotency-Key on POST /v1/bookings (Stripe semantics, API.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update

from phuket.bookings.models import Booking, IdempotencyKey
from phuket.core.db import utcnow
from tests.bookings.conftest import iso
from tests.conftest import Account, assert_error
from tests.factories import make_vehicle


def _body(item: Any, start: int = 5, end: int = 7) -> dict[str, Any]:
    return {
        "itemType": "vehicle",
        "itemId": item.id,
        "startDate": iso(start),
        "endDate": iso(end),
        "guestsCount": 1,
    }


async def _count(app: Any) -> int:
    async with app.state.db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Booking)) or 0)


async def test_same_key_and_body_replays_the_first_response(
    client: httpx.AsyncClient, app: Any, user: Account
) -> None:
    scooter = await make_vehicle(app)
    headers = {**user.headers, "Idempotency-Key": "order-7f3a"}
    first = await client.post("/v1/bookings", json=_body(scooter), headers=headers)
    # The same JSON with keys in another order is the same request.
    reordered = dict(reversed(list(_body(scooter).items())))
    second = await client.post("/v1/bookings", json=reordered, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json()["data"] == first.json()["data"]
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _count(app) == 1


async def test_same_key_with_another_body_is_422(client: httpx.AsyncClient, app: Any, user: Account) -> None:
    scooter = await make_vehicle(app)
    headers = {**user.headers, "Idempotency-Key": "order-1"}
    assert (await client.post("/v1/bookings", json=_body(scooter), headers=headers)).status_code == 201
    other = await client.post("/v1/bookings", json=_body(scooter, 10, 12), headers=headers)
    assert_error(other, 422, "IDEMPOTENCY_KEY_REUSED")
    assert await _count(app) == 1


async def test_keys_belong_to_one_user(
    client: httpx.AsyncClient, app: Any, user: Account, other: Account
) -> None:
    scooter = await make_vehicle(app)
    mine = await client.post(
        "/v1/bookings", json=_body(scooter), headers={**user.headers, "Idempotency-Key": "k1"}
    )
    theirs = await client.post(
        "/v1/bookings", json=_body(scooter, 9, 11), headers={**other.headers, "Idempotency-Key": "k1"}
    )
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["data"]["id"] != theirs.json()["data"]["id"]


async def test_a_request_still_running_with_the_key_is_409(
    client: httpx.AsyncClient, app: Any, user: Account
) -> None:
    scooter = await make_vehicle(app)
    headers = {**user.headers, "Idempotency-Key": "in-flight"}
    assert (await client.post("/v1/bookings", json=_body(scooter), headers=headers)).status_code == 201
    async with app.state.db.sessionmaker() as session, session.begin():
        await session.execute(
            update(IdempotencyKey).values(status="running", locked_until=utcnow() + timedelta(seconds=30))
        )
    assert_error(await client.post("/v1/bookings", json=_body(scooter), headers=headers), 409, "CONFLICT")


async def test_a_business_error_is_replayed_too(client: httpx.AsyncClient, app: Any, user: Account) -> None:
    scooter = await make_vehicle(app)
    headers = {**user.headers, "Idempotency-Key": "too-early"}
    body = _body(scooter, -3, -1)
    first = await client.post("/v1/bookings", json=body, headers=headers)
    assert_error(first, 422, "INVALID_DATES")
    second = await client.post("/v1/bookings", json=body, headers=headers)
    assert_error(second, 422, "INVALID_DATES")
    assert second.headers["idempotent-replayed"] == "true"


async def test_a_malformed_request_is_not_remembered(
    client: httpx.AsyncClient, app: Any, user: Account
) -> None:
    scooter = await make_vehicle(app)
    headers = {**user.headers, "Idempotency-Key": "fix-and-retry"}
    bad = {**_body(scooter), "guestsCount": 0}
    assert_error(await client.post("/v1/bookings", json=bad, headers=headers), 400, "VALIDATION_ERROR")
    async with app.state.db.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


async def test_expired_keys_can_be_used_again(client: httpx.AsyncClient, app: Any, user: Account) -> None:
    scooter = await make_vehicle(app)
    headers = {**user.headers, "Idempotency-Key": "yesterday"}
    assert (await client.post("/v1/bookings", json=_body(scooter), headers=headers)).status_code == 201
    async with app.state.db.sessionmaker() as session, session.begin():
        row = (await session.execute(select(IdempotencyKey))).scalar_one()
        assert row.expires_at - row.created_at >= timedelta(hours=24)
        row.expires_at = utcnow() - timedelta(seconds=1)
    again = await client.post("/v1/bookings", json=_body(scooter, 10, 12), headers=headers)
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers


async def test_bad_keys_are_400(client: httpx.AsyncClient, app: Any, user: Account) -> None:
    scooter = await make_vehicle(app)
    for key in ("has space", "x" * 256, "ключ"):
        response = await client.post(
            "/v1/bookings",
            json=_body(scooter),
            headers={**user.headers, "Idempotency-Key": key.encode("utf-8")},
        )
        assert_error(response, 400, "VALIDATION_ERROR")
    assert await _count(app) == 0
