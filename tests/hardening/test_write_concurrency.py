"""Concurrent writers against a real 2-worker server: registrations, logins, refreshes and profile updates
at once never fail (regression: on SQLite a read-then-write transaction could not upgrade its lock and
answered 500 "database is locked")."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter

import httpx

from tests.bookings.test_concurrency import server  # noqa: F401  (fixture: a real `phuket serve --workers 2`)


async def test_concurrent_account_writes_all_succeed(server: str) -> None:  # noqa: F811
    async with httpx.AsyncClient(base_url=server, timeout=60, limits=httpx.Limits(max_connections=60)) as c:
        emails = [f"rush-{secrets.token_hex(4)}@example.com" for _ in range(24)]
        registered = await asyncio.gather(
            *(
                c.post("/v1/auth/register", json={"email": e, "password": "Sunny-beach-42", "fullName": "R"})
                for e in emails
            )
        )
        assert Counter(r.status_code for r in registered) == {201: 24}
        tokens = [r.json()["data"] for r in registered]
        mixed = await asyncio.gather(
            *(c.post("/v1/auth/login", json={"email": e, "password": "Sunny-beach-42"}) for e in emails),
            *(c.post("/v1/auth/refresh", json={"refreshToken": t["refreshToken"]}) for t in tokens),
            *(
                c.patch(
                    "/v1/users/me",
                    json={"language": "ru"},
                    headers={"Authorization": f"Bearer {t['accessToken']}"},
                )
                for t in tokens
            ),
        )
        statuses = Counter(r.status_code for r in mixed)
        assert statuses == {200: 72}, statuses
