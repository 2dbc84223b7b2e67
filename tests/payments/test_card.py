"""A card payment through a fake Stripe, confirmed by signed webhooks; then a refund."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import func, select

from phuket.core.outbox import OutboxMessage
from phuket.notifications.worker import Worker
from phuket.payments.models import Payment, Refund
from tests.conftest import assert_error, register
from tests.factories import make_vehicle
from tests.fakes.stripe import FakeStripe, event, signed
from tests.payments.conftest import WEBHOOK_SECRET, book, send_webhook


async def _booking(client: httpx.AsyncClient, app: Any, account: Any, **item: Any) -> dict[str, Any]:
    vehicle = await make_vehicle(
        app, price_thb=Decimal("333.33"), low_season_price_thb=Decimal("333.33"), **item
    )
    response = await book(client, account, vehicle, "vehicle", 10, 13)
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


async def _outbox_count(app: Any, kind: str) -> int:
    async with app.state.db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).where(OutboxMessage.kind == kind)) or 0)


def _intent(stripe_fake: FakeStripe, intent_id: str, status: str) -> dict[str, Any]:
    intent = dict(stripe_fake.intents[intent_id])
    intent["status"] = status
    if status == "succeeded":
        intent["amount_received"] = intent["amount"]
    if status == "requires_payment_method":
        intent["last_payment_error"] = {"message": "Your card was declined."}
    return intent


async def test_card_payment_creates_an_intent_for_the_exact_amount_in_satang(
    client: httpx.AsyncClient, stripe_app: Any, stripe_fake: FakeStripe, user: Any
) -> None:
    booking = await _booking(client, stripe_app, user)
    total = Decimal(booking["totalPrice"]["amount"])
    response = await client.post(
        f"/v1/bookings/{booking['id']}/payment", json={"method": "card"}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["method"] == "card" and data["fallback"] is False
    assert data["clientSecret"].startswith(data["paymentIntentId"])
    assert data["publishableKey"] == "pk_test_123"
    assert data["amount"] == {"amount": f"{total:.2f}", "currency": "THB"}
    sent = FakeStripe.form(stripe_fake.requests("/v1/payment_intents")[0])
    assert sent["amount"] == str(int(total * 100)) and sent["currency"] == "thb"
    assert sent["metadata[bookingId]"] == booking["id"]
    request = stripe_fake.requests("/v1/payment_intents")[0]
    assert request.headers["idempotency-key"] == f"booking-{booking['id']}-payment-1"
    assert request.headers["authorization"] == "Bearer sk_test_123"
    shown = (await client.get(f"/v1/bookings/{booking['id']}", headers=user.headers)).json()["data"]
    assert shown["paymentStatus"] == "processing" and shown["status"] == "pending"

    again = await client.post(
        f"/v1/bookings/{booking['id']}/payment", json={"method": "card"}, headers=user.headers
    )
    assert_error(again, 422, "INVALID_STATE")


async def test_only_the_owner_can_pay_and_the_body_is_checked(
    client: httpx.AsyncClient, stripe_app: Any, user: Any
) -> None:
    booking = await _booking(client, stripe_app, user)
    stranger = await register(client)
    url = f"/v1/bookings/{booking['id']}/payment"
    assert_error(await client.post(url, json={"method": "card"}, headers=stranger.headers), 404, "NOT_FOUND")
    assert_error(
        await client.post(url, json={"method": "bitcoin"}, headers=user.headers), 400, "VALIDATION_ERROR"
    )
    assert_error(await client.post(url, json={}, headers=user.headers), 400, "VALIDATION_ERROR")
    assert_error(await client.post(url, json={"method": "card"}), 401, "UNAUTHORIZED")
    assert_error(
        await client.post("/v1/bookings/nope/payment", json={"method": "card"}, headers=user.headers),
        404,
        "NOT_FOUND",
    )


async def test_signed_webhooks_pay_once_move_forward_only_and_refund(
    client: httpx.AsyncClient, stripe_app: Any, stripe_fake: FakeStripe, user: Any
) -> None:
    booking = await _booking(client, stripe_app, user)
    url = f"/v1/bookings/{booking['id']}"
    started = (await client.post(f"{url}/payment", json={"method": "card"}, headers=user.headers)).json()
    intent_id = started["data"]["paymentIntentId"]
    succeeded = event("payment_intent.succeeded", _intent(stripe_fake, intent_id, "succeeded"))

    # Forged: signed with another secret, or not signed at all → 400, nothing changes.
    body, header = signed(succeeded, "whsec_wrong")
    forged = await client.post(
        "/v1/payments/webhook",
        content=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )
    assert_error(forged, 400, "VALIDATION_ERROR")
    unsigned = await client.post(
        "/v1/payments/webhook", content=body, headers={"Content-Type": "application/json"}
    )
    assert_error(unsigned, 400, "VALIDATION_ERROR")
    stale_body, stale_header = signed(succeeded, WEBHOOK_SECRET, timestamp=1_600_000_000)
    stale = await client.post(
        "/v1/payments/webhook",
        content=stale_body,
        headers={"Stripe-Signature": stale_header, "Content-Type": "application/json"},
    )
    assert_error(stale, 400, "VALIDATION_ERROR")
    assert (await client.get(url, headers=user.headers)).json()["data"]["paymentStatus"] == "processing"

    first = await send_webhook(client, succeeded)
    assert first.status_code == 200 and first.json()["data"] == {"received": True, "duplicate": False}
    paid = (await client.get(url, headers=user.headers)).json()["data"]
    assert paid["status"] == "confirmed" and paid["paymentStatus"] == "paid"
    assert paid["amountPaid"] == booking["totalPrice"]

    replay = await send_webhook(client, succeeded)
    assert replay.status_code == 200 and replay.json()["data"]["duplicate"] is True
    assert await _outbox_count(stripe_app, "payment_received") == 1

    # Out of order: a late failure and a late "processing" never undo the success.
    late_failure = event(
        "payment_intent.payment_failed", _intent(stripe_fake, intent_id, "requires_payment_method")
    )
    late_processing = event("payment_intent.processing", _intent(stripe_fake, intent_id, "processing"))
    for late in (late_failure, late_processing):
        assert (await send_webhook(client, late)).status_code == 200
    still = (await client.get(url, headers=user.headers)).json()["data"]
    assert still["status"] == "confirmed" and still["paymentStatus"] == "paid"
    async with stripe_app.state.db.sessionmaker() as session:
        payment = await session.scalar(select(Payment).where(Payment.provider_payment_id == intent_id))
        assert (
            payment is not None
            and payment.status == "succeeded"
            and payment.amount == Decimal(booking["totalPrice"]["amount"])
        )

    # Cancelled 10 days ahead: a full refund, sent to Stripe by the worker, once.
    cancelled = await client.post(f"{url}/cancel", headers=user.headers)
    assert cancelled.status_code == 200 and cancelled.json()["data"]["refundAmount"] == booking["totalPrice"]
    worker = Worker(stripe_app.state)
    await worker.drain()
    await Worker(stripe_app.state).drain()  # a second worker finds nothing left to do
    refunds = stripe_fake.requests("/v1/refunds")
    assert len(refunds) == 1
    assert refunds[0].headers["idempotency-key"] == f"booking-{booking['id']}-refund"
    form = FakeStripe.form(refunds[0])
    assert (
        form["payment_intent"] == intent_id
        and form["amount"] == stripe_fake.intents[intent_id]["amount"].__str__()
    )
    refund_obj = next(iter(stripe_fake.refunds.values()))
    assert (await client.get(url, headers=user.headers)).json()["data"]["paymentStatus"] == "paid"

    done = dict(refund_obj, status="succeeded")
    assert (await send_webhook(client, event("refund.updated", done))).status_code == 200
    assert (await client.get(url, headers=user.headers)).json()["data"]["paymentStatus"] == "refunded"
    # A late "pending" for the same refund does not move it back.
    await send_webhook(client, event("refund.updated", dict(refund_obj, status="pending")))
    async with stripe_app.state.db.sessionmaker() as session:
        rows = (await session.execute(select(Refund))).scalars().all()
        assert [(r.status, r.provider_refund_id) for r in rows] == [("succeeded", refund_obj["id"])]


async def test_charge_refunded_webhook_before_the_worker_stores_the_refund(
    client: httpx.AsyncClient, stripe_app: Any, stripe_fake: FakeStripe, user: Any
) -> None:
    """Out of order: Stripe's webhook about a partial refund can arrive before our row exists."""
    booking = await _booking(client, stripe_app, user)
    url = f"/v1/bookings/{booking['id']}"
    intent_id = (await client.post(f"{url}/payment", json={"method": "card"}, headers=user.headers)).json()[
        "data"
    ]["paymentIntentId"]
    await send_webhook(
        client, event("payment_intent.succeeded", _intent(stripe_fake, intent_id, "succeeded"))
    )
    amount = stripe_fake.intents[intent_id]["amount"]
    refund = {
        "id": "re_dashboard_1",
        "object": "refund",
        "amount": amount // 2,
        "status": "succeeded",
        "payment_intent": intent_id,
        "currency": "thb",
    }
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": intent_id,
        "amount": amount,
        "amount_refunded": amount // 2,
        "refunds": {"object": "list", "data": [refund]},
    }
    assert (await send_webhook(client, event("charge.refunded", charge))).status_code == 200
    assert (await client.get(url, headers=user.headers)).json()["data"][
        "paymentStatus"
    ] == "partially_refunded"


