"""Test harness: every test runs against a real database built by the migrations, and a real cache.

PHUKET_TEST_BACKEND=sqlite (default): a temporary SQLite file, in-process cache/limits/blacklist.
PHUKET_TEST_BACKEND=postgres: a fresh PostgreSQL database (created here, dropped at the end) and Redis
under a unique key prefix (deleted at the end). If either cannot be reached the run stops with an error:
it never silently skips.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from phuket.core import migrate
from phuket.core.config import Settings
from phuket.main import create_app
from phuket.models import Base

BACKEND = os.environ.get("PHUKET_TEST_BACKEND", "sqlite")
PG_ADMIN_URL = os.environ.get("PHUKET_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("PHUKET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RUN_ID = secrets.token_hex(4)
_counter = itertools.count()


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _redis_ping() -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    finally:
        await client.aclose()


async def _redis_cleanup(prefix: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        async for key in client.scan_iter(match=prefix + "*", count=1000):
            await client.delete(key)
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    if BACKEND == "sqlite":
        with tempfile.TemporaryDirectory(prefix="phuket-test-") as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'test.db'}"
            migrate.upgrade(url)
            yield url
        return
    if BACKEND != "postgres":
        pytest.exit(f"unknown PHUKET_TEST_BACKEND={BACKEND!r}", returncode=4)
    name = f"phuket_test_{RUN_ID}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        asyncio.run(_redis_ping())
    except Exception as exc:
        pytest.exit(
            f"PostgreSQL/Redis pass: cannot reach its services ({type(exc).__name__}: {exc})", returncode=3
        )
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    try:
        migrate.upgrade(url)
        yield url
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        asyncio.run(_redis_cleanup(f"phuket-test-{RUN_ID}:"))


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "redis_url": REDIS_URL if BACKEND == "postgres" else None,
        "redis_prefix": f"phuket-test-{RUN_ID}:{next(_counter)}:",
        # 12 rounds in production (tests/foundation/test_passwords.py checks that default); 4 here for speed.
        "bcrypt_rounds": 4,
        "log_json": False,
        # The test client connects from 203.0.113.10, treated as our proxy so tests can set X-Forwarded-For.
        "trusted_proxies": ["203.0.113.10"],
        "data_dir": Path(tempfile.gettempdir()) / f"phuket-test-{RUN_ID}",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


async def _truncate(app_db: Any) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with app_db.engine.begin() as conn:
        if app_db.is_sqlite:
            for table in tables:
                await conn.execute(text(f'DELETE FROM "{table}"'))
        else:
            joined = ", ".join(f'"{t}"' for t in tables)
            await conn.execute(text(f"TRUNCATE {joined} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings, configure_logs=False)
    async with application.router.lifespan_context(application):
        # Before as well as after: a test that wrote through an app of its own (a real server, a fault
        # test) must not leave rows that the next test would see.
        await _truncate(application.state.db)
        try:
            yield application
        finally:
            await _truncate(application.state.db)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


class Account:
    def __init__(self, email: str, password: str, body: dict[str, Any]) -> None:
        self.email = email
        self.password = password
        self.user = body["user"]
        self.id: str = body["user"]["id"]
        self.access = body["accessToken"]
        self.refresh = body["refreshToken"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


async def register(
    client: httpx.AsyncClient,
    email: str | None = None,
    password: str = "Sunny-beach-42",
    full_name: str = "Anna Petrova",
    language: str = "en",
) -> Account:
    email = email or f"user-{secrets.token_hex(4)}@example.com"
    response = await client.post(
        "/v1/auth/register",
        json={"email": email, "password": password, "fullName": full_name, "language": language},
        headers={"X-Forwarded-For": f"198.51.{secrets.randbelow(255)}.{secrets.randbelow(255)}"},
    )
    assert response.status_code == 201, response.text
    return Account(email, password, response.json()["data"])


@pytest.fixture
async def user(client: httpx.AsyncClient) -> Account:
    return await register(client)


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert body["meta"]["requestId"] == response.headers["x-request-id"]
    return body
