"""Exchange rates with THB as base: provider → stored → bundled snapshot, never nothing.

Where a rate table comes from (`source`):
- "exchangerate-api": the provider's rates, fetched within the last hour (by the worker's
  `refresh_rates` or on demand when the cache and the stored rates are older than that);
- "cache": the provider is unreachable (or has no key) and the last stored rates are older than an hour —
  `updatedAt` says how old;
- "bundled-snapshot": nothing was ever stored (a fresh install): the snapshot shipped in the package.
The answer is cached for an hour (seed §2.2.3 `cache:currency_rates`), a fallback for five minutes only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

import httpx
import orjson
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.core.breaker import BreakerOpen, ProviderError
from phuket.core.config import Settings
from phuket.core.db import utcnow
from phuket.core.schemas import ApproxMoney, utc_iso
from phuket.currency import money
from phuket.currency.client import SOURCE, ExchangeRateApiClient, ProviderRates
from phuket.currency.models import ExchangeRate

log = logging.getLogger("phuket.currency")

CACHE_KEY = "currency_rates"
FRESH_FOR = timedelta(hours=1)
FALLBACK_CACHE_SECONDS = 300
SNAPSHOT = "bundled-snapshot"
STALE = "cache"


@dataclass(frozen=True)
class RateTable:
    rates: dict[str, Decimal]  # units per 1 THB, THB = 1
    updated_at: datetime
    source: str

    def to_bytes(self) -> bytes:
        return orjson.dumps(
            {
                "rates": {k: str(v) for k, v in self.rates.items()},
                "updatedAt": self.updated_at.isoformat(),
                "source": self.source,
            }
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> RateTable:
        body = orjson.loads(raw)
        return cls(
            rates={k: Decimal(v) for k, v in body["rates"].items()},
            updated_at=datetime.fromisoformat(body["updatedAt"]),
            source=body["source"],
        )


def _state(app_or_deps: Any) -> Any:
    """The app's state from an app, a request, or the state itself (settings, db, cache)."""
    if hasattr(app_or_deps, "app") and hasattr(app_or_deps.app, "state"):
        return app_or_deps.app.state
    return getattr(app_or_deps, "state", app_or_deps)


def make_client(settings: Settings) -> ExchangeRateApiClient | None:
    if settings.currency_api_key is None or not settings.currency_api_key.get_secret_value():
        return None
    return ExchangeRateApiClient(
        settings.currency_base_url,
        settings.currency_api_key.get_secret_value(),
        timeout=settings.provider_timeout_seconds,
    )


@lru_cache(maxsize=1)
def bundled_snapshot() -> RateTable:
    text = resources.files("phuket").joinpath("seed/data/rates_snapshot.json").read_text("utf-8")
    body = json.loads(text)
    rates = {code: Decimal(body["rates"][code]) for code in money.CURRENCIES}
    updated = datetime.fromisoformat(body["updatedAt"].replace("Z", "+00:00"))
    return RateTable(rates=rates, updated_at=updated, source=SNAPSHOT)


async def load_stored(session: AsyncSession) -> tuple[RateTable, datetime] | None:
    """The stored rates and when they were fetched, or None when a currency is missing."""
    rows = (await session.scalars(select(ExchangeRate))).all()
    by_code = {row.currency: row for row in rows}
    if any(code not in by_code for code in money.CURRENCIES if code != money.BASE):
        return None
    picked = [by_code[c] for c in money.CURRENCIES if c != money.BASE]
    rates = {money.BASE: Decimal(1), **{row.currency: Decimal(row.rate) for row in picked}}
    updated_at = min(row.updated_at for row in picked)
    fetched_at = min(row.fetched_at for row in picked)
    return RateTable(rates=rates, updated_at=updated_at, source=picked[0].source), fetched_at


