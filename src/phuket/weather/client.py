"""OpenWeatherMap client (https://openweathermap.org/current, https://openweathermap.org/forecast5).

`GET {base}/data/2.5/weather?lat=..&lon=..&units=metric&appid=KEY` and `GET {base}/data/2.5/forecast?...`
(3-hourly steps for 5 days). The answers are reduced here to the few fields the app shows, so the rest
of the feature never sees the provider's shapes. OpenWeatherMap takes its key only as the `appid` query
parameter, so httpx's request log line (which prints the URL) is kept below INFO.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from phuket.core.breaker import ProviderError, get_breaker, retry_idempotent

PROVIDER = "openweather"
SOURCE = "openweathermap"
PHUKET_LAT, PHUKET_LON = 7.88, 98.39


@dataclass(frozen=True)
class Observation:
    """One moment: now, or a 3-hour forecast step."""

    time: datetime
    temperature_c: float
    feels_like_c: float | None
    humidity_pct: int | None
    wind_speed_ms: float
    wind_gust_ms: float | None
    condition_id: int  # OpenWeatherMap's condition code: 2xx thunderstorm, 5xx rain, 800 clear, …
    condition: str  # "Rain", "Clear", …
    precipitation_chance: float | None  # 0..1, forecast only
    rain_mm: float

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "time": self.time.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Observation:
        return cls(**{**data, "time": datetime.fromisoformat(data["time"])})


class OpenWeatherClient:
    def __init__(self, base_url: str, api_key: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.timeout = timeout

    async def current(self) -> Observation:
        body = await self._call("/data/2.5/weather")
        return _observation(body, rain_key="1h")

    async def forecast(self) -> list[Observation]:
        body = await self._call("/data/2.5/forecast")
        steps = body.get("list")
        if not isinstance(steps, list) or not steps:
            raise ProviderError("weather: forecast without a list")
        return [_observation(step, rain_key="3h") for step in steps]

    async def _call(self, path: str) -> dict[str, Any]:
        return await get_breaker(PROVIDER).call(lambda: self._get(path), timeout=self.timeout * 2 + 1)

    async def _get(self, path: str) -> dict[str, Any]:
        params: dict[str, str | float] = {
            "lat": PHUKET_LAT,
            "lon": PHUKET_LON,
            "units": "metric",
            "appid": self._api_key,
        }
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            async for attempt in retry_idempotent():
                with attempt:
                    response = await client.get(self.base_url + path, params=params)
                    response.raise_for_status()
        try:
            body = json.loads(response.text)
        except ValueError as exc:
            raise ProviderError("weather: the body is not JSON") from exc
        if not isinstance(body, dict):
            raise ProviderError("weather: unexpected body")
        return body


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProviderError(f"weather: {field} missing or not a number")
    return float(value)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _observation(data: Any, *, rain_key: str) -> Observation:
    if not isinstance(data, dict):
        raise ProviderError("weather: unexpected step")
    main = _mapping(data.get("main"))
    wind = _mapping(data.get("wind"))
    conditions = data.get("weather")
    first = conditions[0] if isinstance(conditions, list) and conditions else None
    if not isinstance(first, dict):
        raise ProviderError("weather: no condition")
    rain = _mapping(data.get("rain"))
    gust = wind.get("gust")
    feels = main.get("feels_like")
    humidity = main.get("humidity")
    pop = data.get("pop")
    return Observation(
        time=datetime.fromtimestamp(int(_number(data.get("dt"), "dt")), tz=UTC),
        temperature_c=_number(main.get("temp"), "main.temp"),
        feels_like_c=float(feels) if isinstance(feels, int | float) else None,
        humidity_pct=int(humidity) if isinstance(humidity, int | float) else None,
        wind_speed_ms=_number(wind.get("speed", 0), "wind.speed"),
        wind_gust_ms=float(gust) if isinstance(gust, int | float) else None,
        condition_id=int(_number(first.get("id"), "weather.id")),
        condition=str(first.get("main") or "Unknown")[:20],
        precipitation_chance=float(pop) if isinstance(pop, int | float) else None,
        rain_mm=float(rain.get(rain_key, 0)) if isinstance(rain.get(rain_key, 0), int | float) else 0.0,
    )
