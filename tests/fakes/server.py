"""A local fake of an external provider: a real HTTP server on 127.0.0.1 (a free port, its own thread).

    with FakeProvider() as fake:
        fake.on("GET", "/v6/latest/THB", json={"result": "success", ...})
        fake.on("GET", "/v6/latest/THB", status=500)            # replace the answer
        fake.on("GET", "/data/2.5/weather", body=b"<html>", delay=2.0)
        settings = make_settings(db_url, currency_base_url=fake.url, ...)
        ...
        assert fake.calls("/v6/latest/THB") == 3
        fake.requests[-1].headers["authorization"]

Routes match on method and path (the query string is ignored but recorded). An unknown route is 404.
A `delay` sleeps in the server's thread before answering, which is how a timeout is made. Handlers may
also be callables `(FakeRequest) -> (status, headers, body)` for answers that depend on the request.
"""

from __future__ import annotations

import json as jsonlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return jsonlib.loads(self.body)


Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Route:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    handler: Callable[[FakeRequest], Answer] | None = None


class FakeProvider:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.requests: list[FakeRequest] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def on(
        self,
        method: str,
        path: str,
        *,
        status: int = 200,
        json: Any = None,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        handler: Callable[[FakeRequest], Answer] | None = None,
    ) -> None:
        content_type = {"Content-Type": "application/json"} if json is not None else {}
        if json is not None:
            payload = jsonlib.dumps(json).encode()
        elif isinstance(body, str):
            payload = body.encode()
        else:
            payload = body or b""
        with self._lock:
            self.routes[(method.upper(), path)] = Route(
                status, {**content_type, **(headers or {})}, payload, delay, handler
            )

    def calls(self, path: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests if path is None or r.path == path)

    def __enter__(self) -> FakeProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                return

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = FakeRequest(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                with fake._lock:
                    fake.requests.append(request)
                    route = fake.routes.get((self.command, parts.path))
                if route is None:
                    status, headers, payload = 404, {"Content-Type": "application/json"}, b'{"error":"nf"}'
                else:
                    if route.delay:
                        time.sleep(route.delay)
                    if route.handler is not None:
                        status, headers, payload = route.handler(request)
                    else:
                        status, headers, payload = route.status, route.headers, route.body
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    pass

            do_GET = _serve
            do_POST = _serve
            do_PUT = _serve
            do_DELETE = _serve
            do_PATCH = _serve

        return Handler
