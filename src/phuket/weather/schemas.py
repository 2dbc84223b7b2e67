from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from phuket.core.schemas import ApiModel, UtcDateTime

WeatherSource = Literal["openweathermap", "cache", "climate-normals"]
SeaRiskLevel = Literal["low", "moderate", "high"]


class Location(ApiModel):
    name: str
    lat: float
    lon: float
    timezone: str


class SeaRisk(ApiModel):
    level: SeaRiskLevel
    reasons: list[str] = Field(
        description="thunderstorm, strong_wind, gusts, heavy_rain, monsoon, climate_normals"
    )


class CurrentWeather(ApiModel):
    time: UtcDateTime
    temperature_c: float
    feels_like_c: float | None
    humidity_pct: int | None
    wind_speed_ms: float
    wind_gust_ms: float | None
    condition: str = Field(description="OpenWeatherMap's main group, lower case: clear, clouds, rain, …")
    rain_mm_last_hour: float


class ForecastDay(ApiModel):
    date: dt.date
    min_c: float
    max_c: float
    condition: str | None
    precipitation_chance_pct: int
    rain_mm: float | None
    wind_speed_max_ms: float | None
    source: WeatherSource
    sea_risk: SeaRisk


class ClimateNormals(ApiModel):
    month: int
    avg_high_c: float
    avg_low_c: float
    sea_temp_c: float
    rainy_days: int
    monsoon: bool
    summary: str


class WeatherReport(ApiModel):
    location: Location
    current: CurrentWeather | None = Field(description="null when only climate normals are available")
    forecast: list[ForecastDay]
    sea_risk: SeaRisk = Field(description="Today's risk for boat trips")
    climate: ClimateNormals
    source: WeatherSource
    updated_at: UtcDateTime
