"""What runs beside the API in every worker process: the metrics middleware, the tracing set-up, and a
sampler that copies the process's own state (DB pool, cache, rate limiter, event-loop lag) into the
metrics once a second, so that with several workers each one's share is in the multiprocess files."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from typing import Any

from fastapi import FastAPI
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import text

from phuket.core import metrics, tracing
from phuket.core.config import Settings

log = logging.getLogger("phuket.ops")
SAMPLE_INTERVAL = 1.0


def instrument(app: FastAPI, settings: Settings) -> None:
    """Called by create_app() after the other middleware: metrics outermost but tracing."""
    app.add_middleware(metrics.MetricsMiddleware)
    tracing.install(app, settings)


class RuntimeSampler:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._seen: dict[str, int] = {"hits": 0, "misses": 0, "rejections": 0}
        self._task: asyncio.Task[None] | None = None

    def sample(self) -> None:
        state = self.app.state
        db = state.db
        _sample_pool("primary", db.engine.pool)
        if db.read_engine is not db.engine:
            _sample_pool("replica", db.read_engine.pool)
        cache = state.cache
        self._feed("hits", int(getattr(cache, "hits", 0)), metrics.CACHE_HITS)
        self._feed("misses", int(getattr(cache, "misses", 0)), metrics.CACHE_MISSES)
        self._feed("rejections", int(getattr(state.limiter, "rejections", 0)), metrics.RATE_LIMIT_REJECTIONS)

    def _feed(self, key: str, current: int, counter: Any) -> None:
        delta = current - self._seen[key]
        if delta > 0:
            counter.inc(delta)
        self._seen[key] = current

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(SAMPLE_INTERVAL)
            metrics.EVENT_LOOP_LAG.set(max(0.0, time.perf_counter() - started - SAMPLE_INTERVAL))
            try:
                self.sample()
            except Exception:  # a broken sample must never take the process down
                log.exception("metrics sampling failed")

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="phuket-metrics-sampler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        tracing.shutdown(self.app)


def _sample_pool(name: str, pool: Any) -> None:
    if not hasattr(pool, "checkedout") or not hasattr(pool, "size"):
        return  # NullPool / StaticPool (SQLite tests): nothing is pooled
    size = int(pool.size())
    metrics.DB_POOL_SIZE.labels(pool=name).set(size)
    metrics.DB_POOL_CAPACITY.labels(pool=name).set(size + max(0, int(getattr(pool, "_max_overflow", 0))))
    metrics.DB_POOL_CHECKED_OUT.labels(pool=name).set(int(pool.checkedout()))


def _forget_dead_workers() -> None:
    """Live gauges of a worker that died (and was replaced) would linger in the multiprocess folder."""
    directory = metrics.multiprocess_dir()
    if not directory or not os.path.isdir(directory):
        return
    for entry in os.listdir(directory):
        if not entry.startswith("gauge_live") or not entry.endswith(".db"):
            continue
        pid_text = entry.rsplit("_", 1)[-1].removesuffix(".db")
        if not pid_text.isdigit():
            continue
        pid = int(pid_text)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
        except PermissionError:
            pass


async def start_runtime(app: FastAPI) -> RuntimeSampler:
    """Called from the lifespan once app.state is complete."""
    _forget_dead_workers()
    tracing.instrument_database(app)
    sampler = RuntimeSampler(app)
    app.state.metrics_sampler = sampler
    sampler.start()
    return sampler


async def scrape_time_metrics(app: FastAPI) -> list[Metric]:
    """Values read from the database when Prometheus scrapes: the same for every worker, so computed once
    per scrape rather than sampled. A cheap indexed COUNT; skipped (and logged) if the database is slow."""
    sampler: RuntimeSampler | None = getattr(app.state, "metrics_sampler", None)
    if sampler is not None:
        sampler.sample()
    families: list[Metric] = []
    try:
        async with asyncio.timeout(2), app.state.db.engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT count(*), min(available_at) FROM outbox_message "
                        "WHERE status IN ('pending', 'processing')"
                    )
                )
            ).one()
            failed = (
                await conn.execute(
                    text("SELECT count(*) FROM outbox_message WHERE status IN ('dead', 'failed')")
                )
            ).scalar_one()
    except Exception as exc:
        log.warning("metrics: outbox backlog unavailable", extra={"error": type(exc).__name__})
        return families
    backlog = GaugeMetricFamily("phuket_outbox_backlog", "Outbox messages waiting or being delivered.")
    backlog.add_metric([], float(row[0]))
    dead = GaugeMetricFamily("phuket_outbox_failed", "Outbox messages dead-lettered after their retries.")
    dead.add_metric([], float(failed))
    oldest = GaugeMetricFamily(
        "phuket_outbox_oldest_pending_seconds", "How long the oldest waiting message has been due (0: none)."
    )
    oldest.add_metric([], _age_seconds(row[1]))
    families.extend([backlog, dead, oldest])
    return families


def _age_seconds(value: Any) -> float:
    if value is None:
        return 0.0
    from datetime import UTC, datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return max(0.0, float((datetime.now(UTC) - value).total_seconds()))
