"""Liveness (the process answers) and readiness (it can reach its database and Redis)."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from sqlalchemy import text

from phuket.core.http import envelope, json_response
from phuket.core.schemas import ApiModel, Envelope

router = APIRouter(tags=["health"])
log = logging.getLogger("phuket.health")


class Liveness(ApiModel):
    status: str


class Readiness(ApiModel):
    status: str
    checks: dict[str, str]


@router.get("/health/live", response_model=Envelope[Liveness], summary="The process is up")
async def live() -> dict[str, object]:
    return envelope({"status": "ok"})


@router.get(
    "/health/ready",
    response_model=Envelope[Readiness],
    responses={503: {"model": Envelope[Readiness], "description": "A dependency is down"}},
    summary="The database (and Redis, when configured) answer",
)
async def ready(request: Request) -> object:
    checks: dict[str, str] = {}
    db = request.app.state.db
    try:
        async with asyncio.timeout(2):
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("readiness: database unreachable", extra={"error": type(exc).__name__})
        checks["database"] = "unavailable"
    redis = request.app.state.redis
    if redis is not None:
        try:
            async with asyncio.timeout(1):
                await redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            log.warning("readiness: redis unreachable", extra={"error": type(exc).__name__})
            checks["redis"] = "unavailable"
    # Redis is a cache and a limiter store with fallbacks: only the database decides readiness.
    healthy = checks["database"] == "ok"
    body = envelope({"status": "ok" if healthy else "unavailable", "checks": checks})
    return body if healthy else json_response(body, status_code=503)
