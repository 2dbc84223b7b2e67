"""Weather for Phuket: live, then the last snapshot, then climate normals — always marked by `source` —
and the sea-risk flag boat tours show."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from phuket.core.breaker import breaker_states, reset_breakers
from phuket.weather import service
from phuket.weather.models import WeatherSnapshot
from tests.fakes import FakeProvider
from tests.fakes.fixtures import configure

CURRENT = "/data/2.5/weather"
FORECAST = "/data/2.5/forecast"


def step(at: datetime, *, temp: float = 31.0, wind: float = 4.0, gust: float | None = None,
         cid: int = 800, main: str = "Clear", rain: float = 0.0, pop: float = 0.1) -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {
        "dt": int(at.timestamp()),
        "main": {"temp": temp, "feels_like": temp + 3, "temp_min": temp, "temp_max": temp, "humidity": 70},
        "weather": [{"id": cid, "main": main, "description": main.lower(), "icon": "01d"}],
        "wind": {"speed": wind, "deg": 240},
        "pop": pop,
    }
    if gust is not None:
        body["wind"]["gust"] = gust
    if rain:
        body["rain"] = {"3h": rain}
    return body


def forecast_body(**tomorrow: Any) -> dict[str, Any]:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    steps = [step(start + timedelta(hours=3 * i)) for i in range(40)]
    tomorrow_noon = datetime.combine(
        service.phuket_today() + timedelta(days=1), datetime.min.time(), service.TZ
    )
    steps.append(step(tomorrow_noon.replace(hour=12), **tomorrow))
    return {"cod": "200", "cnt": len(steps), "list": steps, "city": {"name": "Phuket", "timezone": 25200}}


def current_body() -> dict[str, Any]:
    body = step(datetime.now(UTC), temp=30.4, wind=5.2, gust=7.0, cid=500, main="Rain")
    body["rain"] = {"1h": 0.6}
    return {**body, "name": "Phuket", "cod": 200}


def use_provider(app: Any, fake: FakeProvider) -> None:
    configure(app, openweather_api_key="owm-key", openweather_base_url=fake.url, provider_timeout_seconds=0.3)


async def weather(client: httpx.AsyncClient, **headers: str) -> dict[str, Any]:
    response = await client.get("/v1/weather", headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_without_a_key_the_climate_normals_answer_clearly_marked(client: httpx.AsyncClient) -> None:
    data = await weather(client, **{"Accept-Language": "ru"})
    assert data["source"] == "climate-normals"
    assert data["current"] is None
    assert len(data["forecast"]) == 5
    assert all(day["source"] == "climate-normals" for day in data["forecast"])
    month = service.climate()[service.phuket_today().month]
    assert data["forecast"][0]["maxC"] == month["avgHighC"]
    assert data["seaRisk"]["level"] == month["seaRisk"]
    assert "climate_normals" in data["seaRisk"]["reasons"]
    assert data["climate"]["summary"] == month["summary"]["ru"]


async def test_live_weather_is_fetched_once_and_cached(
    app: Any, client: httpx.AsyncClient, fake: FakeProvider
) -> None:
    fake.on("GET", CURRENT, json=current_body())
    fake.on("GET", FORECAST, json=forecast_body())
    use_provider(app, fake)
    data = await weather(client)
    assert data["source"] == "openweathermap"
    assert data["current"]["temperatureC"] == 30.4
    assert data["current"]["condition"] == "rain"
    assert data["forecast"][1]["source"] == "openweathermap"
    request = fake.requests[0]
    assert request.query["appid"] == ["owm-key"] and request.query["units"] == ["metric"]
    assert request.query["lat"] == ["7.88"] and request.query["lon"] == ["98.39"]
    await weather(client)
    assert fake.calls(CURRENT) == 1 and fake.calls(FORECAST) == 1


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500, "json": {"cod": 500}},
        {"status": 200, "body": "{not json"},
        {"status": 200, "json": {"cod": "200", "list": [{"dt": "soon"}]}},
        {"status": 401, "json": {"cod": 401, "message": "Invalid API key"}},
        {"status": 200, "json": forecast_body(), "delay": 1.0},
    ],
    ids=["500", "garbage", "malformed", "bad-key", "timeout"],
)
async def test_a_failing_provider_serves_the_last_snapshot_marked_cache(
    app: Any, client: httpx.AsyncClient, fake: FakeProvider, failure: dict[str, Any]
) -> None:
    fake.on("GET", CURRENT, json=current_body())
    fake.on("GET", FORECAST, json=forecast_body())
    use_provider(app, fake)
    first = await weather(client)
    await app.state.cache.clear()
    old = datetime.now(UTC) - timedelta(hours=2)
    async with app.state.db.sessionmaker() as session:
        await session.execute(update(WeatherSnapshot).values(fetched_at=old))
        await session.commit()
    fake.on("GET", FORECAST, **failure)
    data = await weather(client)
    assert data["source"] == "cache"
    assert data["updatedAt"] == old.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert data["current"] == first["current"]


async def test_nothing_stored_and_provider_down_means_climate_normals(
    app: Any, client: httpx.AsyncClient, fake: FakeProvider
) -> None:
    fake.on("GET", CURRENT, status=502)
    fake.on("GET", FORECAST, status=502)
    use_provider(app, fake)
    assert (await weather(client))["source"] == "climate-normals"


async def test_stormy_forecast_raises_the_sea_risk_for_that_day(
    app: Any, client: httpx.AsyncClient, fake: FakeProvider
) -> None:
    fake.on("GET", CURRENT, json=current_body())
    fake.on("GET", FORECAST, json=forecast_body(cid=211, main="Thunderstorm", wind=12.0, gust=16.0, rain=25))
    use_provider(app, fake)
    data = await weather(client)
    tomorrow = data["forecast"][1]
    assert tomorrow["condition"] == "thunderstorm"
    assert tomorrow["seaRisk"]["level"] == "high"
    assert {"thunderstorm", "strong_wind", "gusts", "heavy_rain"} <= set(tomorrow["seaRisk"]["reasons"])
    day = service.phuket_today() + timedelta(days=1)
    risk = await service.sea_risk_for(app, day)
    assert (risk["level"], risk["source"]) == ("high", "openweathermap")
    far = await service.sea_risk_for(app, day + timedelta(days=60))
    assert far["source"] == "climate-normals"
    assert far["level"] == service.climate()[far["date"].month]["seaRisk"]


def test_monsoon_months_are_never_low_risk() -> None:
    calm = service.Observation(
        time=datetime(2026, 7, 1, 5, tzinfo=UTC), temperature_c=29, feels_like_c=None, humidity_pct=None,
        wind_speed_ms=2, wind_gust_ms=None, condition_id=800, condition="Clear", precipitation_chance=0,
        rain_mm=0,
    )  # fmt: skip
    assert service.assess([calm], datetime(2026, 7, 1).date()) == ("moderate", ["monsoon"])
    assert service.assess([calm], datetime(2026, 2, 1).date()) == ("low", [])


async def test_the_breaker_opens_on_repeated_failures_and_recovers(
    app: Any, client: httpx.AsyncClient, fake: FakeProvider
) -> None:
    # Open for 3 s: long enough that, on a loaded machine, the retry back-off of the last refresh and the
    # read below still happen while the breaker is open (after 1 s it could already be half-open).
    reset_breakers(open_seconds=3.0)
    fake.on("GET", CURRENT, status=500)
    fake.on("GET", FORECAST, status=500)
    use_provider(app, fake)
    for _ in range(3):  # two provider calls per refresh: open after the fifth failure
        assert await service.refresh_weather(app) is None
    assert breaker_states()["openweather"] == "open"
    calls = fake.calls()
    assert await service.refresh_weather(app) is None
    assert fake.calls() == calls  # open: the provider is not even asked
    assert (await weather(client))["source"] == "climate-normals"
    await asyncio.sleep(3.1)
    fake.on("GET", CURRENT, json=current_body())
    fake.on("GET", FORECAST, json=forecast_body())
    assert await service.refresh_weather(app) is not None
    assert breaker_states()["openweather"] == "closed"
    await app.state.cache.clear()
    assert (await weather(client))["source"] == "openweathermap"
