from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from phuket.notifications.models import Device
from tests.conftest import assert_error, register


async def _devices(app: Any) -> list[tuple[str, str, str]]:
    async with app.state.db.sessionmaker() as session:
        rows = (await session.execute(select(Device).order_by(Device.token))).scalars().all()
        return [(d.token, d.user_id, d.platform) for d in rows]


async def test_register_is_an_upsert_by_token_and_moves_the_token_to_the_caller(
    client: httpx.AsyncClient, app: Any, user: Any
) -> None:
    created = await client.post(
        "/v1/devices", json={"token": "tok-1", "platform": "ios"}, headers=user.headers
    )
    assert created.status_code == 201, created.text
    assert created.json()["data"]["token"] == "tok-1" and created.json()["data"]["platform"] == "ios"
    again = await client.post(
        "/v1/devices", json={"token": "tok-1", "platform": "android"}, headers=user.headers
    )
    assert again.status_code == 201
    assert await _devices(app) == [("tok-1", user.id, "android")]
    other = await register(client)
    await client.post("/v1/devices", json={"token": "tok-1", "platform": "android"}, headers=other.headers)
    assert await _devices(app) == [("tok-1", other.id, "android")]


async def test_delete_only_my_own_device(client: httpx.AsyncClient, app: Any, user: Any) -> None:
    other = await register(client)
    await client.post("/v1/devices", json={"token": "mine", "platform": "web"}, headers=user.headers)
    assert_error(await client.delete("/v1/devices/mine", headers=other.headers), 404, "NOT_FOUND")
    assert (await client.delete("/v1/devices/mine", headers=user.headers)).status_code == 204
    assert await _devices(app) == []
    assert_error(await client.delete("/v1/devices/mine", headers=user.headers), 404, "NOT_FOUND")


async def test_bad_device_bodies_are_400(client: httpx.AsyncClient, user: Any) -> None:
    for body in (
        {"token": "t", "platform": "symbian"},
        {"token": "", "platform": "ios"},
        {"token": "has space", "platform": "ios"},
        {"platform": "ios"},
        {"token": "t", "platform": "ios", "userId": "x"},
    ):
        assert_error(
            await client.post("/v1/devices", json=body, headers=user.headers), 400, "VALIDATION_ERROR"
        )
    assert_error(
        await client.post("/v1/devices", json={"token": "t", "platform": "ios"}), 401, "UNAUTHORIZED"
    )
