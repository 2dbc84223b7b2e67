"""Database engine, the declarative base and the per-request transaction.

One transaction per request, owned by `get_session`: it commits when the route returns (before the
response is sent, `scope="function"`) and rolls back when it raises. Services and repositories only
flush. On SQLite, every POST/PUT/PATCH/DELETE request's transaction begins IMMEDIATE (set by the
request middleware): the availability check and the insert happen under one write lock, and a writer
waits for the lock instead of failing on a lock upgrade. Slow work (bcrypt) is kept out of that lock.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, String, TypeDecorator, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import NullPool

from phuket.core.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware on every backend. SQLite keeps no offset, so values are stored as naive UTC and
    read back as aware UTC; PostgreSQL uses `timestamptz`."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class IdMixin:
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


# "IMMEDIATE" while a request that must serialise its writes runs (SQLite only; PostgreSQL ignores it).
_sqlite_begin: ContextVar[str] = ContextVar("sqlite_begin", default="DEFERRED")


def _engine_kwargs(url: str, settings: Settings) -> dict[str, Any]:
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        return (
            {"connect_args": {"timeout": 30}, "poolclass": NullPool}
            if settings.env == "test"
            else {
                "connect_args": {"timeout": 30},
                "pool_size": 5,
                "max_overflow": 10,
            }
        )
    return {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_pre_ping": True,
        "pool_recycle": 1800,
        "pool_timeout": settings.db_pool_timeout_seconds,
    }


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins (see `_on_begin`).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(f"BEGIN {_sqlite_begin.get()}")


def create_engine(url: str, settings: Settings) -> AsyncEngine:
    engine = create_async_engine(url, **_engine_kwargs(url, settings))
    if url.startswith("sqlite"):
        _configure_sqlite(engine)
    return engine


class Database:
    """The engines of one process: the primary, and a read replica when configured."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = create_engine(settings.database_url, settings)
        self.read_engine = (
            create_engine(settings.read_database_url, settings) if settings.read_database_url else self.engine
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self.read_sessionmaker = async_sessionmaker(self.read_engine, expire_on_commit=False, autoflush=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def write_transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction for background writers (worker, jobs): IMMEDIATE on SQLite, so a
        read-then-write never needs a lock upgrade; committed on exit, rolled back on error."""
        token = _sqlite_begin.set("IMMEDIATE")
        try:
            async with self.sessionmaker() as session, session.begin():
                yield session
        finally:
            _sqlite_begin.reset(token)

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    from phuket.core.errors import AppError

    db = get_database(request)
    async with db.sessionmaker() as session:
        try:
            yield session
        except AppError as exc:
            if exc.commit:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A read-only session, on the replica when `PHUKET_READ_DATABASE_URL` is set (catalog reads)."""
    db = get_database(request)
    async with db.read_sessionmaker() as session:
        try:
            yield session
        finally:
            await session.rollback()


async def read_only_request() -> None:
    """Route dependency for a POST that only reads (the assistant's chat): its transaction stays DEFERRED
    on SQLite, so the helpers it calls may open sessions of their own without waiting on a write lock."""
    _sqlite_begin.set("DEFERRED")


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
