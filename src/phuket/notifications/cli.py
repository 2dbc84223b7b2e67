"""`phuket worker`: outbox delivery (push, email, refunds) and the periodic jobs. Stops on SIGTERM/SIGINT
after the message in hand; what was claimed but not started is released for the next worker."""

from __future__ import annotations

import argparse
import asyncio
import signal
from types import SimpleNamespace

from phuket.cli import command, run_async


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--once", action="store_true", help="deliver what is due, run the jobs once, and exit")


@command("worker", "deliver the outbox (push, email, refunds) and run the periodic jobs", _args)
def worker(args: argparse.Namespace) -> int:
    return run_async(_run(once=args.once))


async def _run(*, once: bool) -> int:
    from phuket.core.cache import MemoryCache, RedisCache, make_redis
    from phuket.core.config import get_settings
    from phuket.core.db import Database, utcnow
    from phuket.core.logging import configure_logging
    from phuket.core.sentry import init_sentry
    from phuket.notifications.worker import Worker

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    init_sentry(settings)
    redis = make_redis(settings.redis_url) if settings.redis_url else None
    state = SimpleNamespace(
        settings=settings,
        db=Database(settings),
        cache=RedisCache(redis, settings.redis_prefix) if redis is not None else MemoryCache(),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        runner = Worker(state)
        if once:
            await runner.jobs.run_due(utcnow(), force=True)
            await runner.drain()
        else:
            await runner.run(stop)
    finally:
        await state.db.dispose()
        if redis is not None:
            await redis.aclose()
    return 0
