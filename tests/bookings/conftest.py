from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from phuket.bookings.rules import today_in_phuket
from tests.conftest import Account, register


def day(offset: int) -> date:
    """A date `offset` days after today in Phuket."""
    return today_in_phuket(datetime.now(UTC)) + timedelta(days=offset)


def iso(offset: int) -> str:
    return day(offset).isoformat()


async def book(
    client: httpx.AsyncClient,
    account: Account,
    item: Any,
    item_type: str,
    start: int,
    end: int | None = None,
    guests: int = 1,
    **extra: Any,
) -> httpx.Response:
    body: dict[str, Any] = {
        "itemType": item_type,
        "itemId": item.id,
        "startDate": iso(start),
        "guestsCount": guests,
    }
    if end is not None:
        body["endDate"] = iso(end)
    body.update(extra)
    return await client.post("/v1/bookings", json=body, headers=account.headers)


@pytest.fixture
async def other(client: httpx.AsyncClient) -> Account:
    return await register(client)


@pytest.fixture
async def admin(client: httpx.AsyncClient, app: Any) -> Account:
    from phuket.users import service as users

    async with app.state.db.sessionmaker() as session, session.begin():
        await users.promote_to_admin(
            session, app.state.settings, email="admin@phuket.example", password="Admin-pass-2026"
        )
    response = await client.post(
        "/v1/auth/login", json={"email": "admin@phuket.example", "password": "Admin-pass-2026"}
    )
    assert response.status_code == 200
    return Account("admin@phuket.example", "Admin-pass-2026", response.json()["data"])
