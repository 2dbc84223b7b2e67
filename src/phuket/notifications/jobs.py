"""Periodic jobs of the worker: hold expiry, purges, reminders, and the travel tools' refreshes.

Each job runs in its own transaction and its own try block: one failing job never stops the others or
the delivery loop. Every job is safe to run in several workers at once (row locks with SKIP LOCKED,
idempotent deletes, a primary key per reminder).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger("phuket.worker")

SessionJob = Callable[[AsyncSession, datetime], Awaitable[Any]]
StateJob = Callable[[Any], Awaitable[Any]]


async def _refresh_rates(state: Any) -> Any:
    from phuket.currency.service import refresh_rates

    return await refresh_rates(state)


async def _refresh_weather(state: Any) -> Any:
    from phuket.weather.service import refresh_weather

    return await refresh_weather(state)


async def _expire_holds(session: AsyncSession, now: datetime) -> int:
    from phuket.bookings import service as bookings

    return await bookings.expire_holds(session, now=now)


async def _release_abandoned_card_payments(session: AsyncSession, now: datetime) -> int:
    from phuket.payments import service as payments

    return await payments.release_abandoned_card_payments(session, now=now)


async def _purge_idempotency(session: AsyncSession, now: datetime) -> int:
    from phuket.bookings import idempotency

    return await idempotency.purge_expired(session)


async def _purge_blacklist(session: AsyncSession, now: datetime) -> int:
    from phuket.auth.blacklist import Blacklist

    return await Blacklist.purge_expired(session)


async def _reminders(session: AsyncSession, now: datetime) -> int:
    from phuket.notifications import service

    return await service.enqueue_reminders(session, now=now)


async def _purge_sent(session: AsyncSession, now: datetime) -> int:
    from phuket.notifications.worker import purge_sent

    return await purge_sent(session, now=now)


@dataclass
class Job:
    name: str
    every: timedelta
    session_job: SessionJob | None = None
    refresh: StateJob | None = None  # takes the app state
    last_run: datetime | None = None


def default_jobs() -> list[Job]:
    return [
        Job("release_abandoned_card_payments", timedelta(minutes=1), _release_abandoned_card_payments),
        Job("expire_holds", timedelta(minutes=1), _expire_holds),
        Job("booking_reminders", timedelta(minutes=5), _reminders),
        Job("purge_idempotency_keys", timedelta(hours=1), _purge_idempotency),
        Job("purge_blacklist", timedelta(hours=1), _purge_blacklist),
        Job("purge_sent_outbox", timedelta(hours=6), _purge_sent),
        Job("refresh_rates", timedelta(hours=1), refresh=_refresh_rates),
        Job("refresh_weather", timedelta(minutes=30), refresh=_refresh_weather),
    ]


class PeriodicJobs:
    def __init__(self, state: Any, jobs: list[Job] | None = None) -> None:
        self.state = state
        self.jobs = jobs if jobs is not None else default_jobs()

    async def run_due(self, now: datetime, *, force: bool = False) -> None:
        for job in self.jobs:
            if force or job.last_run is None or now - job.last_run >= job.every:
                job.last_run = now
                await self.run(job, now)

    async def run(self, job: Job, now: datetime) -> None:
        result: Any = None
        try:
            if job.session_job is not None:
                async with self.state.db.write_transaction() as session:
                    result = await job.session_job(session, now)
            elif job.refresh is not None:
                result = await job.refresh(self.state)
            if result:
                log.info("periodic job done", extra={"job": job.name, "result": str(result)[:100]})
        except Exception:
            log.exception("periodic job failed", extra={"job": job.name})
