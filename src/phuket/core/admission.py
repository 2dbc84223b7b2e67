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
from phuket.core.i18n import translate

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
    """Requests with a body are admitted once the body has fully arrived (within `body_timeout`, else
    408): a client that sends its body slowly holds a connection, never one of the slots."""

    def __init__(self, app: ASGIApp, *, limit: int, timeout: float, body_timeout: float = 60.0) -> None:
        self.app = app
        self.gate = AdmissionGate(limit, timeout)
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_BYPASS):
            await self.app(scope, receive, send)
            return
        if _has_body(scope):
            try:
                received = await self._read_body(receive)
            except TimeoutError:
                await error_response(None, 408, "VALIDATION_ERROR", translate("body.timeout"))(
                    scope, receive, send
                )
                return
            if received and isinstance(received[0], dict) and received[0]["type"] == "http.disconnect":
                await Response(status_code=CLIENT_CLOSED_REQUEST)(scope, receive, send)
                return
            receive = _replay(received, receive)
        if self.gate.try_acquire():
            try:
                await self.app(scope, receive, send)
            finally:
                self.gate.release()
            return
        await self._queue(scope, receive, send)

    async def _read_body(self, receive: Receive) -> list[Message | BaseException]:
        received: list[Message | BaseException] = []
        async with asyncio.timeout(self.body_timeout):
            while True:
                try:
                    message = await receive()
                except Exception as exc:  # e.g. over the size limit: the application answers that
                    received.append(exc)
                    return received
                received.append(message)
                if message["type"] != "http.request" or not message.get("more_body", False):
                    return received

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
            # A client that gave up while queued (a timeout, a closed app) is not worth the work.
            gone, receive = await _left(receive)
            if gone:
                await Response(status_code=CLIENT_CLOSED_REQUEST)(scope, receive, send)  # for logs, metrics
                return
            await self.app(scope, receive, send)
        finally:
            self.gate.release()


def _has_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return bool(value != b"0")
        if name == b"transfer-encoding":
            return True
    return False


async def _left(receive: Receive) -> tuple[bool, Receive]:
    """Whether the client has disconnected, without waiting: a receive() that answers at once is either
    the disconnect or a message the application still needs (then replayed); one that would wait is
    cancelled (the server's receive is cancel-safe)."""
    probe = asyncio.ensure_future(receive())
    await asyncio.sleep(0)
    if not probe.done():
        probe.cancel()
        return False, receive
    try:
        message = probe.result()
    except Exception as exc:
        return False, _replay([exc], receive)
    if message["type"] == "http.disconnect":
        return True, receive
    return False, _replay([message], receive)


def _replay(messages: list[Message | BaseException], receive: Receive) -> Receive:
    pending = list(reversed(messages))

    async def wrapped() -> Message:
        if not pending:
            return await receive()
        message = pending.pop()
        if isinstance(message, BaseException):
            raise message
        return message

    return wrapped
