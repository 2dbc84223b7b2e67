"""One pure-ASGI middleware for what every request needs: request id, language, security headers,
body size and content-type limits, and the access log line. Pure ASGI keeps the hot path cheap."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from phuket.core.db import _sqlite_begin
from phuket.core.errors import PayloadTooLarge, error_response, is_unavailable
from phuket.core.http import new_request_id, request_id_var
from phuket.core.i18n import current_language, negotiate

access_log = logging.getLogger("phuket.access")
error_log = logging.getLogger("phuket.errors")

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"geolocation=(self), camera=(), microphone=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
API_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
# The web client and the API docs need scripts, styles and images from our own origin.
# Stripe.js (card payments in the web client) needs its script, its iframes and its API.
PAGE_CSP = (
    b"default-src 'self'; img-src 'self' data: blob: https://*.stripe.com; style-src 'self' 'unsafe-inline'; "
    b"script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://js.stripe.com; "
    b"frame-src https://js.stripe.com https://hooks.stripe.com; connect-src 'self' https://api.stripe.com; "
    b"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
_BODY_METHODS = {"POST", "PUT", "PATCH"}
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_MULTIPART_MARKERS = ("/images", "/media")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = new_request_id(headers.get("x-request-id"))
        language = negotiate(headers.get("accept-language"))
        rid_token = request_id_var.set(request_id)
        lang_token = current_language.set(language)
        # SQLite: a request that may write begins IMMEDIATE, so it waits for the write lock (busy_timeout)
        # instead of failing when a read-then-write cannot upgrade its lock; reads stay DEFERRED.
        begin_token = _sqlite_begin.set("IMMEDIATE" if scope["method"] in _WRITE_METHODS else "DEFERRED")
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope["path"]
        method: str = scope["method"]
        started = time.perf_counter()
        status_holder: dict[str, int] = {"status": 500}
        is_api = path.startswith(("/v1", "/health", "/metrics"))

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["started"] = 1
                status_holder["status"] = message["status"]
                raw = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                raw.append((b"x-request-id", request_id.encode()))
                raw.append((b"content-language", language.encode()))
                raw.extend(SECURITY_HEADERS)
                limits = scope["state"].get("ratelimit_headers")
                if limits:
                    present = {k.lower() for k, _ in raw}
                    raw.extend(
                        (k.lower().encode(), v.encode())
                        for k, v in limits.items()
                        if k.lower().encode() not in present
                    )
                raw.append((b"content-security-policy", API_CSP if is_api else PAGE_CSP))
                message["headers"] = raw
            await send(message)

        try:
            query: bytes = scope.get("query_string", b"")
            if b"%00" in query or b"\x00" in query or "\x00" in path:
                await error_response(None, 400, "VALIDATION_ERROR")(scope, receive, send_wrapper)
                return
            if method in _BODY_METHODS:
                rejection = self._check_body(path, headers)
                if rejection is not None:
                    status, code = rejection
                    response = error_response(None, status, code)
                    await response(scope, receive, send_wrapper)
                    return
                receive = self._limited_receive(receive, self._limit_for(path))
            try:
                await self.app(scope, receive, send_wrapper)
            except Exception as exc:
                # Answer here rather than in Starlette's outermost handler, so that even a 500 carries
                # the request id and the security headers. Never the exception's text.
                if is_unavailable(exc):
                    error_log.warning(
                        "dependency unavailable", extra={"path": path, "error": type(exc).__name__}
                    )
                    response = error_response(None, 503, "SERVICE_UNAVAILABLE", headers={"Retry-After": "5"})
                else:
                    error_log.exception("unhandled error", extra={"path": path, "method": method})
                    response = error_response(None, 500, "INTERNAL_ERROR")
                if "started" not in status_holder:
                    await response(scope, receive, send_wrapper)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            access_log.info(
                "%s %s %s",
                method,
                path,
                status_holder["status"],
                extra={
                    "status": status_holder["status"],
                    "duration_ms": round(elapsed_ms, 2),
                    "method": method,
                    "path": path,
                },
            )
            request_id_var.reset(rid_token)
            current_language.reset(lang_token)
            _sqlite_begin.reset(begin_token)

    def _limit_for(self, path: str) -> int:
        return self.max_upload_bytes if any(m in path for m in _MULTIPART_MARKERS) else self.max_body_bytes

    def _check_body(self, path: str, headers: Headers) -> tuple[int, str] | None:
        length = headers.get("content-length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                return 400, "VALIDATION_ERROR"
            if size > self._limit_for(path):
                return 413, "PAYLOAD_TOO_LARGE"
            has_body = size > 0
        else:
            has_body = "chunked" in headers.get("transfer-encoding", "").lower()
        if not has_body or not path.startswith("/v1"):
            return None
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/json" or ctype.endswith("+json"):
            return None
        if ctype == "multipart/form-data" and any(m in path for m in _MULTIPART_MARKERS):
            return None
        return 415, "UNSUPPORTED_MEDIA_TYPE"

    @staticmethod
    def _limited_receive(receive: Receive, limit: int) -> Receive:
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message: dict[str, Any] = dict(await receive())
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise PayloadTooLarge()
            return message

        return wrapped
