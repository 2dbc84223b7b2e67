"""OpenTelemetry tracing, on only when an OTLP endpoint is configured.

`OTEL_EXPORTER_OTLP_ENDPOINT` (the standard variable; `/v1/traces` is appended, as the OTLP spec says) or
`PHUKET_OTLP_ENDPOINT` (same meaning). When neither is set nothing of OpenTelemetry is even imported.
Spans: one per HTTP request (FastAPI), one per SQL statement (SQLAlchemy), one per outgoing provider
call (httpx), exported in batches over OTLP/HTTP. Log lines carry `trace_id` and `span_id`
(core/logging.py) while a span is active. The standard `OTEL_*` variables (service name, sampler,
headers) apply.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from phuket.core.config import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger("phuket.tracing")
_enabled = False
# Health checks and scrapes would be most of the spans and tell nothing.
EXCLUDED_URLS = "/health/live,/health/ready,/metrics"


def otlp_endpoint() -> str | None:
    base = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("PHUKET_OTLP_ENDPOINT")
    return base.strip() or None if base else None


def traces_url(base: str) -> str:
    explicit = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    if explicit:
        return explicit
    return base if base.rstrip("/").endswith("/v1/traces") else base.rstrip("/") + "/v1/traces"


def install(app: FastAPI, settings: Settings, *, exporter: Any = None) -> bool:
    """Instrument `app` when an endpoint is configured (or an exporter is given, for tests)."""
    global _enabled
    endpoint = otlp_endpoint()
    if endpoint is None and exporter is None:
        return False
    from opentelemetry import trace
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        assert endpoint is not None
        exporter = OTLPSpanExporter(endpoint=traces_url(endpoint))
    resource = Resource.create(
        {
            "service.name": os.environ.get("OTEL_SERVICE_NAME", "phuket-api"),
            "deployment.environment": settings.env,
        }
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    if not _enabled:
        # The global provider can be set once per process; later apps (tests) pass theirs explicitly.
        trace.set_tracer_provider(provider)
        HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls=EXCLUDED_URLS, exclude_spans=["receive", "send"]
    )
    app.state.tracer_provider = provider
    _enabled = True
    log.info("tracing on", extra={"otlp_endpoint": endpoint or "in-process exporter"})
    return True


def instrument_database(app: FastAPI) -> None:
    """SQL spans; called from the lifespan, once the engines exist."""
    provider = getattr(app.state, "tracer_provider", None)
    if provider is None:
        return
    # Per engine (not the instrumentor's global create_engine patch): each app has its own engines.
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpMeter

    tracer = provider.get_tracer("phuket.sqlalchemy")
    usage = NoOpMeter("phuket.sqlalchemy").create_up_down_counter("db.client.connections.usage")
    db = app.state.db
    engines = [db.engine] if db.read_engine is db.engine else [db.engine, db.read_engine]
    for engine in engines:
        EngineTracer(tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]


def shutdown(app: FastAPI) -> None:
    """Flush what is buffered (graceful shutdown) and stop the exporter."""
    provider = getattr(app.state, "tracer_provider", None)
    if provider is not None:
        provider.shutdown()


def current_ids() -> tuple[str, str] | None:
    """(trace_id, span_id) of the active span as hex, or None; free when tracing is off."""
    if not _enabled:
        return None
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")
