"""Public lists: filters, sorting, pagination, localisation, bad input."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.catalog.conftest import add_item, ip
from tests.conftest import assert_error, register


async def _slugs(client: httpx.AsyncClient, url: str, **headers: str) -> list[str]:
    response = await client.get(url, headers={**ip(), **headers})
    assert response.status_code == 200, response.text
    return [row["slug"] for row in response.json()["data"]]


@pytest.fixture
async def fleet(app: Any) -> dict[str, Any]:
    """Seven vehicles with distinct prices and ratings, one inactive, over three types."""
    rows = [
        ("v-a", "scooter", "250.00", 4.1, "Kata"),
        ("v-b", "scooter", "300.00", 4.9, "Patong"),
        ("v-c", "car", "900.00", 4.5, "Rawai"),
        ("v-d", "car", "1500.00", 3.9, "Patong"),
        ("v-e", "motorbike", "500.00", 4.7, "Kata"),
        ("v-f", "scooter", "350.00", 4.0, "Karon"),
        ("v-g", "boat", "6000.00", 4.8, "Chalong"),
    ]
    items = {}
    for slug, kind, price, rating, area in rows:
        items[slug] = await add_item(
            app, "vehicle", slug=slug, type=kind, priceThb=price, lowSeasonPriceThb=price, rating=rating,
            area=area, name={"en": f"Ride {slug.upper()}", "ru": f"Транспорт {slug.upper()}"},
        )  # fmt: skip
    await add_item(app, "vehicle", slug="v-hidden", type="scooter", priceThb="100.00", isActive=False)
    return items


async def test_pages_cover_every_item_once_in_order(client: httpx.AsyncClient, fleet: dict[str, Any]) -> None:
    seen: list[str] = []
    for page in (1, 2, 3):
        response = await client.get(f"/v1/vehicles?sort=price&per_page=3&page={page}", headers=ip())
        assert response.status_code == 200
        assert response.headers["x-total-count"] == "7"
        assert response.headers["x-total-pages"] == "3"
        assert response.headers["x-page"] == str(page)
        rows = response.json()["data"]
        assert len(rows) == (3 if page < 3 else 1)
        seen += [r["slug"] for r in rows]
    assert seen == ["v-a", "v-b", "v-f", "v-e", "v-c", "v-d", "v-g"]
    past = await client.get("/v1/vehicles?sort=price&per_page=3&page=4", headers=ip())
    assert past.status_code == 200 and past.json()["data"] == []
    assert 'rel="next"' not in response.headers["link"] and 'rel="prev"' in response.headers["link"]


async def test_inactive_items_are_not_listed(client: httpx.AsyncClient, fleet: dict[str, Any]) -> None:
    slugs = await _slugs(client, "/v1/vehicles?per_page=100")
    assert "v-hidden" not in slugs and len(slugs) == 7


async def test_type_filter_returns_only_that_type(client: httpx.AsyncClient, fleet: dict[str, Any]) -> None:
    assert sorted(await _slugs(client, "/v1/vehicles?type=car")) == ["v-c", "v-d"]
    assert sorted(await _slugs(client, "/v1/vehicles?type=scooter")) == ["v-a", "v-b", "v-f"]
    assert await _slugs(client, "/v1/vehicles?type=bicycle") == []


async def test_price_bounds_are_inclusive(client: httpx.AsyncClient, fleet: dict[str, Any]) -> None:
    assert await _slugs(client, "/v1/vehicles?min_price=300&max_price=900&sort=price") == [
        "v-b", "v-f", "v-e", "v-c",
    ]  # fmt: skip
    assert await _slugs(client, "/v1/vehicles?max_price=250") == ["v-a"]
    assert await _slugs(client, "/v1/vehicles?min_price=6000") == ["v-g"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", ["v-a", "v-b", "v-f", "v-e", "v-c", "v-d", "v-g"]),
        ("-price", ["v-g", "v-d", "v-c", "v-e", "v-f", "v-b", "v-a"]),
        ("rating", ["v-b", "v-g", "v-e", "v-c", "v-a", "v-f", "v-d"]),
        ("name", ["v-a", "v-b", "v-c", "v-d", "v-e", "v-f", "v-g"]),
    ],
)
async def test_sorting(
    client: httpx.AsyncClient, fleet: dict[str, Any], sort: str, expected: list[str]
) -> None:
    assert await _slugs(client, f"/v1/vehicles?sort={sort}") == expected


async def test_distance_sort_puts_the_nearest_first_and_says_how_far(
    client: httpx.AsyncClient, fleet: dict[str, Any], app: Any
) -> None:
    near = await add_item(app, "vehicle", slug="v-near", lat=7.90, lng=98.30)
    await add_item(app, "vehicle", slug="v-far", lat=8.10, lng=98.30)
    response = await client.get("/v1/vehicles?sort=distance&lat=7.9&lng=98.3&per_page=100", headers=ip())
    rows = response.json()["data"]
    assert rows[0]["slug"] == near.slug and rows[0]["distanceKm"] == 0.0
    distances = [r["distanceKm"] for r in rows]
    assert distances == sorted(distances)
    assert rows[-1]["slug"] == "v-far" and 22 < rows[-1]["distanceKm"] < 23


async def test_property_filters(client: httpx.AsyncClient, app: Any) -> None:
    await add_item(app, "property", slug="p-small", area="Patong", maxGuests=2, bedrooms=1)
    await add_item(app, "property", slug="p-family", area="Patong", maxGuests=6, bedrooms=3)
    await add_item(app, "property", slug="p-kata", area="Kata", maxGuests=8, bedrooms=4)
    assert sorted(await _slugs(client, "/v1/properties?area=patong")) == ["p-family", "p-small"]
    assert sorted(await _slugs(client, "/v1/properties?guests=3")) == ["p-family", "p-kata"]
    assert sorted(await _slugs(client, "/v1/properties?guests=6")) == ["p-family", "p-kata"]
    assert await _slugs(client, "/v1/properties?bedrooms=4") == ["p-kata"]
    assert await _slugs(client, "/v1/properties?area=Patong&guests=3") == ["p-family"]
    assert await _slugs(client, "/v1/properties?area=Nowhere") == []


async def test_tour_category_and_weekday_filters(client: httpx.AsyncClient, app: Any) -> None:
    await add_item(app, "tour", slug="t-daily", category="islands")
    await add_item(app, "tour", slug="t-weekend", category="islands", daysOfWeek=[5, 6])
    await add_item(app, "tour", slug="t-food", category="food")
    assert sorted(await _slugs(client, "/v1/tours?category=islands")) == ["t-daily", "t-weekend"]
    monday = date.today() + timedelta(days=(7 - date.today().weekday()) % 7 + 7)
    saturday = monday + timedelta(days=5)
    assert sorted(await _slugs(client, f"/v1/tours?category=islands&date={monday}")) == ["t-daily"]
    assert sorted(await _slugs(client, f"/v1/tours?date={saturday}")) == ["t-daily", "t-food", "t-weekend"]


async def test_available_dates_hide_booked_stays(client: httpx.AsyncClient, app: Any) -> None:
    booked = await add_item(app, "property", slug="p-booked", minNights=1)
    await add_item(app, "property", slug="p-free", minNights=1)
    guest = await register(client)
    start = date.today() + timedelta(days=60)
    response = await client.post(
        "/v1/bookings",
        json={"itemType": "property", "itemId": booked.id, "startDate": str(start),
              "endDate": str(start + timedelta(days=3)), "guestsCount": 2},
        headers=guest.headers,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    overlapping = f"available_from={start + timedelta(days=2)}&available_to={start + timedelta(days=5)}"
    assert await _slugs(client, f"/v1/properties?{overlapping}") == ["p-free"]
    after = f"available_from={start + timedelta(days=3)}&available_to={start + timedelta(days=5)}"
    assert sorted(await _slugs(client, f"/v1/properties?{after}")) == ["p-booked", "p-free"]


async def test_detail_by_id_and_slug_and_404s(client: httpx.AsyncClient, app: Any) -> None:
    tour = await add_item(app, "tour", slug="t-detail")
    hidden = await add_item(app, "tour", slug="t-hidden", isActive=False)
    by_id = await client.get(f"/v1/tours/{tour.id}")
    by_slug = await client.get("/v1/tours/t-detail")
    assert by_id.status_code == by_slug.status_code == 200
    assert by_id.json()["data"] == by_slug.json()["data"]
    assert_error(await client.get(f"/v1/tours/{hidden.id}"), 404, "NOT_FOUND")
    assert_error(await client.get("/v1/tours/no-such-tour"), 404, "NOT_FOUND")
    assert_error(await client.get(f"/v1/vehicles/{tour.id}"), 404, "NOT_FOUND")


async def test_responses_follow_accept_language_and_carry_what_a_renter_needs(
    client: httpx.AsyncClient, app: Any
) -> None:
    await add_item(app, "vehicle", slug="v-lang", name={"en": "Blue scooter", "ru": "Синий скутер"})
    ru = (await client.get("/v1/vehicles/v-lang", headers={"Accept-Language": "ru-RU,ru;q=0.9"})).json()
    en = (await client.get("/v1/vehicles/v-lang", headers={"Accept-Language": "en"})).json()
    assert ru["data"]["name"] == "Синий скутер" and ru["data"]["description"] == "Скутер-автомат."
    assert en["data"]["name"] == "Blue scooter" and en["data"]["description"] == "Automatic scooter."
    row = en["data"]
    assert row["price"] == {"amount": "300.00", "currency": "THB"} and row["priceUnit"] == "day"
    assert row["deposit"] == {"amount": "3000.00", "currency": "THB"}
    assert row["helmetIncluded"] is True and row["type"] == "scooter"
    assert row["bookingRules"]["freeCancellationHours"] == 24
    assert row["location"] == {"lat": 7.82, "lng": 98.30}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=spaceship", "type"),
        ("sort=cheapest", "sort"),
        ("sort=distance", "sort"),
        ("sort=distance&lat=7.9", "lng"),
        ("min_price=900&max_price=100", "max_price"),
        ("min_price=-1", "min_price"),
        ("min_price=abc", "min_price"),
        ("per_page=0", "per_page"),
        ("per_page=1000", "per_page"),
        ("per_page=101", "per_page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("available_from=2027-03-10", "available_to"),
        ("available_from=2027-03-10&available_to=2027-03-01", "available_to"),
        ("available_from=2027-03-10&available_to=2027-03-10", "available_to"),
        ("available_from=2027-01-01&available_to=2028-06-01", "available_to"),
        ("available_from=2027-02-30&available_to=2027-03-01", "available_from"),
        ("lat=95&lng=98", "lat"),
    ],
)
async def test_bad_vehicle_queries_are_400(client: httpx.AsyncClient, query: str, field: str) -> None:
    body = assert_error(await client.get(f"/v1/vehicles?{query}", headers=ip()), 400, "VALIDATION_ERROR")
    assert field in [d["field"] for d in body["error"]["details"]], body


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/v1/tours?category=karaoke", "category"),
        ("/v1/tours?date=tomorrow", "date"),
        ("/v1/properties?guests=0", "guests"),
        ("/v1/properties?bedrooms=-1", "bedrooms"),
        ("/v1/search?q=", "q"),
        ("/v1/search?q=%20%20", "q"),
        ("/v1/search", "q"),
    ],
)
async def test_other_bad_queries_are_400(client: httpx.AsyncClient, url: str, field: str) -> None:
    body = assert_error(await client.get(url, headers=ip()), 400, "VALIDATION_ERROR")
    assert field in [d["field"] for d in body["error"]["details"]], body
