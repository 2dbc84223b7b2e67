"""create_app(): lifespan, middleware, exception handlers, routers — nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from phuket import __version__
from phuket.auth.blacklist import Blacklist
from phuket.catalog.fastpath import CatalogFastPath
from phuket.core.admission import AdmissionMiddleware
from phuket.core.cache import MemoryCache, RedisCache, make_redis
from phuket.core.config import Settings, get_settings
from phuket.core.db import Database
from phuket.core.errors import install_exception_handlers
from phuket.core.http import ORJSONResponse
from phuket.core.logging import configure_logging
from phuket.core.middleware import RequestContextMiddleware
from phuket.core.ratelimit import Limiter
from phuket.core.sentry import init_sentry
from phuket.notifications.runner import start_inprocess_worker
from phuket.ops.runtime import instrument, start_runtime
from phuket.routers import ROUTERS
from phuket.webapp.router import install_webapp


def create_app(settings: Settings | None = None, *, configure_logs: bool = True) -> FastAPI:
    settings = settings or get_settings()
    if configure_logs:
        configure_logging(settings.log_level, settings.log_json)
    init_sentry(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = make_redis(settings.redis_url) if settings.redis_url else None
        app.state.settings = settings
        app.state.db = Database(settings)
        app.state.redis = redis
        app.state.cache = RedisCache(redis, settings.redis_prefix) if redis is not None else MemoryCache()
        app.state.limiter = Limiter(settings)
        app.state.blacklist = Blacklist(redis, settings.redis_prefix)
        runtime = await start_runtime(app)
        worker = start_inprocess_worker(app.state)  # development: `make run` delivers the outbox
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            await runtime.stop()
            await app.state.db.dispose()
            if redis is not None:
                await redis.aclose()

    app = FastAPI(
        title="Phuket API",
        version=__version__,
        description=(
            "REST API of the Phuket travel app: accounts, transport, accommodation and tours, "
            "bookings, payments and travel tools. Conventions: ../docs/api-notes.md."
        ),
        lifespan=lifespan,
        default_response_class=ORJSONResponse,
    )
    install_exception_handlers(app)
    if settings.max_concurrent_requests:
        app.add_middleware(
            AdmissionMiddleware,
            limit=settings.max_concurrent_requests,
            timeout=settings.admission_timeout_seconds,
            body_timeout=settings.body_timeout_seconds,
        )
    app.add_middleware(CatalogFastPath)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Accept-Language",
                "X-Request-ID",
                "Idempotency-Key",
                "If-None-Match",
            ],
            expose_headers=[
                "X-Request-ID",
                "X-Total-Count",
                "X-Page",
                "X-Per-Page",
                "X-Total-Pages",
                "Link",
                "ETag",
                "Retry-After",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
            ],
            max_age=600,
        )
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    instrument(app, settings)  # metrics (outside the request context) and, when configured, tracing
    for router in ROUTERS:
        app.include_router(router)
    # Last, so that every API route is matched before the web client's SPA fallback.
    install_webapp(app, settings.web_dist_dir)
    return app
