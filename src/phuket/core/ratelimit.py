"""Rate limits of seed §5.3 with the `limits` library (Redis storage when configured, memory otherwise).

What the seed's actions mean here (see docs/api-notes.md):
- Block: fixed window; over the limit the caller is refused (429) until the window ends.
- Throttle: moving window; a 429 says in `Retry-After` when the next request will pass, so a client
  that honours it is slowed down to the allowed rate instead of being locked out.
- Queue: moving window; an extra request waits (up to `QUEUE_MAX_WAIT` seconds) for a free slot and is
  then served; only if the wait would be longer is it refused.
Keyed by user id when the request carries a valid access token, by client IP otherwise.
If the limiter's storage fails, requests are let through (fail open) and a warning is logged.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Request
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter, RateLimiter

from phuket.core.config import Settings
from phuket.core.errors import RateLimited
from phuket.core.security import TokenError, decode_token

log = logging.getLogger("phuket.ratelimit")

Action = Literal["block", "throttle", "queue"]
QUEUE_MAX_WAIT = 5.0


@dataclass(frozen=True)
class Policy:
    name: str
    limit: int
    action: Action

    @property
    def item(self) -> RateLimitItem:
        return RateLimitItemPerMinute(self.limit, namespace=self.name)


POLICIES: dict[str, Policy] = {
    p.name: p
    for p in (
        Policy("auth", 5, "block"),
        Policy("ai", 10, "queue"),
        Policy("search", 30, "throttle"),
        Policy("catalog_list", 60, "throttle"),
        Policy("catalog_detail", 120, "throttle"),
        Policy("user", 30, "block"),
    )
}


class Limiter:
    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limit_enabled
        self.settings = settings
        storage: Storage
        if settings.redis_url:
            uri = settings.redis_url
            uri = "async+" + uri if not uri.startswith("async+") else uri
            storage = RedisStorage(
                uri,
                implementation="redispy",
                key_prefix=settings.redis_prefix + "limits",
                wrap_exceptions=True,
                socket_timeout=1.0,
                socket_connect_timeout=1.0,
            )
        else:
            storage = MemoryStorage()
        self.storage = storage
        self.fixed: RateLimiter = FixedWindowRateLimiter(storage)
        self.moving: RateLimiter = MovingWindowRateLimiter(storage)
        self._proxies = [ipaddress.ip_network(p, strict=False) for p in settings.trusted_proxies]
        self.rejections = 0

    def client_ip(self, request: Request) -> str:
        peer = request.client.host if request.client else "unknown"
        if not self._proxies or not self._is_trusted(peer):
            return peer
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        # Walk from the nearest hop back; the first address that is not our proxy is the client.
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                return hop
        return hops[0] if hops else peer

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self._proxies)

    def identity(self, request: Request) -> str:
        auth = request.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            try:
                claims = decode_token(self.settings, auth[7:].strip(), "access")
                return "user:" + claims.sub
            except TokenError:
                pass
        return "ip:" + self.client_ip(request)

    async def check(self, request: Request, policy: Policy) -> None:
        if not self.enabled:
            return
        who = self.identity(request)
        limiter = self.fixed if policy.action == "block" else self.moving
        try:
            allowed = await limiter.hit(policy.item, who)
            if not allowed and policy.action == "queue":
                allowed = await self._wait_for_slot(limiter, policy, who)
            stats = await limiter.get_window_stats(policy.item, who)
        except Exception as exc:  # storage down: fail open, never fail the request
            log.warning("rate limiter unavailable; request let through", extra={"error": type(exc).__name__})
            return
        reset_in = max(1, math.ceil(stats.reset_time - time.time()))
        headers = {
            "RateLimit-Limit": str(policy.limit),
            "RateLimit-Remaining": str(max(0, stats.remaining)),
            "RateLimit-Reset": str(reset_in),
            "RateLimit-Policy": f'{policy.limit};w=60;comment="{policy.action}"',
        }
        if not allowed:
            self.rejections += 1
            raise RateLimited(headers={**headers, "Retry-After": str(reset_in)})
        # Added to whatever response this request ends with, errors included (see the middleware).
        request.state.ratelimit_headers = headers

    async def _wait_for_slot(self, limiter: RateLimiter, policy: Policy, who: str) -> bool:
        deadline = time.monotonic() + QUEUE_MAX_WAIT
        while True:
            stats = await limiter.get_window_stats(policy.item, who)
            wait = stats.reset_time - time.time()
            if time.monotonic() + max(wait, 0) > deadline:
                return False
            await asyncio.sleep(max(wait, 0.05))
            if await limiter.hit(policy.item, who):
                return True

    async def reset(self) -> None:
        await self.storage.reset()


def rate_limit(name: str) -> Callable[[Request], Awaitable[None]]:
    """Route dependency: `dependencies=[Depends(rate_limit("auth"))]`."""
    policy = POLICIES[name]

    async def dependency(request: Request) -> None:
        limiter: Limiter = request.app.state.limiter
        await limiter.check(request, policy)

    dependency.__name__ = f"rate_limit_{name}"
    dependency.rate_limit_policy = policy  # type: ignore[attr-defined]  # read by policy_of()
    return dependency


def policy_of(route: Any) -> Policy | None:
    """The rate-limit policy a route declares in its `dependencies`, for code that answers in its place
    (catalog/fastpath.py)."""
    for depends in getattr(route, "dependencies", None) or ():
        policy = getattr(getattr(depends, "dependency", None), "rate_limit_policy", None)
        if isinstance(policy, Policy):
            return policy
    return None
