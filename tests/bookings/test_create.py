"""POST /v1/bookings and /v1/bookings/quote: rules, prices and every error path."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from phuket.bookings.pricing import is_high_season
from phuket.core.outbox import OutboxMessage
from tests.bookings.conftest import book, day, iso
from tests.conftest import Account, assert_error
from tests.factories import make_property, make_tour, make_vehicle


def expected_stay(item: Any, start: int, end: int) -> Decimal:
    return sum(
        (item.price_thb if is_high_season(day(n)) else item.low_season_price_thb for n in range(start, end)),
        Decimal("0"),
    )


async def test_booking_a_scooter_returns_a_pending_booking_with_a_code(
    client: httpx.AsyncClient, app: Any, user: Account
) -> None:
    scooter = await make_vehicle(app)
    response = await book(client, user, scooter, "vehicle", 3, 6)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["status"] == "pending"
    assert (data["itemType"], data["itemId"]) == ("vehicle", scooter.id)
    assert (data["startDate"], data["endDate"], data["guestsCount"]) == (iso(3), iso(6), 1)
    assert re.fullmatch(r"[ACDEFGHJKMNPQRTUVWXY34679]{8}", data["confirmationCode"])
    assert data["totalPrice"] == {"amount": f"{expected_stay(scooter, 3, 6):.2f}", "currency": "THB"}
    assert data["item"]["name"] == scooter.name_en
    assert data["paymentStatus"] == "unpaid" and data["holdExpiresAt"]
    assert data["cancellation"]["refundPercentNow"] == 100
    async with app.state.db.sessionmaker() as session:
        events = (await session.execute(select(OutboxMessage))).scalars().all()
    assert [(e.kind, e.payload["bookingId"]) for e in events] == [("booking_created", data["id"])]


async def test_quote_equals_the_price_charged(client: httpx.AsyncClient, app: Any, user: Account) -> None:
    villa = await make_property(app, weekly_discount_pct=10)
    body = {
        "itemType": "property",
        "itemId": villa.id,
        "startDate": iso(10),
        "endDate": iso(18),
        "guestsCount": 3,
    }
    quote = await client.post("/v1/bookings/quote", json=body, headers=user.headers)
    assert quote.status_code == 200, quote.text
    booking = await client.post("/v1/bookings", json=body, headers=user.headers)
    assert booking.status_code == 201
    assert quote.json()["data"]["totalPrice"] == booking.json()["data"]["totalPrice"]
    subtotal = expected_stay(villa, 10, 18)
    expected = subtotal - (subtotal * Decimal("0.10")).quantize(Decimal("0.01")) + villa.cleaning_fee_thb
    assert booking.json()["data"]["totalPrice"]["amount"] == f"{expected:.2f}"
    kinds = [line["kind"] for line in quote.json()["data"]["breakdown"]]
    assert "discount_weekly" in kinds and "cleaning" in kinds
    assert quote.json()["data"]["nights"] == 8


async def test_breakdown_labels_follow_the_language(
    client: httpx.AsyncClient, app: Any, user: Account
) -> None:
    villa = await make_property(app)
    body = {
        "itemType": "property",
        "itemId": villa.id,
        "startDate": iso(10),
        "endDate": iso(12),
        "guestsCount": 1,
    }
    quote = await client.post(
        "/v1/bookings/quote", json=body, headers={**user.headers, "Accept-Language": "ru"}
    )
    labels = {line["label"] for line in quote.json()["data"]["breakdown"]}
    assert "Уборка" in labels


async def test_overlapping_dates_are_refused_and_adjacent_ones_accepted(
    client: httpx.AsyncClient, app: Any, user: Account, other: Account
) -> None:
    scooter = await make_vehicle(app)
    assert (await book(client, user, scooter, "vehicle", 5, 8)).status_code == 201
    for start, end in ((5, 8), (4, 6), (7, 9), (6, 7), (3, 10)):
        assert_error(await book(client, other, scooter, "vehicle", start, end), 422, "ITEM_UNAVAILABLE")
    assert (await book(client, other, scooter, "vehicle", 8, 10)).status_code == 201  # returns on the 8th
    assert (await book(client, other, scooter, "vehicle", 3, 5)).status_code == 201  # back by the 5th


async def test_turnaround_keeps_the_item_free_after_a_rental(
    client: httpx.AsyncClient, app: Any, user: Account
) -> None:
    car = await make_vehicle(app, type="car", turnaround_days=1, seats=5)
    assert (await book(client, user, car, "vehicle", 5, 8)).status_code == 201
    assert_error(await book(client, user, car, "vehicle", 8, 10), 422, "ITEM_UNAVAILABLE")
    assert (await book(client, user, car, "vehicle", 9, 10)).status_code == 201


async def test_a_cancelled_booking_frees_its_dates(
    client: httpx.AsyncClient, app: Any, user: Account
) -> None:
    scooter = await make_vehicle(app)
    first = (await book(client, user, scooter, "vehicle", 5, 8)).json()["data"]
    assert (await client.post(f"/v1/bookings/{first['id']}/cancel", headers=user.headers)).status_code == 200
    assert (await book(client, user, scooter, "vehicle", 5, 8)).status_code == 201


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (-1, 2, "startDate"),  # in the past
        (5, 5, "endDate"),  # empty stay
        (6, 5, "endDate"),  # inverted
        (5, None, "endDate"),  # missing end for a stay
        (400, 402, "startDate"),  # beyond the booking horizon
        (5, 6, "endDate"),  # shorter than min nights (2)
        (5, 70, "endDate"),  # longer than max nights (60)
    ],
)
async def test_invalid_dates_for_a_villa(
    client: httpx.AsyncClient, app: Any, user: Account, start: int, end: int | None, field: str
) -> None:
    villa = await make_property(app)
    body = assert_error(await book(client, user, villa, "property", start, end), 422, "INVALID_DATES")
    assert body["error"]["details"][0]["field"] == field


async def test_advance_notice_is_enforced(client: httpx.AsyncClient, app: Any, user: Account) -> None:
    villa = await make_property(app, advance_notice_hours=72, min_nights=1)
    assert_error(await book(client, user, villa, "property", 1, 3), 422, "INVALID_DATES")
    assert (await book(client, user, villa, "property", 5, 7)).status_code == 201


async def test_too_many_guests(client: httpx.AsyncClient, app: Any, user: Account) -> None:
    villa = await make_property(app, max_guests=4)
    assert_error(await book(client, user, villa, "property", 5, 8, guests=5), 422, "TOO_MANY_GUESTS")
    scooter = await make_vehicle(app, seats=2)
    assert_error(await book(client, user, scooter, "vehicle", 5, 8, guests=3), 422, "TOO_MANY_GUESTS")


async def test_tour_prices_adults_and_children(client: httpx.AsyncClient, app: Any, user: Account) -> None:
    tour = await make_tour(app)
    response = await book(client, user, tour, "tour", 6, guests=3, childrenCount=1)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    adult = tour.price_thb if is_high_season(day(6)) else tour.low_season_price_thb
    assert data["totalPrice"]["amount"] == f"{adult * 2 + tour.child_price_thb:.2f}"
    assert data["endDate"] == iso(7)


async def test_tour_seats_run_out(client: httpx.AsyncClient, app: Any, user: Account, other: Account) -> None:
    tour = await make_tour(app, seats_per_day=5, max_guests_per_booking=5)
    assert (await book(client, user, tour, "tour", 6, guests=4)).status_code == 201
    assert_error(await book(client, other, tour, "tour", 6, guests=2), 422, "ITEM_UNAVAILABLE")
    assert (await book(client, other, tour, "tour", 6, guests=1)).status_code == 201
    assert_error(await book(client, other, tour, "tour", 6, guests=1), 422, "ITEM_UNAVAILABLE")
    assert (await book(client, other, tour, "tour", 7, guests=5)).status_code == 201  # another day


async def test_tour_on_a_day_it_does_not_run(client: httpx.AsyncClient, app: Any, user: Account) -> None:
    runs_on = day(6).weekday()
    tour = await make_tour(app, days_of_week=[runs_on])
    assert (await book(client, user, tour, "tour", 6)).status_code == 201
    assert_error(await book(client, user, tour, "tour", 7), 422, "ITEM_UNAVAILABLE")


async def test_tour_group_limits(client: httpx.AsyncClient, app: Any, user: Account) -> None:
    tour = await make_tour(app, min_guests=2, max_guests_per_booking=4)
    assert_error(await book(client, user, tour, "tour", 6, guests=5), 422, "TOO_MANY_GUESTS")
    assert_error(await book(client, user, tour, "tour", 6, guests=1), 422, "TOO_FEW_GUESTS")


async def test_unknown_or_inactive_item_is_404(client: httpx.AsyncClient, app: Any, user: Account) -> None:
    hidden = await make_vehicle(app, is_active=False)
    assert_error(await book(client, user, hidden, "vehicle", 5, 7), 404, "NOT_FOUND")
    body = {
        "itemType": "vehicle",
        "itemId": "no-such-id",
        "startDate": iso(5),
        "endDate": iso(7),
        "guestsCount": 1,
    }
    assert_error(await client.post("/v1/bookings", json=body, headers=user.headers), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"itemType": "spaceship"}, "itemType"),
        ({"itemId": ""}, "itemId"),
        ({"startDate": "2026-02-30"}, "startDate"),
        ({"startDate": "tomorrow"}, "startDate"),
        ({"endDate": "01/02/2027"}, "endDate"),
        ({"guestsCount": 0}, "guestsCount"),
        ({"guestsCount": "two"}, "guestsCount"),
        ({"guestsCount": 1.5}, "guestsCount"),
        ({"childrenCount": 3}, "body"),
        ({"status": "confirmed"}, "status"),
        ({"totalPrice": "1.00"}, "totalPrice"),
        ({"userId": "someone-else"}, "userId"),
    ],
)
async def test_malformed_booking_bodies_are_400(
    client: httpx.AsyncClient, app: Any, user: Account, patch: dict[str, Any], field: str
) -> None:
    scooter = await make_vehicle(app)
    body = {
        "itemType": "vehicle",
        "itemId": scooter.id,
        "startDate": iso(5),
        "endDate": iso(7),
        "guestsCount": 1,
    }
    body.update(patch)
    response = await client.post("/v1/bookings", json=body, headers=user.headers)
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in [d["field"] for d in error["error"]["details"]]


async def test_booking_needs_a_token(client: httpx.AsyncClient, app: Any) -> None:
    scooter = await make_vehicle(app)
    body = {
        "itemType": "vehicle",
        "itemId": scooter.id,
        "startDate": iso(5),
        "endDate": iso(7),
        "guestsCount": 1,
    }
    assert_error(await client.post("/v1/bookings", json=body), 401, "UNAUTHORIZED")
    assert_error(await client.post("/v1/bookings/quote", json=body), 401, "UNAUTHORIZED")


async def test_quote_gets_the_same_errors_as_booking(
    client: httpx.AsyncClient, app: Any, user: Account
) -> None:
    scooter = await make_vehicle(app)
    await book(client, user, scooter, "vehicle", 5, 8)
    body = {
        "itemType": "vehicle",
        "itemId": scooter.id,
        "startDate": iso(6),
        "endDate": iso(9),
        "guestsCount": 1,
    }
    assert_error(
        await client.post("/v1/bookings/quote", json=body, headers=user.headers), 422, "ITEM_UNAVAILABLE"
    )
    body = {**body, "startDate": iso(-2)}
    assert_error(
        await client.post("/v1/bookings/quote", json=body, headers=user.headers), 422, "INVALID_DATES"
    )
