"""Paying for a booking: a Stripe card payment, or cash on arrival (the manual fallback of seed §10.1).

The card flow: `start_payment` creates a PaymentIntent (idempotency key = booking id + attempt, so a
request retried after a crash gets the same intent), the app confirms it with the client secret, and
Stripe's webhook (`webhooks.py`) marks it paid, which confirms an instantly confirmable booking.
Refunds are created by the outbox worker when a `booking_cancelled` message carries a refund
(`refund_booking`), and reconciled by their webhooks.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.bookings import service as bookings
from phuket.bookings.models import Booking
from phuket.core.errors import BusinessRuleError, NotFound
from phuket.core.outbox import enqueue
from phuket.core.schemas import Money
from phuket.payments.client import PaymentsUnavailable, StripeGateway
from phuket.payments.models import Payment, Refund
from phuket.payments.schemas import PaymentStartPublic
from phuket.users.models import User

log = logging.getLogger("phuket.payments")

# Forward-only: a status may only move to a higher rank (processing ⇄ failed: a card retried on the
# same intent). A late `payment_failed` or `processing` never undoes `succeeded`.
PAYMENT_RANK = {"requires_payment": 0, "processing": 1, "failed": 1, "succeeded": 3, "canceled": 3}
REFUND_RANK = {"pending": 0, "requires_action": 1, "succeeded": 2, "failed": 2, "canceled": 2}


def payment_may_become(old: str, new: str) -> bool:
    if old == new:
        return False
    return PAYMENT_RANK[new] > PAYMENT_RANK[old] or {old, new} == {"processing", "failed"}


def refund_may_become(old: str, new: str) -> bool:
    # Stripe documents that a succeeded refund can still fail later (the bank returns it).
    return old != new and (REFUND_RANK[new] > REFUND_RANK[old] or (old, new) == ("succeeded", "failed"))


async def _next_attempt(session: AsyncSession, booking_id: str) -> int:
    count = await session.scalar(select(func.count()).where(Payment.booking_id == booking_id))
    return int(count or 0) + 1


async def start_payment(
    session: AsyncSession,
    gateway: StripeGateway,
    user: User,
    booking_id: str,
    method: Literal["card", "cash"],
    *,
    now: datetime,
) -> PaymentStartPublic:
    booking = await session.get(Booking, booking_id, with_for_update=True)
    if booking is None or booking.user_id != user.id:
        raise NotFound()
    if booking.status != "pending" or booking.payment_status != "unpaid":
        raise BusinessRuleError("INVALID_STATE")
    attempt = await _next_attempt(session, booking.id)
    fallback = False
    if method == "card":
        if gateway.configured:
            try:
                intent = await gateway.create_intent(
                    booking_id=booking.id,
                    attempt=attempt,
                    amount=booking.total_price,
                    description=f"Booking {booking.confirmation_code}",
                )
            except PaymentsUnavailable as exc:
                log.warning("card payment unavailable, falling back to cash", extra={"reason": str(exc)})
            else:
                session.add(
                    Payment(
                        booking_id=booking.id,
                        user_id=user.id,
                        attempt=attempt,
                        provider="stripe",
                        status="processing" if intent.status == "processing" else "requires_payment",
                        amount=booking.total_price,
                        provider_payment_id=intent.id,
                    )
                )
                booking.payment_method = "card"
                booking.payment_status = "processing"
                await session.flush()
                return PaymentStartPublic(
                    booking_id=booking.id,
                    method="card",
                    fallback=False,
                    payment_status="processing",
                    booking_status=booking.status,
                    amount=Money.thb(booking.total_price),
                    client_secret=intent.client_secret,
                    payment_intent_id=intent.id,
                    publishable_key=gateway.publishable_key,
                    hold_expires_at=booking.hold_expires_at,
                )
        fallback = True
    session.add(
        Payment(
            booking_id=booking.id,
            user_id=user.id,
            attempt=attempt,
            provider="cash",
            status="requires_payment",
            amount=booking.total_price,
        )
    )
    await bookings.record_payment(
        session, booking, amount=Decimal("0"), method="cash", status="due_on_arrival", now=now
    )
    if booking.status == "pending":  # on-request item: held until the start, for an admin to confirm
        booking.hold_expires_at = booking.starts_at
    await session.flush()
    return PaymentStartPublic(
        booking_id=booking.id,
        method="cash",
        fallback=fallback,
        payment_status=booking.payment_status,
        booking_status=booking.status,
        amount=Money.thb(booking.total_price),
        due_on_arrival=Money.thb(booking.total_price - booking.amount_paid),
        hold_expires_at=booking.hold_expires_at,
    )


async def mark_paid(session: AsyncSession, booking_id: str, *, now: datetime) -> Booking:
    """Admin: the cash due on arrival was received. Confirms an instantly confirmable pending booking."""
    booking = await session.get(Booking, booking_id, with_for_update=True)
    if booking is None:
        raise NotFound()
    if not booking.is_live or booking.payment_status not in ("unpaid", "due_on_arrival"):
        raise BusinessRuleError("INVALID_STATE")
    due = booking.total_price - booking.amount_paid
    payment = await session.scalar(
        select(Payment)
        .where(
            Payment.booking_id == booking.id,
            Payment.provider == "cash",
            Payment.status == "requires_payment",
        )
        .order_by(Payment.attempt.desc())
        .limit(1)
    )
    if payment is None:
        payment = Payment(
            booking_id=booking.id,
            user_id=booking.user_id,
            attempt=await _next_attempt(session, booking.id),
            provider="cash",
            amount=due,
        )
        session.add(payment)
    payment.status = "succeeded"
    payment.amount = due
    payment.succeeded_at = now
    await bookings.record_payment(session, booking, amount=due, method="cash", status="paid", now=now)
    await enqueue_payment_received(session, booking, due)
    return booking


async def enqueue_payment_received(session: AsyncSession, booking: Booking, amount: Decimal) -> None:
    payload = await bookings.event_payload(session, booking)
    if payload is not None:
        payload["amountReceived"] = f"{amount:.2f}"
        await enqueue(session, "payment_received", payload, user_id=booking.user_id)


async def succeeded_card_payment(session: AsyncSession, booking_id: str) -> Payment | None:
    result = await session.scalar(
        select(Payment)
        .where(
            Payment.booking_id == booking_id,
            Payment.provider == "stripe",
            Payment.status == "succeeded",
        )
        .order_by(Payment.attempt.desc())
        .limit(1)
    )
    return result


def refund_message(booking_id: str, payment: Payment, amount: Decimal, key: str) -> dict[str, Any]:
    """The payload of an outbox `refund` message (delivered by the worker through `refund_booking`)."""
    return {
        "bookingId": booking_id,
        "paymentId": payment.id,
        "amount": f"{amount:.2f}",
        "idempotencyKey": key,
    }


async def refund_booking(
    session: AsyncSession, gateway: StripeGateway, payload: dict[str, Any], *, now: datetime
) -> None:
    """Create (or find again, by its idempotency key) the Stripe refund of an outbox `refund` message.

    Raises `PaymentsUnavailable` while Stripe cannot be reached: the worker retries the message later."""
    payment = await session.get(Payment, str(payload["paymentId"]))
    if payment is None or payment.provider_payment_id is None:
        log.error("refund for an unknown card payment", extra={"bookingId": payload.get("bookingId")})
        return
    amount = min(Decimal(str(payload["amount"])), payment.amount)
    result = await gateway.create_refund(
        booking_id=payment.booking_id,
        payment_intent_id=payment.provider_payment_id,
        amount=amount,
        key=str(payload["idempotencyKey"]),
    )
    refund = await session.scalar(select(Refund).where(Refund.provider_refund_id == result.id))
    if refund is None:  # its webhook may have come first; then the row exists already
        refund = Refund(
            booking_id=payment.booking_id,
            payment_id=payment.id,
            amount=result.amount,
            provider_refund_id=result.id,
            status="pending",
            reason="cancellation",
        )
        session.add(refund)
    if result.status in REFUND_RANK and refund_may_become(refund.status, result.status):
        refund.status = result.status
    await session.flush()
    await reconcile_refunds(session, payment.booking_id)


async def reconcile_refunds(session: AsyncSession, booking_id: str) -> None:
    """booking.payment_status from the refunds that went through: refunded or partially_refunded."""
    booking = await session.get(Booking, booking_id)
    if booking is None:
        return
    refunded = await session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.booking_id == booking_id, Refund.status == "succeeded"
        )
    )
    total = Decimal(str(refunded or 0))
    if total <= 0:
        return
    booking.payment_status = "refunded" if total >= booking.amount_paid else "partially_refunded"
    await session.flush()


ABANDON_GRACE = timedelta(minutes=30)


async def release_abandoned_card_payments(session: AsyncSession, *, now: datetime) -> int:
    """A card payment started but never finished must not hold the dates forever: once the hold plus a
    grace period has passed, the booking is `unpaid` again and the hold expiry takes it. If Stripe still
    reports a success later, that payment is refunded in full (see webhooks)."""
    rows = (
        (
            await session.execute(
                select(Booking)
                .where(
                    Booking.status == "pending",
                    Booking.payment_status == "processing",
                    Booking.hold_expires_at.is_not(None),
                    Booking.hold_expires_at < now - ABANDON_GRACE,
                )
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    for booking in rows:
        booking.payment_status = "unpaid"
    await session.flush()
    return len(rows)
