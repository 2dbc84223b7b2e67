"""Rates and conversion: the provider when it answers, stored rates when it does not, the bundled snapshot
on a fresh install — each marked with its `source` and age."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from phuket.core.breaker import breaker_states, reset_breakers
from phuket.currency import service
from phuket.currency.client import ProviderRates
from phuket.currency.models import ExchangeRate
from tests.conftest import assert_error
from tests.fakes import FakeProvider
from tests.fakes.fixtures import configure

LATEST = "/v6/latest/THB"
PROVIDER_RATES = {
    "THB": 1, "RUB": 2.6512, "USD": 0.0291, "EUR": 0.0268, "CNY": 0.2101, "GBP": 0.0229, "AUD": 0.0447,
    "KZT": 14.91, "INR": 2.47, "JPY": 4.401, "KRW": 40.12, "SGD": 0.0391, "MYR": 0.1289, "XAF": 17.6,
}  # fmt: skip


def provider_body(**overrides: Any) -> dict[str, Any]:
    return {
        "result": "success",
        "base_code": "THB",
        "time_last_update_unix": 1_795_000_000,
        "conversion_rates": dict(PROVIDER_RATES, **overrides),
    }


def use_provider(app: Any, fake: FakeProvider, **extra: Any) -> None:
    configure(
        app,
        currency_api_key="test-rates-key",
        currency_base_url=fake.url,
        provider_timeout_seconds=0.3,
        **extra,
    )


async def rates(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get("/v1/currency/rates", params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def store_old_rates(app: Any, hours_old: int = 5) -> None:
    fetched = ProviderRates(
        rates={code: Decimal(str(v)) for code, v in PROVIDER_RATES.items() if code != "XAF"},
        updated_at=datetime(2026, 11, 20, 12, tzinfo=UTC),
    )
    async with app.state.db.sessionmaker() as session:
        await service.store(session, fetched)
        await session.execute(
            update(ExchangeRate).values(fetched_at=datetime.now(UTC) - timedelta(hours=hours_old))
        )
        await session.commit()


async def test_a_fresh_install_converts_at_once_with_the_bundled_snapshot(client: httpx.AsyncClient) -> None:
    data = await rates(client)
    assert data["source"] == "bundled-snapshot"
    assert data["updatedAt"] == "2026-11-01T00:00:00Z"
    assert data["base"] == "THB"
    assert data["rates"]["RUB"] == "2.45"
    assert set(data["rates"]) == {
        "RUB", "USD", "EUR", "CNY", "GBP", "AUD", "KZT", "INR", "JPY", "KRW", "SGD", "MYR"
    }  # fmt: skip
    converted = await client.get(
        "/v1/currency/convert", params={"from": "RUB", "to": "THB", "amount": "1000"}
    )
    assert converted.status_code == 200
    assert converted.json()["data"] == {
        "from": "RUB",
        "to": "THB",
        "amount": "1000",
        "result": "408.16",
        "rate": "0.408163",
        "updatedAt": "2026-11-01T00:00:00Z",
        "source": "bundled-snapshot",
    }


async def test_rates_against_another_base_are_cross_rates_through_thb(client: httpx.AsyncClient) -> None:
    data = await rates(client, base="USD")
    assert data["base"] == "USD"
    assert "USD" not in data["rates"] and data["rates"]["THB"] == "34.5"
    assert Decimal(data["rates"]["RUB"]) == Decimal("84.5250")


@pytest.mark.parametrize(
    ("params", "result"),
    [
        ({"from": "THB", "to": "JPY", "amount": "100"}, "435"),  # no minor unit
        ({"from": "THB", "to": "KRW", "amount": "99.99"}, "4100"),
        ({"from": "THB", "to": "KZT", "amount": "1"}, "14.60"),
        ({"from": "USD", "to": "EUR", "amount": "0"}, "0.00"),
        ({"from": "EUR", "to": "EUR", "amount": "12.345"}, "12.35"),
    ],
)
async def test_results_are_rounded_to_the_target_currency(
    client: httpx.AsyncClient, params: dict[str, str], result: str
) -> None:
    response = await client.get("/v1/currency/convert", params=params)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["result"] == result


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "XXX", "to": "THB", "amount": "1"}, "from"),
        ({"from": "rub", "to": "THB", "amount": "1"}, "from"),
        ({"from": "RUB", "to": "BTC", "amount": "1"}, "to"),
        ({"from": "RUB", "to": "THB", "amount": "-5"}, "amount"),
        ({"from": "RUB", "to": "THB", "amount": "abc"}, "amount"),
        ({"from": "RUB", "to": "THB", "amount": "1e3"}, "amount"),
        ({"from": "RUB", "to": "THB", "amount": "NaN"}, "amount"),
        ({"from": "RUB", "to": "THB", "amount": "Infinity"}, "amount"),
        ({"from": "RUB", "to": "THB", "amount": "1234567890123"}, "amount"),
        ({"from": "RUB", "to": "THB"}, "amount"),
        ({"to": "THB", "amount": "5"}, "from"),
    ],
)
async def test_bad_currency_or_amount_is_400(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await client.get("/v1/currency/convert", params=params)
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert [d["field"] for d in body["error"]["details"]] == [field]


async def test_unknown_base_is_400(client: httpx.AsyncClient) -> None:
    body = assert_error(
        await client.get("/v1/currency/rates", params={"base": "DOGE"}), 400, "VALIDATION_ERROR"
    )
    assert body["error"]["details"][0]["field"] == "base"


async def test_live_rates_are_fetched_stored_and_cached(
    app: Any, client: httpx.AsyncClient, fake: FakeProvider
) -> None:
    fake.on("GET", LATEST, json=provider_body())
    use_provider(app, fake)
    data = await rates(client)
    assert data["source"] == "exchangerate-api"
    assert data["rates"]["RUB"] == "2.6512"
    assert data["updatedAt"] == "2026-11-18T11:06:40Z"
    assert "XAF" not in data["rates"]
    # The key travels in the documented Authorization header, never in the URL.
    assert fake.requests[0].headers["authorization"] == "Bearer test-rates-key"
    assert "test-rates-key" not in fake.requests[0].path
    await rates(client)
    converted = await client.get(
        "/v1/currency/convert", params={"from": "THB", "to": "RUB", "amount": "1000"}
    )
    assert converted.json()["data"]["result"] == "2651.20"
    assert fake.calls(LATEST) == 1  # served from the one-hour cache
    async with app.state.db.sessionmaker() as session:
        stored = await service.load_stored(session)
    assert stored is not None and stored[0].rates["RUB"] == Decimal("2.6512")


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500, "json": {"error": "boom"}},
        {"status": 200, "body": "<html>not json</html>"},
        {"status": 200, "json": {"result": "error", "error-type": "invalid-key"}},
        {"status": 200, "json": provider_body(RUB="-1")},
        {"status": 200, "json": {"result": "success", "conversion_rates": {"USD": 0.03}}},
        {"status": 200, "json": provider_body(), "delay": 1.0},  # slower than the 0.3 s timeout
    ],
    ids=["500", "garbage", "refused", "negative-rate", "missing-currencies", "timeout"],
)
async def test_a_failing_provider_falls_back_to_the_stored_rates_marked_cache(
    app: Any, client: httpx.AsyncClient, fake: FakeProvider, failure: dict[str, Any]
) -> None:
    fake.on("GET", LATEST, **failure)
    use_provider(app, fake)
    await store_old_rates(app)
    data = await rates(client)
    assert data["source"] == "cache"
    assert data["updatedAt"] == "2026-11-20T12:00:00Z"
    assert data["rates"]["RUB"] == "2.6512"
    assert fake.calls(LATEST) >= 1


async def test_a_failing_provider_with_nothing_stored_serves_the_snapshot(
    app: Any, client: httpx.AsyncClient, fake: FakeProvider
) -> None:
    fake.on("GET", LATEST, status=503)
    use_provider(app, fake)
    assert (await rates(client))["source"] == "bundled-snapshot"


async def test_stored_rates_younger_than_an_hour_are_served_without_calling_the_provider(
    app: Any, client: httpx.AsyncClient, fake: FakeProvider
) -> None:
    fake.on("GET", LATEST, status=500)
    use_provider(app, fake)
    await store_old_rates(app, hours_old=0)
    data = await rates(client)
    assert data["source"] == "exchangerate-api"
    assert fake.calls() == 0


async def test_the_worker_refresh_stores_rates_and_survives_failures(
    app: Any, client: httpx.AsyncClient, fake: FakeProvider
) -> None:
    assert await service.refresh_rates(app) is None  # no key: nothing to do, nothing called
    use_provider(app, fake)
    fake.on("GET", LATEST, body="garbage")
    assert await service.refresh_rates(app) is None
    fake.on("GET", LATEST, json=provider_body(USD=0.03))
    table = await service.refresh_rates(app)
    assert table is not None and table.rates["USD"] == Decimal("0.03")
    fake.on("GET", LATEST, status=500)
    data = await rates(client)  # the refresh filled the cache
    assert (data["source"], data["rates"]["USD"]) == ("exchangerate-api", "0.03")


async def test_the_breaker_opens_after_five_failures_and_closes_after_a_good_probe(
    app: Any, fake: FakeProvider
) -> None:
    # Open for 3 s, so that on a loaded machine the checks below still run inside the open period.
    reset_breakers(open_seconds=3.0)
    use_provider(app, fake)
    fake.on("GET", LATEST, status=500)
    for _ in range(5):
        assert await service.refresh_rates(app) is None
    assert breaker_states()["currency"] == "open"
    calls = fake.calls()
    assert await service.refresh_rates(app) is None
    assert fake.calls() == calls  # open: the provider is not even asked
    await asyncio.sleep(3.1)
    assert breaker_states()["currency"] == "half_open"
    fake.on("GET", LATEST, json=provider_body())
    assert await service.refresh_rates(app) is not None
    assert breaker_states()["currency"] == "closed"


async def approximate(session_or_app: Any, amount_thb: Decimal, currency: str) -> dict[str, Any] | None:
    convert = await service.approximator(session_or_app, currency)
    return None if convert is None else convert(amount_thb).model_dump(by_alias=True)


async def test_approximate_prices_in_the_users_currency(app: Any) -> None:
    async with app.state.db.sessionmaker() as session:
        rub = await approximate(session, Decimal("1000"), "RUB")
        assert rub is not None
        assert (rub["amount"], rub["currency"], rub["source"]) == ("2450.00", "RUB", "bundled-snapshot")
        assert await approximate(session, Decimal("1000"), "THB") is None
        assert await approximate(session, Decimal("1000"), "XXX") is None
    jpy = await approximate(app, Decimal("1500"), "jpy")
    assert jpy is not None and jpy["amount"] == "6526" and jpy["updatedAt"] == "2026-11-01T00:00:00Z"
