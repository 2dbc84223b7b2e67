"""Weather for Phuket: OpenWeatherMap → the last stored snapshot → monthly climate normals.

`source` of a report:
- "openweathermap": fetched within the last 30 minutes (cache `weather`, seed §2.2.3);
- "cache": the provider is unreachable or has no key; the last snapshot (at most 3 days old) is served,
  `updatedAt` saying when it was fetched, forecast days already past dropped;
- "climate-normals": nothing usable stored: Phuket's long-term monthly averages, no current conditions.

Sea risk (for boat tours): per day and for today, "low" | "moderate" | "high", with reasons —
thunderstorms or wind ≥ 10.8 m/s (Beaufort 6) or gusts ≥ 13.9 m/s → high; wind ≥ 8 m/s, gusts ≥ 10.8 m/s
or ≥ 10 mm of rain → moderate; in a monsoon month (May–October) never below moderate. Without a forecast
for the day, the month's climate risk applies. OpenWeatherMap's free API has no wave height: wind is
the proxy, as the marine police's small-craft warnings are.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any, Literal
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import select

from phuket.core.config import PHUKET_TZ, Settings
from phuket.core.db import utcnow
from phuket.weather.client import SOURCE, Observation, OpenWeatherClient
from phuket.weather.models import WeatherSnapshot

log = logging.getLogger("phuket.weather")

CACHE_KEY = "weather"
FRESH_FOR = timedelta(minutes=30)
FALLBACK_CACHE_SECONDS = 300
MAX_SNAPSHOT_AGE = timedelta(days=3)
PLACE = "phuket"
TZ = ZoneInfo(PHUKET_TZ)
Level = Literal["low", "moderate", "high"]
_ORDER: dict[str, int] = {"low": 0, "moderate": 1, "high": 2}


@dataclass(frozen=True)
class Conditions:
    current: Observation | None
    forecast: list[Observation]
    updated_at: datetime
    source: str

    def to_bytes(self) -> bytes:
        return orjson.dumps(
            {
                "current": self.current.to_json() if self.current else None,
                "forecast": [o.to_json() for o in self.forecast],
                "updatedAt": self.updated_at.isoformat(),
                "source": self.source,
            }
        )

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Conditions:
        return cls(
            current=Observation.from_json(body["current"]) if body.get("current") else None,
            forecast=[Observation.from_json(o) for o in body["forecast"]],
            updated_at=datetime.fromisoformat(body["updatedAt"]),
            source=body["source"],
        )


@lru_cache(maxsize=1)
def climate() -> dict[int, dict[str, Any]]:
    text = resources.files("phuket").joinpath("seed/data/climate.json").read_text("utf-8")
    return {int(m["month"]): m for m in json.loads(text)}


def phuket_today() -> date:
    return datetime.now(TZ).date()


def _state(app_or_deps: Any) -> Any:
    if hasattr(app_or_deps, "app") and hasattr(app_or_deps.app, "state"):
        return app_or_deps.app.state
    return getattr(app_or_deps, "state", app_or_deps)


def make_client(settings: Settings) -> OpenWeatherClient | None:
    key = settings.openweather_api_key
    if key is None or not key.get_secret_value():
        return None
    return OpenWeatherClient(
        settings.openweather_base_url, key.get_secret_value(), timeout=settings.provider_timeout_seconds
    )


async def _fetch_and_store(state: Any, client: OpenWeatherClient) -> Conditions:
    current, forecast = await asyncio.gather(client.current(), client.forecast())
    conditions = Conditions(current=current, forecast=forecast, updated_at=utcnow(), source=SOURCE)
    payload = orjson.loads(conditions.to_bytes())
    async with state.db.sessionmaker() as session:
        row = await session.get(WeatherSnapshot, PLACE)
        if row is None:
            session.add(WeatherSnapshot(place=PLACE, payload=payload, fetched_at=conditions.updated_at))
        else:
            row.payload, row.fetched_at = payload, conditions.updated_at
        await session.commit()
    await state.cache.set(CACHE_KEY, conditions.to_bytes(), int(FRESH_FOR.total_seconds()))
    return conditions


async def refresh_weather(app_or_deps: Any) -> Conditions | None:
    """For the worker: fetch, store and cache. None when no key is set or the provider failed (logged)."""
    state = _state(app_or_deps)
    client = make_client(state.settings)
    if client is None:
        return None
    try:
        return await _fetch_and_store(state, client)
    except Exception as exc:  # a provider failure must never stop the worker or fail a request
        log.warning("weather refresh failed; serving the fallback", extra={"error": type(exc).__name__})
        return None


async def _stored(state: Any) -> Conditions | None:
    async with state.db.read_sessionmaker() as session:
        row = (await session.scalars(select(WeatherSnapshot).where(WeatherSnapshot.place == PLACE))).first()
    if row is None or utcnow() - row.fetched_at > MAX_SNAPSHOT_AGE:
        return None
    try:
        body = dict(row.payload, updatedAt=row.fetched_at.isoformat())
        return Conditions.from_json(body)
    except (KeyError, TypeError, ValueError):
        log.warning("unreadable weather snapshot ignored")
        return None


async def get_conditions(app_or_deps: Any) -> Conditions:
    state = _state(app_or_deps)
    cached = await state.cache.get(CACHE_KEY)
    if cached is not None:
        try:
            return Conditions.from_json(orjson.loads(cached))
        except (KeyError, TypeError, ValueError):
            log.warning("unreadable cached weather ignored")
    stored = await _stored(state)
    if stored is not None and utcnow() - stored.updated_at < FRESH_FOR:
        return stored
    fresh = await refresh_weather(state)
    if fresh is not None:
        return fresh
    if stored is not None:
        result = Conditions(stored.current, stored.forecast, stored.updated_at, "cache")
    else:
        result = Conditions(None, [], utcnow(), "climate-normals")
    await state.cache.set(CACHE_KEY, result.to_bytes(), FALLBACK_CACHE_SECONDS)
    return result


def _by_day(forecast: list[Observation]) -> dict[date, list[Observation]]:
    days: dict[date, list[Observation]] = defaultdict(list)
    for step in forecast:
        days[step.time.astimezone(TZ).date()].append(step)
    return days


def assess(steps: list[Observation], day: date) -> tuple[Level, list[str]]:
    """Sea risk of one day from its forecast steps (or the month's normals when there are none)."""
    month = climate()[day.month]
    if not steps:
        return month["seaRisk"], (["monsoon"] if month["monsoon"] else []) + ["climate_normals"]
    reasons: list[str] = []
    level: Level = "low"

    def raise_to(new: Level, reason: str) -> None:
        nonlocal level
        if reason not in reasons:
            reasons.append(reason)
        if _ORDER[new] > _ORDER[level]:
            level = new

    wind = max(s.wind_speed_ms for s in steps)
    gust = max((s.wind_gust_ms or 0.0) for s in steps)
    rain = sum(s.rain_mm for s in steps)
    if any(200 <= s.condition_id < 300 for s in steps):
        raise_to("high", "thunderstorm")
    if wind >= 10.8:
        raise_to("high", "strong_wind")
    elif wind >= 8.0:
        raise_to("moderate", "strong_wind")
    if gust >= 13.9:
        raise_to("high", "gusts")
    elif gust >= 10.8:
        raise_to("moderate", "gusts")
    if rain >= 10.0:
        raise_to("moderate", "heavy_rain")
    if month["monsoon"]:
        raise_to("moderate", "monsoon")
    return level, reasons


async def sea_risk_for(app_or_deps: Any, day: date) -> dict[str, Any]:
    """`{"date", "level": "low"|"moderate"|"high", "reasons": [...], "source"}` for a boat trip on `day`:
    from the forecast when it covers the day, otherwise from the month's climate normals."""
    conditions = await get_conditions(app_or_deps)
    steps = _by_day(conditions.forecast).get(day, [])
    level, reasons = assess(steps, day)
    return {
        "date": day,
        "level": level,
        "reasons": reasons,
        "source": conditions.source if steps else "climate-normals",
    }


def report(conditions: Conditions, days: int = 5) -> dict[str, Any]:
    """The `/v1/weather` body: now, `days` days ahead (forecast, then normals), today's sea risk."""
    today = phuket_today()
    by_day = _by_day(conditions.forecast)
    forecast: list[dict[str, Any]] = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        steps = by_day.get(day, [])
        level, reasons = assess(steps, day)
        normals = climate()[day.month]
        if steps:
            worst = max(steps, key=lambda s: _severity(s.condition_id))
            chance = max((s.precipitation_chance or 0.0) for s in steps)
            row = {
                "min_c": round(min(s.temperature_c for s in steps), 1),
                "max_c": round(max(s.temperature_c for s in steps), 1),
                "condition": worst.condition.lower(),
                "precipitation_chance_pct": round(chance * 100),
                "rain_mm": round(sum(s.rain_mm for s in steps), 1),
                "wind_speed_max_ms": round(max(s.wind_speed_ms for s in steps), 1),
                "source": conditions.source,
            }
        else:
            row = {
                "min_c": normals["avgLowC"],
                "max_c": normals["avgHighC"],
                "condition": None,
                "precipitation_chance_pct": round(100 * normals["rainyDays"] / 30),
                "rain_mm": None,
                "wind_speed_max_ms": None,
                "source": "climate-normals",
            }
        forecast.append({"date": day, **row, "sea_risk": {"level": level, "reasons": reasons}})
    current = conditions.current
    month = climate()[today.month]
    return {
        "location": {"name": "Phuket", "lat": 7.88, "lon": 98.39, "timezone": PHUKET_TZ},
        "current": None
        if current is None
        else {
            "time": current.time,
            "temperature_c": round(current.temperature_c, 1),
            "feels_like_c": current.feels_like_c,
            "humidity_pct": current.humidity_pct,
            "wind_speed_ms": current.wind_speed_ms,
            "wind_gust_ms": current.wind_gust_ms,
            "condition": current.condition.lower(),
            "rain_mm_last_hour": current.rain_mm,
        },
        "forecast": forecast,
        "sea_risk": forecast[0]["sea_risk"],
        "climate": {
            "month": today.month,
            "avg_high_c": month["avgHighC"],
            "avg_low_c": month["avgLowC"],
            "sea_temp_c": month["seaTempC"],
            "rainy_days": month["rainyDays"],
            "monsoon": month["monsoon"],
            "summary": month["summary"],
        },
        "source": conditions.source,
        "updated_at": conditions.updated_at,
    }


def _severity(condition_id: int) -> int:
    """Which step describes a day: a thunderstorm beats rain beats drizzle beats clouds beats clear."""
    group = condition_id // 100
    return {2: 6, 5: 5, 3: 4, 6: 3, 7: 2, 8: 1 if condition_id > 800 else 0}.get(group, 0)
