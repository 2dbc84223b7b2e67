"""Consistent database snapshots and their restore.

PostgreSQL: `pg_dump` in custom format (one repeatable-read transaction: a consistent snapshot while the
service keeps running) and `pg_restore` in a single transaction. SQLite: the online backup API, which
copies the database under a read lock in one step (a consistent snapshot, writers wait).
"""

from __future__ import annotations

import asyncio
import glob
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class SnapshotError(Exception):
    """Something an operator must fix; the message says what."""


class NotEmpty(SnapshotError):
    pass


def extension_for(database_url: str) -> str:
    return "sqlite3" if make_url(database_url).get_backend_name() == "sqlite" else "dump"


def take(database_url: str, destination: Path) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_path(url), destination)
    elif url.get_backend_name() == "postgresql":
        _pg_dump(url, destination)
    else:
        raise SnapshotError(f"backups of {url.get_backend_name()} databases are not supported")


def restore(database_url: str, source: Path, *, force: bool) -> None:
    url = make_url(database_url)
    head = source.read_bytes()[:16] if source.stat().st_size else b""
    if url.get_backend_name() == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise SnapshotError(f"{source.name} is not a SQLite backup; this database is SQLite")
        _sqlite_restore(source, _sqlite_path(url), force=force)
    elif url.get_backend_name() == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise SnapshotError(f"{source.name} is not a pg_dump archive; this database is PostgreSQL")
        _pg_restore(url, source, force=force)
    else:
        raise SnapshotError(f"restores into {url.get_backend_name()} databases are not supported")


# --- SQLite -------------------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise SnapshotError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _sqlite_backup(path: Path, destination: Path) -> None:
    if not path.exists():
        raise SnapshotError(f"no SQLite database at {path}")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(destination)
    try:
        source.backup(target)  # all pages in one step: one consistent snapshot
    finally:
        target.close()
        source.close()


def _sqlite_tables(connection: sqlite3.Connection) -> int:
    row = connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchone()
    return int(row[0])


def _sqlite_restore(source: Path, path: Path, *, force: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(path)
    try:
        tables = _sqlite_tables(target)
        if tables and not force:
            raise NotEmpty(f"{path} already has {tables} tables; restore into an empty database or --force")
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            backup.backup(target)  # replaces every page of the target, WAL included
        finally:
            backup.close()
    finally:
        target.close()


# --- PostgreSQL ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PgTool:
    path: str
    major: int


def _libpq_env(url: URL) -> dict[str, str]:
    """Connection settings for pg_dump/pg_restore as libpq variables: the password never shows in `ps`."""
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", str(url.port) if url.port else None),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value:
            env[key] = str(value)
    ssl = url.query.get("ssl") or url.query.get("sslmode")
    if isinstance(ssl, str):
        env["PGSSLMODE"] = ssl
    return env


async def _server_query(url: URL, sql: str) -> int:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


def server_major(url: URL) -> int:
    return asyncio.run(_server_query(url, "SELECT current_setting('server_version_num')::int")) // 10000


def _tool_major(path: str) -> int | None:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False, timeout=30)  # noqa: S603
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", out.stdout)
    return int(found.group(1)) if found else None


def find_pg_tool(name: str, server: int) -> PgTool:
    """The client tool whose major version matches the server's (pg_dump refuses a newer server), from
    PATH or from the Debian/Ubuntu layout where several versions live side by side."""
    candidates: list[str] = []
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    tools = [PgTool(path, major) for path in candidates if (major := _tool_major(path)) is not None]
    usable = sorted((t for t in tools if t.major >= server), key=lambda t: (t.major != server, t.major))
    if not usable:
        found = ", ".join(f"{t.path} ({t.major})" for t in tools) or "none"
        raise SnapshotError(
            f"{name} for PostgreSQL {server} or newer is needed (found: {found}); "
            f"install postgresql-client-{server}"
        )
    return usable[0]


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (no shell; our own argument list)
    if result.returncode != 0:
        raise SnapshotError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _pg_dump(url: URL, destination: Path) -> None:
    tool = find_pg_tool("pg_dump", server_major(url))
    _run(
        [tool.path, "--format=custom", "--no-owner", "--no-privileges", f"--file={destination}"],
        _libpq_env(url),
    )


def _pg_restore(url: URL, source: Path, *, force: bool) -> None:
    tables = asyncio.run(
        _server_query(
            url, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
    )
    if tables and not force:
        raise NotEmpty(
            f"database {url.database} already has {tables} tables; restore into an empty database or --force"
        )
    tool = find_pg_tool("pg_restore", server_major(url))
    command = [tool.path, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if tables:
        command += ["--clean", "--if-exists"]  # --force: replace what the archive holds
    _run([*command, f"--dbname={url.database}", str(source)], _libpq_env(url))
