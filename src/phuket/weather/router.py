from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from phuket.core.errors import error_responses
from phuket.core.http import envelope
from phuket.core.i18n import pick
from phuket.core.ratelimit import rate_limit
from phuket.core.schemas import Envelope
from phuket.weather import service
from phuket.weather.schemas import WeatherReport

router = APIRouter(prefix="/v1/weather", tags=["weather"], dependencies=[Depends(rate_limit("catalog_list"))])


@router.get(
    "",
    response_model=Envelope[WeatherReport],
    responses=error_responses(),
    summary="Weather in Phuket now, a 5-day forecast and today's sea risk, with source and age",
)
async def get_weather(request: Request) -> dict[str, object]:
    body = service.report(await service.get_conditions(request))
    body["climate"]["summary"] = pick(body["climate"]["summary"])
    return envelope(body)
