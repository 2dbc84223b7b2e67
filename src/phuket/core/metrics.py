"""Prometheus metrics: one registry that the request middleware, the runtime sampler and every feature feed.

Features only import and call: `metrics.BOOKINGS_CREATED.inc()`, `metrics.BOOKINGS_CANCELLED.inc()`,
`metrics.OUTBOX_DELIVERY_FAILURES.inc()`, `metrics.set_breaker_state("openweather", "open")`.

Several worker processes: when `PROMETHEUS_MULTIPROC_DIR` is set (`phuket serve --workers N` sets it),
prometheus-client keeps every process's values in memory-mapped files in that folder and a scrape of any
worker adds them up (see docs/operations.md). Gauges say how processes combine (`multiprocess_mode`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONTENT_TYPE_LATEST", "MetricsMiddleware", "render", "set_breaker_state"]

# `*_created` series double the output and no dashboard of ours reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]

# Seconds; the seed's alert threshold (1 s, §7.2) and the bench target (50 ms) fall on bucket edges.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "phuket_http_requests_total",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "phuket_http_request_duration_seconds",
    "Time from receiving the request to the end of the response, by route template and status.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
HTTP_IN_FLIGHT = Gauge(
    "phuket_http_requests_in_flight", "Requests being handled right now.", multiprocess_mode="livesum"
)
HTTP_QUEUED = Gauge(
    "phuket_http_requests_queued",
    "Requests waiting for admission (PHUKET_MAX_CONCURRENT_REQUESTS are already running).",
    multiprocess_mode="livesum",
)
ADMISSION_REJECTIONS = Counter(
    "phuket_admission_rejections_total",
    "Requests answered 503 after waiting PHUKET_ADMISSION_TIMEOUT_SECONDS for admission.",
)
DB_POOL_CHECKED_OUT = Gauge(
    "phuket_db_pool_checked_out",
    "Database connections lent out by the pool.",
    ["pool"],
    multiprocess_mode="livesum",
)
DB_POOL_CAPACITY = Gauge(
    "phuket_db_pool_capacity",
    "Connections the pool may lend out at most (pool size + max overflow).",
    ["pool"],
    multiprocess_mode="livesum",
)
DB_POOL_SIZE = Gauge("phuket_db_pool_size", "Configured pool size.", ["pool"], multiprocess_mode="livesum")
CACHE_HITS = Counter("phuket_cache_hits_total", "Application cache lookups that found a value.")
CACHE_MISSES = Counter("phuket_cache_misses_total", "Application cache lookups that found nothing.")
RATE_LIMIT_REJECTIONS = Counter(
    "phuket_rate_limit_rejections_total", "Requests refused with 429 by the rate limiter."
)
BOOKINGS_CREATED = Counter("phuket_bookings_created_total", "Bookings created.")
BOOKINGS_CANCELLED = Counter("phuket_bookings_cancelled_total", "Bookings cancelled.")
OUTBOX_DELIVERY_FAILURES = Counter(
    "phuket_outbox_delivery_failures_total", "Outbox messages whose delivery attempt failed."
)
BREAKER_STATE = Gauge(
    "phuket_circuit_breaker_state",
    "Circuit breaker per external provider: 0 closed, 1 half-open, 2 open (worst across processes).",
    ["provider"],
    multiprocess_mode="livemax",
)
EVENT_LOOP_LAG = Gauge(
    "phuket_event_loop_lag_seconds",
    "How late the event loop woke a timer on its last check (worst across processes).",
    multiprocess_mode="livemax",
)

BreakerState = Literal["closed", "half_open", "open"]
_BREAKER_VALUES: dict[str, float] = {"closed": 0, "half_open": 1, "half-open": 1, "open": 2}


def set_breaker_state(provider: str, state: str) -> None:
    """Called by a provider client whenever its circuit breaker changes state."""
    BREAKER_STATE.labels(provider=provider).set(_BREAKER_VALUES[state.lower()])


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class _Combined:
    """What one scrape shows: this process's (or every worker's) metrics plus values computed now."""

    def __init__(self, extra: Iterable[Metric]) -> None:
        self._extra = list(extra)

    def collect(self) -> Iterator[Metric]:
        directory = multiprocess_dir()
        if directory:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
            families = list(registry.collect())
        else:
            families = list(REGISTRY.collect())
        yield from families
        yield from self._extra
        hits = _sample_value(families, "phuket_cache_hits", "phuket_cache_hits_total")
        misses = _sample_value(families, "phuket_cache_misses", "phuket_cache_misses_total")
        ratio = GaugeMetricFamily(
            "phuket_cache_hit_ratio", "Cache hits / lookups since the processes started (0 before any)."
        )
        ratio.add_metric([], hits / (hits + misses) if hits + misses else 0.0)
        yield ratio


def _sample_value(families: list[Metric], family: str, sample: str) -> float:
    for metric in families:
        if metric.name == family:
            return sum(s.value for s in metric.samples if s.name == sample)
    return 0.0


def render(extra: Iterable[Metric] = ()) -> bytes:
    """The Prometheus text exposition of everything, with `extra` families computed at scrape time."""
    return generate_latest(_Combined(extra))


class _Children:
    """Label children cached per (method, route, status): the hot path does two dict lookups."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def get(self, method: str, route: str, status: str) -> tuple[Any, Any]:
        key = (method, route, status)
        pair = self._cache.get(key)
        if pair is None:
            pair = (HTTP_REQUESTS.labels(*key), HTTP_LATENCY.labels(*key))
            self._cache[key] = pair
        return pair


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    if route is None:
        return "unmatched"
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template) if template else "/"


class MetricsMiddleware:
    """Pure ASGI: counts and times every HTTP request by its route *template* (`/v1/vehicles/{item_id}`),
    never the raw path, so ids cannot blow up the number of series. Unmatched paths count as `unmatched`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._children = _Children()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        HTTP_IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            HTTP_IN_FLIGHT.dec()
            template = route_template(scope)
            counter, histogram = self._children.get(scope["method"], template, str(status))
            counter.inc()
            histogram.observe(time.perf_counter() - started)
