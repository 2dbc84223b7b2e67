"""Settings guards, passwords, health checks and the CLI."""

from __future__ import annotations

import subprocess

import httpx
import pytest
from pydantic import ValidationError

from phuket.core.config import Settings
from phuket.core.security import hash_password, verify_password


def test_production_refuses_the_default_secret_key() -> None:
    with pytest.raises(ValidationError, match="PHUKET_SECRET_KEY"):
        Settings(env="production")
    with pytest.raises(ValidationError):
        Settings(env="production", secret_key="short")
    assert Settings(env="production", secret_key="x" * 40).env == "production"


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHUKET_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("PHUKET_RATE_LIMIT_ENABLED", "false")
    monkeypatch.setenv("PHUKET_DATABASE_URL", "postgresql+asyncpg://db/phuket")
    s = Settings()
    assert s.cors_origins == ["https://a.example", "https://b.example"]
    assert s.rate_limit_enabled is False
    assert not s.is_sqlite


def test_default_database_is_a_sqlite_file_under_data() -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.database_url.startswith("sqlite+aiosqlite:///") and s.database_url.endswith("data/phuket.db")


async def test_passwords_use_bcrypt_with_12_rounds_by_default() -> None:
    rounds = Settings().bcrypt_rounds
    assert rounds == 12
    hashed = await hash_password("Sunny-beach-42", rounds)
    assert hashed.startswith("$2b$12$")
    assert await verify_password("Sunny-beach-42", hashed, rounds)
    assert not await verify_password("Sunny-beach-43", hashed, rounds)
    assert not await verify_password("Sunny-beach-42", None, rounds)
    with pytest.raises(ValueError):
        await hash_password("x" * 73, rounds)


async def test_readiness_checks_the_database(client: httpx.AsyncClient, app: object) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    checks = response.json()["data"]["checks"]
    assert checks["database"] == "ok"
    if app.state.redis is not None:  # type: ignore[attr-defined]
        assert checks["redis"] == "ok"


async def test_readiness_is_503_when_the_database_is_gone(tmp_path: object) -> None:
    from phuket.main import create_app
    from tests.conftest import make_settings

    app = create_app(
        make_settings("postgresql+asyncpg://postgres@127.0.0.1:1/none", redis_url=None), configure_logs=False
    )
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            response = await c.get("/health/ready")
            live = await c.get("/health/live")
    assert response.status_code == 503
    assert response.json()["data"]["checks"]["database"] == "unavailable"
    assert live.status_code == 200


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PHUKET_DATABASE_URL": database_url, "PHUKET_REDIS_URL": ""}
    return subprocess.run(
        [sys.executable, "-m", "phuket.cli", *args], env=env, capture_output=True, text=True, timeout=60
    )


async def test_create_admin_creates_then_promotes_idempotently(
    client: httpx.AsyncClient, database_url: str
) -> None:
    from tests.conftest import register

    existing = await register(client, email="boss@example.com")
    first = _cli(database_url, "create-admin", "--email", "Boss@Example.com", "--password", "Admin-pass-2026")
    assert first.returncode == 0, first.stderr
    second = _cli(
        database_url, "create-admin", "--email", "boss@example.com", "--password", "Admin-pass-2026"
    )
    assert second.returncode == 0, second.stderr
    login = await client.post(
        "/v1/auth/login", json={"email": "boss@example.com", "password": "Admin-pass-2026"}
    )
    assert login.status_code == 200
    assert login.json()["data"]["user"] == {**existing.user, "role": "admin"}
    fresh = _cli(database_url, "create-admin", "--email", "ops@example.com", "--password", "Admin-pass-2026")
    assert fresh.returncode == 0, fresh.stderr
    bad = _cli(database_url, "create-admin", "--email", "not-an-email", "--password", "Admin-pass-2026")
    assert bad.returncode == 2 and "invalid" in bad.stderr


def test_openapi_command_prints_the_document() -> None:
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "phuket.cli", "openapi"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    assert "/v1/auth/login" in document["paths"]
