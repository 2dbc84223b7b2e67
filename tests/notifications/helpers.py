from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from phuket.core.outbox import OutboxMessage
from tests.bookings.conftest import book
from tests.factories import make_vehicle


async def outbox(app: Any, kind: str | None = None) -> list[OutboxMessage]:
    async with app.state.db.sessionmaker() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.created_at)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        return list((await session.execute(query)).scalars().all())


async def booked(client: httpx.AsyncClient, app: Any, account: Any, start: int = 5) -> dict[str, Any]:
    vehicle = await make_vehicle(app)
    response = await book(client, account, vehicle, "vehicle", start, start + 2)
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


async def add_device(client: httpx.AsyncClient, account: Any, token: str) -> None:
    response = await client.post(
        "/v1/devices", json={"token": token, "platform": "ios"}, headers=account.headers
    )
    assert response.status_code == 201