async def test_webhook_without_a_configured_secret_is_refused(client: httpx.AsyncClient, user: Any) -> None:
    body, header = signed(event("payment_intent.succeeded", {"id": "pi_x"}), WEBHOOK_SECRET)
    response = await client.post(
        "/v1/payments/webhook",
        content=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )
    assert_error(response, 400, "VALIDATION_ERROR")


async def test_an_abandoned_card_payment_releases_the_dates_and_a_late_success_is_refunded(
    client: httpx.AsyncClient, stripe_app: Any, stripe_fake: FakeStripe, user: Any
) -> None:
    from datetime import timedelta

    from phuket.core.db import utcnow
    from phuket.notifications.jobs import PeriodicJobs

    booking = await _booking(client, stripe_app, user)
    url = f"/v1/bookings/{booking['id']}"
    started = await client.post(f"{url}/payment", json={"method": "card"}, headers=user.headers)
    intent_id = started.json()["data"]["paymentIntentId"]
    await PeriodicJobs(stripe_app.state).run_due(utcnow() + timedelta(hours=3), force=True)
    assert (await client.get(url, headers=user.headers)).json()["data"]["status"] == "expired"

    late = event("payment_intent.succeeded", _intent(stripe_fake, intent_id, "succeeded"))
    assert (await send_webhook(client, late)).status_code == 200
    await Worker(stripe_app.state).drain()
    refunds = stripe_fake.requests("/v1/refunds")
    assert len(refunds) == 1 and FakeStripe.form(refunds[0])["amount"] == str(
        stripe_fake.intents[intent_id]["amount"]
    )
