"""My bookings, cancellation with its refund, the admin status machine, expiry and the calendar."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select, update

from phuket.bookings import service
from phuket.bookings.models import Booking, TourInventory
from phuket.core.db import utcnow
from phuket.core.outbox import OutboxMessage
from tests.bookings.conftest import book, iso
from tests.conftest import Account, assert_error
from tests.factories import make_property, make_tour, make_vehicle


async def _paid(app: Any, booking_id: str, amount: str) -> None:
    async with app.state.db.sessionmaker() as session, session.begin():
        booking = await session.get(Booking, booking_id)
        assert booking is not None
        await service.record_payment(
            session, booking, amount=Decimal(amount), method="card", status="paid", now=utcnow()
        )


async def test_my_bookings_are_mine_only_paginated_and_filterable(
    client: httpx.AsyncClient, app: Any, user: Account, other: Account
) -> None:
    scooter = await make_vehicle(app)
    ids = [
        (await book(client, user, scooter, "vehicle", 2 * n + 2, 2 * n + 3)).json()["data"]["id"]
        for n in range(5)
    ]
    await book(client, other, scooter, "vehicle", 30, 31)
    await client.post(f"/v1/bookings/{ids[0]}/cancel", headers=user.headers)

    page1 = await client.get("/v1/bookings?per_page=2", headers=user.headers)
    assert page1.status_code == 200
    assert page1.headers["x-total-count"] == "5" and page1.headers["x-total-pages"] == "3"
    page3 = await client.get("/v1/bookings?per_page=2&page=3", headers=user.headers)
    seen = [b["id"] for b in page1.json()["data"]] + [b["id"] for b in page3.json()["data"]]
    assert len(page3.json()["data"]) == 1 and len(set(seen)) == 3
    beyond = await client.get("/v1/bookings?page=9", headers=user.headers)
    assert beyond.status_code == 200 and beyond.json()["data"] == []
    cancelled = await client.get("/v1/bookings?status=cancelled", headers=user.headers)
    assert [b["id"] for b in cancelled.json()["data"]] == [ids[0]]
    assert_error(await client.get("/v1/bookings?status=lost", headers=user.headers), 400, "VALIDATION_ERROR")
    for bad in ("per_page=0", "per_page=1000", "page=-1", "page=0", "page=x"):
        assert_error(await client.get(f"/v1/bookings?{bad}", headers=user.headers), 400, "VALIDATION_ERROR")


async def test_someone_elses_booking_is_404_but_admins_see_it(
    client: httpx.AsyncClient, app: Any, user: Account, other: Account, admin: Account
) -> None:
    scooter = await make_vehicle(app)
    booking_id = (await book(client, user, scooter, "vehicle", 3, 4)).json()["data"]["id"]
    assert_error(await client.get(f"/v1/bookings/{booking_id}", headers=other.headers), 404, "NOT_FOUND")
    assert_error(
        await client.post(f"/v1/bookings/{booking_id}/cancel", headers=other.headers), 404, "NOT_FOUND"
    )
    assert_error(await client.get("/v1/bookings/not-a-real-id", headers=user.headers), 404, "NOT_FOUND")
    assert_error(await client.get(f"/v1/bookings/{booking_id}"), 401, "UNAUTHORIZED")
    assert (await client.get(f"/v1/bookings/{booking_id}", headers=admin.headers)).status_code == 200
    mine = await client.get(f"/v1/bookings/{booking_id}", headers=user.headers)
    assert mine.json()["data"]["id"] == booking_id


async def test_free_cancellation_refunds_everything_paid(
    client: httpx.AsyncClient, app: Any, user: Account
) -> None:
    villa = await make_property(app, free_cancellation_hours=48)
    booking = (await book(client, user, villa, "property", 10, 12)).json()["data"]
    await _paid(app, booking["id"], booking["totalPrice"]["amount"])
    shown = (await client.get(f"/v1/bookings/{booking['id']}", headers=user.headers)).json()["data"]
    assert shown["status"] == "confirmed"  # instant confirmation once paid
    assert shown["cancellation"]["refundAmountNow"] == booking["totalPrice"]
    response = await client.post(
        f"/v1/bookings/{booking['id']}/cancel", headers=user.headers, json={"reason": "plans"}
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["status"] == "cancelled" and data["refundAmount"] == booking["totalPrice"]
    assert data["cancelledBy"] == "user"
    assert_error(
        await client.post(f"/v1/bookings/{booking['id']}/cancel", headers=user.headers), 422, "INVALID_STATE"
    )


async def test_late_cancellation_refunds_the_policy_percentage(
    client: httpx.AsyncClient, app: Any, user: Account
) -> None:
    villa = await make_property(
        app, free_cancellation_hours=24 * 30, late_cancellation_refund_pct=30, min_nights=1
    )
    booking = (await book(client, user, villa, "property", 5, 6)).json()["data"]
    await _paid(app, booking["id"], "1000.00")
    shown = (await client.get(f"/v1/bookings/{booking['id']}", headers=user.headers)).json()["data"]
    assert shown["cancellation"]["refundPercentNow"] == 30
    data = (await client.post(f"/v1/bookings/{booking['id']}/cancel", headers=user.headers)).json()["data"]
    assert data["refundAmount"] == {"amount": "300.00", "currency": "THB"}
    async with app.state.db.sessionmaker() as session:
        kinds = [m.kind for m in (await session.execute(select(OutboxMessage))).scalars()]
    assert "booking_cancelled" in kinds


async def test_admin_moves_bookings_through_the_status_machine(
    client: httpx.AsyncClient, app: Any, user: Account, admin: Account
) -> None:
    villa = await make_property(app, instant_confirmation=False)
    booking_id = (await book(client, user, villa, "property", 10, 12)).json()["data"]["id"]
    base = f"/v1/admin/bookings/{booking_id}"
    assert_error(await client.post(f"{base}/confirm", headers=user.headers), 403, "FORBIDDEN")
    assert_error(await client.post(f"{base}/complete", headers=admin.headers), 422, "INVALID_STATE")
    confirmed = await client.post(f"{base}/confirm", headers=admin.headers)
    assert confirmed.json()["data"]["status"] == "confirmed"
    assert_error(await client.post(f"{base}/confirm", headers=admin.headers), 422, "INVALID_STATE")
    completed = await client.post(f"{base}/complete", headers=admin.headers)
    assert completed.json()["data"]["status"] == "completed"
    assert_error(await client.post(f"{base}/cancel", headers=admin.headers), 422, "INVALID_STATE")
    assert_error(
        await client.post(f"/v1/bookings/{booking_id}/cancel", headers=user.headers), 422, "INVALID_STATE"
    )
    assert_error(
        await client.post("/v1/admin/bookings/nope/confirm", headers=admin.headers), 404, "NOT_FOUND"
    )
    listing = await client.get("/v1/admin/bookings", headers=admin.headers)
    assert [b["id"] for b in listing.json()["data"]] == [booking_id]
    assert_error(await client.get("/v1/admin/bookings", headers=user.headers), 403, "FORBIDDEN")


async def test_admin_cancellation_refunds_in_full(
    client: httpx.AsyncClient, app: Any, user: Account, admin: Account
) -> None:
    villa = await make_property(
        app, free_cancellation_hours=24 * 60, late_cancellation_refund_pct=0, min_nights=1
    )
    booking = (await book(client, user, villa, "property", 5, 6)).json()["data"]
    await _paid(app, booking["id"], booking["totalPrice"]["amount"])
    data = (await client.post(f"/v1/admin/bookings/{booking['id']}/cancel", headers=admin.headers)).json()[
        "data"
    ]
    assert data["refundAmount"] == booking["totalPrice"] and data["cancelledBy"] == "admin"


async def test_unpaid_holds_expire_and_free_dates_and_seats(
    client: httpx.AsyncClient, app: Any, user: Account, other: Account
) -> None:
    scooter = await make_vehicle(app)
    tour = await make_tour(app, seats_per_day=3)
    stay = (await book(client, user, scooter, "vehicle", 5, 7)).json()["data"]
    trip = (await book(client, user, tour, "tour", 5, guests=3)).json()["data"]
    assert_error(await book(client, other, scooter, "vehicle", 5, 7), 422, "ITEM_UNAVAILABLE")
    async with app.state.db.sessionmaker() as session, session.begin():
        await session.execute(
            update(Booking)
            .values(hold_expires_at=utcnow() - timedelta(minutes=1))
            .where(Booking.id.in_([stay["id"], trip["id"]]))
        )
        assert await service.expire_holds(session, now=utcnow()) == 2
    async with app.state.db.sessionmaker() as session:
        inventory = (await session.execute(select(TourInventory))).scalar_one()
    assert inventory.seats_booked == 0
    gone = (await client.get(f"/v1/bookings/{stay['id']}", headers=user.headers)).json()["data"]
    assert gone["status"] == "expired" and gone["cancellation"] is None
    assert (await book(client, other, scooter, "vehicle", 5, 7)).status_code == 201
    assert (await book(client, other, tour, "tour", 5, guests=3)).status_code == 201


async def test_a_booking_whose_hold_ran_out_is_released_on_the_next_attempt(
    client: httpx.AsyncClient, app: Any, user: Account, other: Account
) -> None:
    scooter = await make_vehicle(app)
    stay = (await book(client, user, scooter, "vehicle", 5, 7)).json()["data"]
    async with app.state.db.sessionmaker() as session, session.begin():
        await session.execute(
            update(Booking)
            .values(hold_expires_at=utcnow() - timedelta(seconds=1))
            .where(Booking.id == stay["id"])
        )
    assert (await book(client, other, scooter, "vehicle", 5, 7)).status_code == 201


async def test_availability_calendar_of_a_vehicle(client: httpx.AsyncClient, app: Any, user: Account) -> None:
    scooter = await make_vehicle(app, turnaround_days=1)
    await book(client, user, scooter, "vehicle", 5, 7)
    response = await client.get(f"/v1/vehicles/{scooter.id}/availability?from={iso(3)}&to={iso(9)}")
    assert response.status_code == 200, response.text
    days = {d["date"]: d["available"] for d in response.json()["data"]}
    assert days == {
        iso(3): True,
        iso(4): True,
        iso(5): False,
        iso(6): False,
        iso(7): False,
        iso(8): True,
        iso(9): True,
    }
    assert response.json()["data"][0]["price"]["currency"] == "THB"
    past = await client.get(f"/v1/vehicles/{scooter.id}/availability?from={iso(-2)}&to={iso(-1)}")
    assert [d["available"] for d in past.json()["data"]] == [False, False]


async def test_availability_calendar_of_a_tour(client: httpx.AsyncClient, app: Any, user: Account) -> None:
    tour = await make_tour(app, seats_per_day=10)
    await book(client, user, tour, "tour", 5, guests=4)
    data = (await client.get(f"/v1/tours/{tour.slug}/availability?from={iso(5)}&to={iso(6)}")).json()["data"]
    assert [(d["seatsLeft"], d["runs"], d["available"]) for d in data] == [(6, True, True), (10, True, True)]


async def test_availability_bad_requests(client: httpx.AsyncClient, app: Any) -> None:
    scooter = await make_vehicle(app)
    base = f"/v1/vehicles/{scooter.id}/availability"
    assert_error(await client.get(f"{base}?from={iso(5)}&to={iso(3)}"), 400, "VALIDATION_ERROR")
    assert_error(await client.get(f"{base}?from={iso(1)}&to={iso(400)}"), 400, "VALIDATION_ERROR")
    assert_error(await client.get(f"{base}?from={iso(1)}"), 400, "VALIDATION_ERROR")
    assert_error(await client.get(f"{base}?from=soon&to={iso(3)}"), 400, "VALIDATION_ERROR")
    assert_error(
        await client.get(f"/v1/vehicles/nope/availability?from={iso(1)}&to={iso(3)}"), 404, "NOT_FOUND"
    )
    assert_error(
        await client.get(f"/v1/properties/{scooter.id}/availability?from={iso(1)}&to={iso(3)}"),
        404,
        "NOT_FOUND",
    )


async def test_export_includes_my_bookings(client: httpx.AsyncClient, app: Any, user: Account) -> None:
    scooter = await make_vehicle(app)
    booking_id = (await book(client, user, scooter, "vehicle", 3, 4)).json()["data"]["id"]
    export = (await client.get("/v1/users/me/export", headers=user.headers)).json()["data"]
    assert [b["id"] for b in export["bookings"]] == [booking_id]
