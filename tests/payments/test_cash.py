"""Cash on arrival (seed's manual payment), and the fallback to it when card payments are unavailable."""

from __future__ import annotations

from typing import Any

import httpx

from phuket.core.breaker import FAILURE_THRESHOLD, get_breaker
from tests.conftest import assert_error
from tests.factories import make_property, make_vehicle
from tests.fakes.stripe import FakeStripe
from tests.payments.conftest import book


async def _book(client: httpx.AsyncClient, app: Any, account: Any, *, instant: bool = True) -> dict[str, Any]:
    vehicle = await make_vehicle(app, instant_confirmation=instant)
    response = await book(client, account, vehicle, "vehicle", 7, 9)
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


async def test_cash_on_request_item_is_held_until_start_then_admin_marks_paid_and_confirms(
    client: httpx.AsyncClient, app: Any, user: Any, admin: Any
) -> None:
    booking = await _book(client, app, user, instant=False)
    url = f"/v1/bookings/{booking['id']}"
    response = await client.post(f"{url}/payment", json={"method": "cash"}, headers=user.headers)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["method"] == "cash" and data["fallback"] is False
    assert data["paymentStatus"] == "due_on_arrival" and data["bookingStatus"] == "pending"
    assert data["dueOnArrival"] == booking["totalPrice"] and data["clientSecret"] is None
    held = (await client.get(url, headers=user.headers)).json()["data"]
    assert held["status"] == "pending" and held["paymentStatus"] == "due_on_arrival"
    assert held["paymentMethod"] == "cash"

    assert_error(
        await client.post(f"/v1/admin/bookings/{booking['id']}/mark-paid", headers=user.headers),
        403,
        "FORBIDDEN",
    )
    paid = await client.post(f"/v1/admin/bookings/{booking['id']}/mark-paid", headers=admin.headers)
    assert paid.status_code == 200, paid.text
    body = paid.json()["data"]
    assert body["paymentStatus"] == "paid" and body["amountPaid"] == booking["totalPrice"]
    assert body["status"] == "pending"  # an on-request item still waits for the admin's confirmation
    confirmed = await client.post(f"/v1/admin/bookings/{booking['id']}/confirm", headers=admin.headers)
    assert confirmed.json()["data"]["status"] == "confirmed"
    again = await client.post(f"/v1/admin/bookings/{booking['id']}/mark-paid", headers=admin.headers)
    assert_error(again, 422, "INVALID_STATE")
    assert_error(
        await client.post("/v1/admin/bookings/nope/mark-paid", headers=admin.headers), 404, "NOT_FOUND"
    )


async def test_cash_on_an_instant_item_confirms_at_once(
    client: httpx.AsyncClient, app: Any, user: Any
) -> None:
    booking = await _book(client, app, user)
    response = await client.post(
        f"/v1/bookings/{booking['id']}/payment", json={"method": "cash"}, headers=user.headers
    )
    assert response.json()["data"]["bookingStatus"] == "confirmed"
    shown = (await client.get(f"/v1/bookings/{booking['id']}", headers=user.headers)).json()["data"]
    assert shown["status"] == "confirmed" and shown["paymentStatus"] == "due_on_arrival"
    assert shown["amountPaid"]["amount"] == "0.00"


async def test_card_without_stripe_configured_falls_back_to_cash(
    client: httpx.AsyncClient, app: Any, user: Any
) -> None:
    booking = await _book(client, app, user)
    response = await client.post(
        f"/v1/bookings/{booking['id']}/payment", json={"method": "card"}, headers=user.headers
    )
    data = response.json()["data"]
    assert response.status_code == 201
    assert data["method"] == "cash" and data["fallback"] is True and data["paymentStatus"] == "due_on_arrival"


async def test_card_falls_back_to_cash_while_stripe_fails_and_its_breaker_is_open(
    client: httpx.AsyncClient, stripe_app: Any, stripe_fake: FakeStripe, user: Any
) -> None:
    stripe_fake.fail_with(500)
    first = await _book(client, stripe_app, user)
    response = await client.post(
        f"/v1/bookings/{first['id']}/payment", json={"method": "card"}, headers=user.headers
    )
    assert response.json()["data"]["fallback"] is True
    calls = len(stripe_fake.requests("/v1/payment_intents"))
    assert calls == 2  # one retry inside the breaker, with the same idempotency key
    keys = {r.headers["idempotency-key"] for r in stripe_fake.requests("/v1/payment_intents")}
    assert keys == {f"booking-{first['id']}-payment-1"}

    for _ in range(FAILURE_THRESHOLD):
        if get_breaker("stripe").state == "open":
            break
        other = await _book(client, stripe_app, user)
        await client.post(
            f"/v1/bookings/{other['id']}/payment", json={"method": "card"}, headers=user.headers
        )
    assert get_breaker("stripe").state == "open"
    stripe_fake.recover()
    before = len(stripe_fake.requests("/v1/payment_intents"))
    last = await _book(client, stripe_app, user)
    answer = await client.post(
        f"/v1/bookings/{last['id']}/payment", json={"method": "card"}, headers=user.headers
    )
    assert answer.json()["data"]["method"] == "cash" and answer.json()["data"]["fallback"] is True
    assert len(stripe_fake.requests("/v1/payment_intents")) == before  # open: Stripe is not even asked


async def test_a_booking_that_is_not_pending_cannot_be_paid(
    client: httpx.AsyncClient, app: Any, user: Any
) -> None:
    prop = await make_property(app)
    booking = (await book(client, user, prop, "property", 20, 23)).json()["data"]
    await client.post(f"/v1/bookings/{booking['id']}/cancel", headers=user.headers)
    response = await client.post(
        f"/v1/bookings/{booking['id']}/payment", json={"method": "cash"}, headers=user.headers
    )
    assert_error(response, 422, "INVALID_STATE")
