"""Admission control: at most N requests of a worker run at once; the rest wait their turn, first come
first served, and a request that waited too long is answered 503 + `Retry-After`.

Why (docs/benchmarks.md, "Soak"): with hundreds of requests on one event loop, every `await` of a
request takes a full turn of all the others, so a transaction holds its pooled database connection for
seconds, the pool runs dry, and the unlucky requests wait 30 s for a connection while others pass them.
Admitting a bounded number keeps each turn of the loop short, connections are held for milliseconds, and
the wait moves to an orderly queue in front of the application, where it costs nothing but a future.

Health and metrics endpoints bypass the gate: an overloaded worker must still answer its probes and be
observed. Pure ASGI, placed inside the request-context middleware, so a refusal carries the request id,
the security headers and an access-log line, and the logged duration includes the wait.
"""

from __future__ import annotations

import asyncio
from collections import deque

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from phuket.core import metrics
from phuket.core.errors import error_response

_BYPASS = ("/health", "/metrics")
# nginx's convention: the client closed the connection before the answer. Logged and counted, never sent.
CLIENT_CLOSED_REQUEST = 499


class AdmissionGate:
    """A first-in-first-out counting gate. A released slot passes straight to the oldest live waiter, so
    a newcomer never overtakes the queue (asyncio.Semaphore lets a newcomer take a freed slot first)."""

    def __init__(self, limit: int, timeout: float) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.timeout = timeout
        self._free = limit
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def running(self) -> int:
        return self.limit - self._free

    @property
    def queued(self) -> int:
        return sum(1 for waiter in self._waiters if not waiter.done())

    def try_acquire(self) -> bool:
        """Take a slot without waiting, when one is free and nobody is queued before us."""
        if self._free and not self._waiters:
            self._free -= 1
            return True
        return False

    async def acquire(self) -> bool:
        """True once the caller holds a slot (it must `release()` it); False when it waited `timeout`."""
        if self.try_acquire():
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(self.timeout):
                await waiter
        except TimeoutError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a slot just as the time ran out: pass it on
            return False
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()
            raise
        return True

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # skip those who gave up (their future is cancelled)
                waiter.set_result(None)
                return
        self._free += 1


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, *, limit: int, timeout: float) -> None:
        self.app = app
        self.gate = AdmissionGate(limit, timeout)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_BYPASS):
            await self.app(scope, receive, send)
            return
        if not self.gate.try_acquire():
            await self._queue(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.gate.release()

    async def _queue(self, scope: Scope, receive: Receive, send: Send) -> None:
        metrics.HTTP_QUEUED.inc()
        try:
            admitted = await self.gate.acquire()
        finally:
            metrics.HTTP_QUEUED.dec()
        if not admitted:
            metrics.ADMISSION_REJECTIONS.inc()
            retry = str(max(1, round(self.gate.timeout)))
            await error_response(None, 503, "SERVICE_UNAVAILABLE", headers={"Retry-After": retry})(
                scope, receive, send
            )
            return
        try:
            # A client that gave up while queued (a timeout, a closed app) is not worth the work: the
            # first message tells (the body, or a disconnect); it is replayed to the application.
            try:
                first: Message | BaseException = await receive()
            except Exception as exc:  # e.g. the body is over the limit: the application answers that
                first = exc
            if not isinstance(first, BaseException) and first["type"] == "http.disconnect":
                await Response(status_code=CLIENT_CLOSED_REQUEST)(scope, receive, send)  # for logs, metrics
                return
            await self.app(scope, _replay(first, receive), send)
        finally:
            self.gate.release()


def _replay(first: Message | BaseException, receive: Receive) -> Receive:
    pending: list[Message | BaseException] = [first]

    async def wrapped() -> Message:
        if not pending:
            return await receive()
        message = pending.pop()
        if isinstance(message, BaseException):
            raise message
        return message

    return wrapped
