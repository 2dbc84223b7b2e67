"""Uvicorn's httptools protocol with a limit on the size of a request's head (request line + headers),
and malformed HTTP answered in the contract's error shape.

httptools (llhttp) sets no limit of its own, and uvicorn adds none: a client could send megabytes of
headers, or a hundred thousand of them, and each would be kept in memory (found by
tests/ops/test_connection_limits.py). Here a head over `PHUKET_MAX_HEADER_BYTES` (32 KiB by default; nginx
allows 32 KiB, Node.js 16 KiB) is answered 431 `PAYLOAD_TOO_LARGE` and the connection is closed, before
the application sees anything. Two checks:

- when the head is complete, its exact size (URL, names and values) is compared with the limit;
- while it is still arriving, the bytes received inside it are counted, so that a client dribbling an
  endless head is cut off once past the limit: a chunk that starts and ends inside one head counts
  whole; a chunk in which a head completes is left to the first check.

A head must also arrive within `PHUKET_HEADER_TIMEOUT_SECONDS` (20 s) of the connection opening or of
its first byte; uvicorn has no such timeout, so a connection that sent nothing, or half a head, was kept
open for ever (slowloris: a few hundred of them exhaust the server's file descriptors). Such a
connection is closed, unless a response on it is still under way.

Uvicorn's own answer to unparsable HTTP (400 in plain text) becomes 400 `VALIDATION_ERROR` in JSON.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from phuket.core.config import get_settings
from phuket.core.errors import error_response
from phuket.core.http import new_request_id, request_id_var
from phuket.core.middleware import API_CSP, SECURITY_HEADERS


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.max_head_bytes = settings.max_header_bytes
        self.head_timeout = settings.header_timeout_seconds
        self._head_timer: asyncio.TimerHandle | None = None
        self._in_head = True  # a connection starts by waiting for a request's head
        self._heads = 0  # heads completed on this connection
        self._arrived = 0  # bytes received inside the current head (whole chunks)
        self._size = 0  # the current head's URL, header names and values
        self._too_large = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self._arm_head_timer()  # a pipelined head waits while the request before it is answered
            return
        self.logger.info("connection closed: no complete request head within %s s", self.head_timeout)
        self.transport.close()

    def on_message_begin(self) -> None:
        self._size = 0
        self._arm_head_timer()
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        self._size += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._size += len(name) + len(value) + 4  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm_head_timer()
        self._in_head = False
        self._heads += 1
        self._arrived = 0
        if self._size > self.max_head_bytes:
            self._too_large = True
            # Stops the parser; uvicorn answers through send_400_response(), which sends the 431.
            raise ValueError("request head too large")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True

    def data_received(self, data: bytes) -> None:
        started_in_head, heads = self._in_head, self._heads
        super().data_received(data)
        if not (started_in_head and self._in_head and self._heads == heads) or self.transport.is_closing():
            return
        self._arrived += len(data)
        if self._arrived > self.max_head_bytes:
            self._too_large = True
            self.send_400_response("request head too large")

    def send_400_response(self, msg: str) -> None:
        if self._too_large:
            self.logger.warning("request head over %d bytes refused with 431", self.max_head_bytes)
            self._answer(
                b"431 Request Header Fields Too Large", "PAYLOAD_TOO_LARGE", "Request headers are too large."
            )
        else:
            self.logger.warning("invalid HTTP request refused with 400")
            self._answer(b"400 Bad Request", "VALIDATION_ERROR", "The request is not valid HTTP.")

    def _answer(self, status: bytes, code: str, message: str) -> None:
        """The contract's error response (core/errors.py), written straight to the transport."""
        request_id = new_request_id(None)
        token = request_id_var.set(request_id)
        try:
            response = error_response(None, int(status[:3]), code, message)
        finally:
            request_id_var.reset(token)
        head = [b"HTTP/1.1 ", status, b"\r\n"]
        for name, value in [
            *self.server_state.default_headers,
            *response.raw_headers,
            (b"connection", b"close"),
            (b"x-request-id", request_id.encode()),
            *SECURITY_HEADERS,
            (b"content-security-policy", API_CSP),
        ]:
            head += [name, b": ", value, b"\r\n"]
        self.transport.write(b"".join([*head, b"\r\n", response.body]))
        self.transport.close()
