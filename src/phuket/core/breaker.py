"""One circuit breaker per external provider (seed §10.2), shared by every feature that calls out.

    breaker = get_breaker("stripe")
    result = await breaker.call(lambda: client.post(...), timeout=10)

- closed → open after 5 failures in a row (any exception from the call, the per-call timeout included);
- open for 30 s: calls fail at once with `BreakerOpen` and the caller serves its fallback (seed §10.1);
- then half-open: at most 3 trial calls are let through at a time; the first that succeeds closes the
  breaker, one that fails opens it again for another 30 s.

The state machine is the `purgatory` library's (in-memory: one breaker per provider per process; a
provider that is down is detected by each process within 5 calls, which costs less than a shared store
that is itself a dependency). Purgatory lets every call through while half-open, so the cap of 3 trial
calls is the one thing added here. State changes are logged, and `breaker_states()` exposes them for the
metrics endpoint.

Retries: only idempotent reads may be retried (`retry_idempotent`), and the retries happen inside one
breaker call, so a flaky provider costs one failure, not three.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

import httpx
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import Context, OpenedState
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from phuket.core import metrics

log = logging.getLogger("phuket.breaker")

T = TypeVar("T")
BreakerState = Literal["closed", "open", "half_open"]

FAILURE_THRESHOLD = 5
OPEN_SECONDS = 30.0
HALF_OPEN_PROBES = 3
# Every provider the app calls, so the metrics list them before their first call.
PROVIDERS = ("openai", "openweather", "currency", "stripe", "fcm", "sendgrid")


class ProviderError(Exception):
    """The provider answered, but not with what its API documents (bad status, garbage, missing data)."""


class BreakerOpen(Exception):
    """The provider's breaker is open (or its half-open probes are all taken): use the fallback."""

    def __init__(self, provider: str) -> None:
        super().__init__(f"circuit breaker for {provider} is open")
        self.provider = provider


class ProviderBreaker:
    def __init__(self, name: str, registry: BreakerRegistry) -> None:
        self.name = name
        self._registry = registry
        self._context: Context | None = None
        self._probes = 0

    @property
    def state(self) -> BreakerState:
        ctx = self._context
        if ctx is None or ctx.state == "closed":
            return "closed"
        if ctx.state == "half-opened":
            return "half_open"
        # Purgatory moves to half-open lazily, on the next call; report what that call would find.
        opened_at = ctx.opened_at or 0.0
        return "half_open" if time.time() > opened_at + ctx.ttl else "open"

    async def call(self, fn: Callable[[], Awaitable[T]], *, timeout: float | None = None) -> T:  # noqa: ASYNC109 (the per-call budget)
        """Run `fn()` under the breaker, within `timeout` seconds. Raises `BreakerOpen` when open."""
        breaker = await self._registry.factory.get_breaker(self.name)
        self._context = breaker.context
        probing = self.state == "half_open"
        if probing:
            if self._probes >= self._registry.half_open_probes:
                raise BreakerOpen(self.name)
            self._probes += 1
        try:
            async with breaker:
                async with asyncio.timeout(timeout):
                    return await fn()
        except OpenedState as exc:
            raise BreakerOpen(self.name) from exc
        finally:
            if probing:
                self._probes -= 1


class BreakerRegistry:
    def __init__(
        self,
        threshold: int = FAILURE_THRESHOLD,
        open_seconds: float = OPEN_SECONDS,
        half_open_probes: int = HALF_OPEN_PROBES,
    ) -> None:
        self.half_open_probes = half_open_probes
        self.factory = AsyncCircuitBreakerFactory(default_threshold=threshold, default_ttl=open_seconds)
        self.factory.add_listener(_log_event)
        self.breakers: dict[str, ProviderBreaker] = {}
        for name in PROVIDERS:
            self.get(name)
            metrics.set_breaker_state(name, "closed")

    def get(self, name: str) -> ProviderBreaker:
        breaker = self.breakers.get(name)
        if breaker is None:
            breaker = self.breakers[name] = ProviderBreaker(name, self)
        return breaker


def _log_event(name: str, kind: str, event: Any) -> None:
    if kind == "state_changed":
        state = {"opened": "open", "half-opened": "half_open"}.get(event.state, event.state)
        level = logging.WARNING if state == "open" else logging.INFO
        log.log(level, "circuit breaker %s is now %s", name, state, extra={"provider": name, "state": state})
        metrics.set_breaker_state(name, state)


_registry = BreakerRegistry()


def get_breaker(provider: str) -> ProviderBreaker:
    """The process-wide breaker of one provider: "openai", "openweather", "currency", "stripe", …"""
    return _registry.get(provider)


def breaker_states() -> dict[str, str]:
    """{provider: "closed" | "open" | "half_open"} for every provider (read by the metrics module)."""
    return {name: breaker.state for name, breaker in sorted(_registry.breakers.items())}


def reset_breakers(*, open_seconds: float = OPEN_SECONDS) -> None:
    """Forget every breaker's state (tests; an operator's restart does the same)."""
    global _registry
    _registry = BreakerRegistry(open_seconds=open_seconds)


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code >= 500 or exc.response.status_code == 429
    return isinstance(exc, httpx.TransportError)


def retry_idempotent(attempts: int = 2) -> AsyncRetrying:
    """Tenacity policy for idempotent GETs only: network errors, 5xx and 429 are tried again, briefly."""
    return AsyncRetrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=0.2, max=1.0),
        retry=retry_if_exception(_retryable),
        reraise=True,
    )
