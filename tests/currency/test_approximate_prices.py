"""Catalog and booking responses show an approximate price in the tourist's currency, while THB stays the
price charged; boat tours carry today's sea risk."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx

from tests.bookings.conftest import book
from tests.conftest import Account, assert_error
from tests.factories import make_tour, make_vehicle


async def _rate(client: httpx.AsyncClient, code: str) -> Decimal:
    rates = (await client.get("/v1/currency/rates?base=THB")).json()["data"]["rates"]
    return Decimal(rates[code])


async def test_catalog_lists_and_details_convert_prices_on_request(
    client: httpx.AsyncClient, app: Any
) -> None:
    scooter = await make_vehicle(app, price_thb=Decimal("350.00"))
    rate = await _rate(client, "RUB")
    listing = (await client.get("/v1/vehicles?currency=RUB")).json()["data"]
    [row] = [v for v in listing if v["id"] == scooter.id]
    assert row["price"] == {"amount": "350.00", "currency": "THB"}
    approx = row["approxPrice"]
    assert approx["currency"] == "RUB" and approx["source"]
    assert Decimal(approx["amount"]) == (Decimal("350") * rate).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    detail = (await client.get(f"/v1/vehicles/{scooter.id}?currency=usd".replace("usd", "USD"))).json()[
        "data"
    ]
    assert detail["approxPrice"]["currency"] == "USD"
    plain = (await client.get(f"/v1/vehicles/{scooter.id}")).json()["data"]
    assert plain["approxPrice"] is None
    thb = (await client.get(f"/v1/vehicles/{scooter.id}?currency=THB")).json()["data"]
    assert thb["approxPrice"] is None


async def test_unknown_currency_is_400(client: httpx.AsyncClient, app: Any) -> None:
    scooter = await make_vehicle(app)
    assert_error(await client.get("/v1/vehicles?currency=XYZ"), 400, "VALIDATION_ERROR")
    assert_error(await client.get(f"/v1/vehicles/{scooter.id}?currency=rubles"), 400, "VALIDATION_ERROR")


async def test_bookings_show_the_total_in_the_profile_currency(
    client: httpx.AsyncClient, app: Any, user: Account
) -> None:
    scooter = await make_vehicle(app)
    await client.patch("/v1/users/me", json={"currency": "KZT"}, headers=user.headers)
    created = (await book(client, user, scooter, "vehicle", 3, 5)).json()["data"]
    assert created["approxTotalPrice"]["currency"] == "KZT"
    assert created["totalPrice"]["currency"] == "THB"
    euro = (await client.get(f"/v1/bookings/{created['id']}?currency=EUR", headers=user.headers)).json()[
        "data"
    ]
    assert euro["approxTotalPrice"]["currency"] == "EUR"
    listing = (await client.get("/v1/bookings", headers=user.headers)).json()["data"]
    assert listing[0]["approxTotalPrice"]["currency"] == "KZT"


async def test_boat_tours_carry_todays_sea_risk(client: httpx.AsyncClient, app: Any) -> None:
    boat = await make_tour(app, by_boat=True)
    walk = await make_tour(app, by_boat=False, category="culture")
    detail = (await client.get(f"/v1/tours/{boat.id}")).json()["data"]
    assert detail["seaRisk"]["level"] in ("low", "moderate", "high")
    assert detail["seaRisk"]["source"]
    assert (await client.get(f"/v1/tours/{walk.id}")).json()["data"]["seaRisk"] is None