async def store(session: AsyncSession, fetched: ProviderRates) -> None:
    now = utcnow()
    values = [
        {
            "currency": code,
            "rate": rate,
            "source": SOURCE,
            "updated_at": fetched.updated_at,
            "fetched_at": now,
        }
        for code, rate in fetched.rates.items()
        if code != money.BASE
    ]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ExchangeRate).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=[ExchangeRate.currency],
        set_={
            "rate": statement.excluded.rate,
            "source": statement.excluded.source,
            "updated_at": statement.excluded.updated_at,
            "fetched_at": statement.excluded.fetched_at,
        },
    )
    await session.execute(statement)
    await session.flush()


async def _fetch_and_store(state: Any, client: ExchangeRateApiClient) -> RateTable:
    fetched = await client.latest()
    async with state.db.sessionmaker() as session:
        await store(session, fetched)
        await session.commit()
    table = RateTable(rates=fetched.rates, updated_at=fetched.updated_at, source=SOURCE)
    await state.cache.set(CACHE_KEY, table.to_bytes(), int(FRESH_FOR.total_seconds()))
    return table


async def refresh_rates(app_or_deps: Any) -> RateTable | None:
    """For the worker: fetch, store and cache the provider's rates. None when no key is configured or
    the provider failed (logged); never raises for provider trouble."""
    state = _state(app_or_deps)
    client = make_client(state.settings)
    if client is None:
        return None
    try:
        return await _fetch_and_store(state, client)
    except (ProviderError, BreakerOpen, TimeoutError, httpx.HTTPError, OSError) as exc:
        log.warning("rates refresh failed; keeping the stored rates", extra={"error": type(exc).__name__})
        return None


async def get_rates(app_or_deps: Any) -> RateTable:
    """The best rate table we have right now (see the module docstring for the order)."""
    state = _state(app_or_deps)
    cached = await state.cache.get(CACHE_KEY)
    if cached is not None:
        try:
            return RateTable.from_bytes(cached)
        except (ValueError, KeyError, ArithmeticError):
            log.warning("unreadable cached rates ignored")
    async with state.db.read_sessionmaker() as session:
        stored = await load_stored(session)
    if stored is not None and utcnow() - stored[1] < FRESH_FOR:
        table = stored[0]
        remaining = FRESH_FOR - (utcnow() - stored[1])
        await state.cache.set(CACHE_KEY, table.to_bytes(), max(1, int(remaining.total_seconds())))
        return table
    client = make_client(state.settings)
    if client is not None:
        fresh = await refresh_rates(state)
        if fresh is not None:
            return fresh
    if stored is not None:
        table = RateTable(rates=stored[0].rates, updated_at=stored[0].updated_at, source=STALE)
    else:
        table = bundled_snapshot()
    await state.cache.set(CACHE_KEY, table.to_bytes(), FALLBACK_CACHE_SECONDS)
    return table


async def _rates_for_session(session: AsyncSession) -> RateTable:
    stored = await load_stored(session)
    if stored is None:
        return bundled_snapshot()
    table, fetched_at = stored
    source = table.source if utcnow() - fetched_at < FRESH_FOR else STALE
    return RateTable(rates=table.rates, updated_at=table.updated_at, source=source)


async def approximator(app_or_deps: Any, currency: str | None) -> Callable[[Decimal], ApproxMoney] | None:
    """One rate lookup for a whole response: returns a function THB → approximate amount in `currency`,
    or None when no conversion is wanted (no currency, THB, or a currency we do not quote)."""
    if not currency:
        return None
    try:
        code = money.check_currency(currency)
    except money.UnknownCurrency:
        return None
    if code == money.BASE:
        return None
    # Inside a request that holds a transaction, read through that session (a second connection could
    # wait on the first's write lock on SQLite); otherwise use the cached rates of the app.
    if isinstance(app_or_deps, AsyncSession):
        table = await _rates_for_session(app_or_deps)
    else:
        table = await get_rates(app_or_deps)
    updated = utc_iso(table.updated_at)

    def convert(amount_thb: Decimal) -> ApproxMoney:
        result, rate = money.convert(table.rates, amount_thb, money.BASE, code)
        return ApproxMoney(
            amount=format(result, "f"),
            currency=code,
            rate=money.format_rate(rate),
            updated_at=updated,
            source=table.source,
        )

    return convert
