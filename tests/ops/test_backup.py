"""Backups: write real rows, back up, destroy the database, restore, and find every row of every table
back (the tables come from the models' metadata, so a new feature's table is covered without a change).
Runs the real `phuket backup` / `phuket restore` commands: pg_dump/pg_restore on the PostgreSQL pass,
SQLite's online backup API on the other; S3 against a local fake S3 (moto) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from phuket.core import migrate
from phuket.main import create_app
from phuket.models import Base
from phuket.ops.backup import BackupName
from tests.conftest import BACKEND, PG_ADMIN_URL, RUN_ID, _pg_admin, make_settings, register

from .server import PHUKET, free_port, server_env

_numbers = itertools.count()


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """A database of its own (the test destroys it), built by the migrations."""
    if BACKEND == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'scratch.db'}"
        migrate.upgrade(url)
        yield url
        return
    name = f"phuket_test_{RUN_ID}_backup_{next(_numbers)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    try:
        migrate.upgrade(url)
        yield url
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def destroy(url: str) -> None:
    if BACKEND == "sqlite":
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    asyncio.run(_pg_admin(f'DROP DATABASE "{name}" WITH (FORCE)'))
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))


def phuket(url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PHUKET, *args],
        env=server_env(url, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


async def _populate(url: str) -> None:
    app = create_app(make_settings(url, rate_limit_enabled=False), configure_logs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            accounts = [await register(client, full_name=f"Guest {i}") for i in range(3)]
            assert (
                await client.post("/v1/auth/password/forgot", json={"email": accounts[0].email})
            ).status_code == 202
            if "booking" not in Base.metadata.tables:
                return
            vehicles = (await client.get("/v1/vehicles", params={"per_page": 5})).json()["data"]
            assert vehicles, "the seeded catalog has vehicles"
            start = date.today() + timedelta(days=30)
            for i, account in enumerate(accounts):
                body = {
                    "itemType": "vehicle",
                    "itemId": vehicles[i % len(vehicles)]["id"],
                    "startDate": (start + timedelta(days=10 * i)).isoformat(),
                    "endDate": (start + timedelta(days=10 * i + 3)).isoformat(),
                    "guestsCount": 1,
                }
                response = await client.post("/v1/bookings", json=body, headers=account.headers)
                assert response.status_code == 201, response.text


def populate(url: str) -> None:
    if "vehicle" in Base.metadata.tables:
        seeded = phuket(url, "seed")
        assert seeded.returncode == 0, seeded.stderr
    asyncio.run(_populate(url))


async def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_async_engine(url, poolclass=NullPool)
    found: dict[str, list[tuple[Any, ...]]] = {}
    try:
        async with engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                query = select(table).order_by(*table.primary_key.columns)
                found[table.name] = [tuple(row) for row in (await conn.execute(query)).all()]
            version = await conn.execute(text("SELECT version_num FROM alembic_version"))
            found["alembic_version"] = [tuple(row) for row in version.all()]
    finally:
        await engine.dispose()
    return found


def rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    return asyncio.run(_rows(url))


def only_backup(directory: Path) -> Path:
    dumps = [p for p in directory.iterdir() if BackupName.parse(p.name)]
    assert len(dumps) == 1, sorted(p.name for p in directory.iterdir())
    return dumps[0]


def test_backup_destroy_restore_finds_every_row(scratch_url: str, tmp_path: Path) -> None:
    populate(scratch_url)
    before = rows(scratch_url)
    assert len(before["user"]) == 3
    if "booking" in before:
        assert len(before["booking"]) == 3
    assert sum(map(len, before.values())) > 10

    target = tmp_path / "backups"
    made = phuket(scratch_url, "backup", "--to", str(target))
    assert made.returncode == 0, made.stderr
    dump = only_backup(target)
    assert dump.suffix == (".sqlite3" if BACKEND == "sqlite" else ".dump")
    assert BackupName.parse(dump.name) is not None and BackupName.parse(dump.name).kind == "daily"  # type: ignore[union-attr]
    checksum = (target / f"{dump.name}.sha256").read_text()
    assert checksum.endswith(f"  {dump.name}\n") and len(checksum.split()[0]) == 64

    destroy(scratch_url)
    assert rows_or_none(scratch_url) is None

    restored = phuket(scratch_url, "restore", str(dump))
    assert restored.returncode == 0, restored.stderr
    assert rows(scratch_url) == before

    # Restoring over a database that has data is refused, unless forced.
    refused = phuket(scratch_url, "restore", str(dump))
    assert refused.returncode == 2 and "--force" in refused.stderr
    forced = phuket(scratch_url, "restore", str(dump), "--force")
    assert forced.returncode == 0, forced.stderr
    assert rows(scratch_url) == before


def rows_or_none(url: str) -> dict[str, list[tuple[Any, ...]]] | None:
    try:
        return rows(url)
    except Exception:  # the tables are gone
        return None


def test_a_damaged_or_unverifiable_backup_is_not_restored(scratch_url: str, tmp_path: Path) -> None:
    target = tmp_path / "backups"
    assert phuket(scratch_url, "backup", "--to", str(target)).returncode == 0
    dump = only_backup(target)
    destroy(scratch_url)

    damaged = tmp_path / "damaged" / dump.name
    damaged.parent.mkdir()
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    (damaged.parent / f"{dump.name}.sha256").write_text((target / f"{dump.name}.sha256").read_text())
    result = phuket(scratch_url, "restore", str(damaged))
    assert result.returncode == 1 and "checksum" in result.stderr

    (target / f"{dump.name}.sha256").unlink()
    result = phuket(scratch_url, "restore", str(dump))
    assert result.returncode == 1 and "no checksum file" in result.stderr

    missing = phuket(scratch_url, "restore", str(tmp_path / "nope.dump"))
    assert missing.returncode == 1 and "no backup file" in missing.stderr


def test_retention_keeps_daily_30_days_and_hourly_7_days(scratch_url: str, tmp_path: Path) -> None:
    target = tmp_path / "backups"
    target.mkdir()
    now = datetime.now(UTC).replace(microsecond=0)
    ext = "sqlite3" if BACKEND == "sqlite" else "dump"
    old = {
        BackupName("daily", now - timedelta(days=31), ext).filename: False,
        BackupName("daily", now - timedelta(days=29), ext).filename: True,
        BackupName("hourly", now - timedelta(days=8), ext).filename: False,
        BackupName("hourly", now - timedelta(days=6), ext).filename: True,
    }
    for name in old:
        (target / name).write_bytes(b"old")
        (target / f"{name}.sha256").write_text(f"{'0' * 64}  {name}\n")
    (target / "notes.txt").write_text("not a backup: left alone")

    first = phuket(scratch_url, "backup", "--to", str(target))
    assert first.returncode == 0, first.stderr
    second = phuket(scratch_url, "backup", "--to", str(target), "--kind", "hourly")
    assert second.returncode == 0, second.stderr

    names = {p.name for p in target.iterdir()}
    for name, kept in old.items():
        assert (name in names) is kept, name
        assert (f"{name}.sha256" in names) is kept, name
    assert "notes.txt" in names
    kinds = sorted(
        p.kind for n in names if (p := BackupName.parse(n)) and p.taken_at > now - timedelta(hours=1)
    )
    assert kinds == ["daily", "hourly"]


def test_bad_targets_are_refused_with_a_reason(scratch_url: str) -> None:
    result = phuket(scratch_url, "backup", "--to", "s3://")
    assert result.returncode == 1 and "s3://bucket" in result.stderr
    result = phuket(scratch_url, "backup")
    assert result.returncode == 2 and "--to" in result.stderr


@pytest.fixture
def fake_s3() -> Iterator[dict[str, str]]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {
        "PHUKET_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    try:
        yield env
    finally:
        server.stop()


def test_backup_to_s3_and_restore_from_it(scratch_url: str, fake_s3: dict[str, str]) -> None:
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=fake_s3["PHUKET_S3_ENDPOINT_URL"],
        aws_access_key_id=fake_s3["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=fake_s3["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket="phuket-backups")
    stale = BackupName("hourly", datetime.now(UTC) - timedelta(days=9), "dump").filename
    s3.put_object(Bucket="phuket-backups", Key=f"prod/db/{stale}", Body=b"old")
    s3.put_object(Bucket="phuket-backups", Key=f"prod/db/{stale}.sha256", Body=b"x")

    populate(scratch_url)
    before = rows(scratch_url)
    made = phuket(scratch_url, "backup", "--to", "s3://phuket-backups/prod/db", **fake_s3)
    assert made.returncode == 0, made.stderr
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="phuket-backups")["Contents"])
    assert len(keys) == 2 and keys[1] == keys[0] + ".sha256", keys
    assert all(k.startswith("prod/db/phuket-daily-") for k in keys)

    destroy(scratch_url)
    restored = phuket(scratch_url, "restore", f"s3://phuket-backups/{keys[0]}", **fake_s3)
    assert restored.returncode == 0, restored.stderr
    assert rows(scratch_url) == before


def test_retention_rules() -> None:
    from phuket.ops.backup import choose_kind, expired

    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    today = BackupName("daily", now.replace(hour=0, minute=5), "dump").filename
    yesterday = BackupName("daily", now - timedelta(days=1), "dump").filename
    assert choose_kind([], now) == "daily"
    assert choose_kind([yesterday], now) == "daily"
    assert choose_kind([yesterday, today], now) == "hourly"
    edge = BackupName("hourly", now - timedelta(days=7), "dump").filename
    past = BackupName("hourly", now - timedelta(days=7, seconds=1), "dump").filename
    assert expired([edge, past, "phuket-weekly-20260101T000000Z.dump", "readme"], now) == [past]
    assert os.sep not in today
