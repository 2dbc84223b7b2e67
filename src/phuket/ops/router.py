"""`/metrics` (Prometheus text format), outside /v1 and outside the API document."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from phuket.core import metrics
from phuket.ops.runtime import scrape_time_metrics

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(request: Request) -> Response:
    extra = await scrape_time_metrics(request.app)
    return Response(metrics.render(extra), media_type=metrics.CONTENT_TYPE_LATEST)
