"""Tracing: with an OTLP endpoint configured, requests produce spans (HTTP + SQL) that reach the collector,
and log lines carry the trace id; without one, nothing of OpenTelemetry is loaded."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from phuket.core import tracing
from phuket.core.logging import JsonFormatter
from phuket.main import create_app
from tests.conftest import make_settings, register


class FakeCollector:
    """An OTLP/HTTP trace receiver on 127.0.0.1 that keeps what it is sent (protobuf, as the spec says)."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self.paths: list[str] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                collector.requests.append(body)
                collector.paths.append(self.path)
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def spans(self) -> list[Any]:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

        found = []
        for raw in self.requests:
            message = ExportTraceServiceRequest()
            message.ParseFromString(raw)
            for resource_spans in message.resource_spans:
                for scope_spans in resource_spans.scope_spans:
                    found.extend(scope_spans.spans)
        return found


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCollector]:
    fake = FakeCollector()
    fake.thread.start()
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    monkeypatch.setenv("PHUKET_OTLP_ENDPOINT", fake.url)
    # Restored after the test: our flag and OpenTelemetry's process-wide provider (FastAPI's own
    # telemetry switches on whenever a global provider is set; later tests must not see this one).
    from opentelemetry import trace
    from opentelemetry.util._once import Once

    monkeypatch.setattr(tracing, "_enabled", tracing._enabled)
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", trace._TRACER_PROVIDER)
    monkeypatch.setattr(trace, "_TRACER_PROVIDER_SET_ONCE", Once())
    try:
        yield fake
    finally:
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        HTTPXClientInstrumentor().uninstrument()
        fake.server.shutdown()
        fake.server.server_close()


class Lines(logging.Handler):
    """Formats each record when it is emitted, i.e. inside the request and its span, as production does."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


async def test_a_request_is_traced_to_the_collector_and_its_log_lines_carry_the_trace_id(
    collector: FakeCollector, database_url: str
) -> None:
    import orjson

    lines = Lines()
    access = logging.getLogger("phuket.access")
    access.addHandler(lines)
    previous_level = access.level
    access.setLevel(logging.INFO)
    try:
        app = create_app(make_settings(database_url), configure_logs=False)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                account = await register(client)
                me = await client.get("/v1/users/me", headers=account.headers)
                assert me.status_code == 200
        # Leaving the lifespan flushed the batch to the collector (what a graceful shutdown does too).
    finally:
        access.removeHandler(lines)
        access.setLevel(previous_level)

    assert collector.paths and set(collector.paths) == {"/v1/traces"}
    spans = collector.spans()
    names = [span.name for span in spans]
    assert "GET /v1/users/me" in names, names
    assert "POST /v1/auth/register" in names, names
    server_span = next(span for span in spans if span.name == "GET /v1/users/me")
    trace_id = server_span.trace_id.hex()
    sql_spans = [span for span in spans if span.trace_id.hex() == trace_id and span.name != server_span.name]
    assert any(span.name.split(" ")[0] in {"SELECT", "connect"} for span in sql_spans), names

    logged = [orjson.loads(line) for line in lines.lines]
    me_line = next(entry for entry in logged if entry.get("path") == "/v1/users/me")
    assert me_line["trace_id"] == trace_id
    assert len(me_line["span_id"]) == 16
    assert me_line["requestId"] == me.headers["x-request-id"]


def test_without_an_endpoint_no_tracing_machinery_is_loaded() -> None:
    # FastAPI and redis-py import parts of OpenTelemetry themselves when it is installed (their own
    # telemetry hooks); what tracing adds, the trace SDK, the instrumentations and the exporter, stays out.
    code = (
        "import sys\n"
        "from phuket.core.config import Settings\n"
        "from phuket.main import create_app\n"
        "create_app(Settings(env='test'), configure_logs=False)\n"
        "from phuket.core.logging import JsonFormatter\n"
        "import logging\n"
        "JsonFormatter().format(logging.LogRecord('x', 20, 'f', 1, 'm', None, None))\n"
        "heavy = ('opentelemetry.sdk.trace', 'opentelemetry.instrumentation', 'opentelemetry.exporter')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("OTEL_", "PHUKET_OTLP"))}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, timeout=60
    )
    assert out.stdout.strip() == "[]", out.stdout
