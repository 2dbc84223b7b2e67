"""Stripe webhooks: verified, applied once, forward-only.

The parts of each event we rely on (Stripe API objects, see docs/api-notes.md):
- every event: `{"id": "evt_...", "type": "...", "data": {"object": {...}}}`
- `payment_intent.succeeded|processing|payment_failed|canceled`: object is a PaymentIntent
  `{"id": "pi_...", "status", "amount", "amount_received", "currency": "thb",
    "metadata": {"bookingId"}, "last_payment_error": {"message"}?}`
- `refund.created|updated|failed`: object is a Refund
  `{"id": "re_...", "status", "amount", "payment_intent": "pi_...", "metadata": {"bookingId"}?}`
- `charge.refunded`: object is a Charge `{"id": "ch_...", "payment_intent": "pi_...", "amount",
  "amount_refunded", "refunds": {"data": [Refund, ...]}?}`
Other types are acknowledged and ignored.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

import stripe
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.bookings import service as bookings
from phuket.bookings.models import Booking
from phuket.core.config import Settings
from phuket.core.errors import ValidationFailed
from phuket.core.outbox import enqueue
from phuket.payments import service
from phuket.payments.client import from_minor_units
from phuket.payments.models import Payment, Refund, StripeEvent

log = logging.getLogger("phuket.payments")


def verify(settings: Settings, payload: bytes, signature: str | None) -> dict[str, Any]:
    secret = settings.stripe_webhook_secret
    if secret is None:  # nothing can be verified, so nothing is believed
        raise ValidationFailed(details=[("Stripe-Signature", "webhooks are not configured")])
    if not signature:
        raise ValidationFailed(details=[("Stripe-Signature", "missing signature")])
    try:
        stripe.Webhook.construct_event(payload, signature, secret.get_secret_value())
        data = json.loads(payload)
    except stripe.SignatureVerificationError as exc:
        raise ValidationFailed(details=[("Stripe-Signature", "invalid signature")]) from exc
    except ValueError as exc:
        raise ValidationFailed(details=[("body", "not a Stripe event")]) from exc
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("id"), str)
        or not isinstance(data.get("data"), dict)
    ):
        raise ValidationFailed(details=[("body", "not a Stripe event")])
    return data


async def apply_event(session: AsyncSession, event: dict[str, Any], *, now: datetime) -> bool:
    """Apply one verified event. False when it had been applied before (a replay)."""
    try:
        async with session.begin_nested():
            session.add(StripeEvent(id=event["id"], type=str(event.get("type", ""))[:64], received_at=now))
            await session.flush()
    except IntegrityError:
        return False
    kind = str(event.get("type", ""))
    obj: dict[str, Any] = event["data"].get("object") or {}
    if kind.startswith("payment_intent."):
        await _payment_intent(session, kind.removeprefix("payment_intent."), obj, now=now)
    elif kind.startswith("refund."):
        await _refund(session, obj)
    elif kind == "charge.refunded":
        for refund in (obj.get("refunds") or {}).get("data") or []:
            await _refund(session, refund)
    return True


_PI_STATUS = {
    "succeeded": "succeeded",
    "processing": "processing",
    "payment_failed": "failed",
    "canceled": "canceled",
}


async def _payment_intent(session: AsyncSession, action: str, obj: dict[str, Any], *, now: datetime) -> None:
    new = _PI_STATUS.get(action)
    if new is None:
        return
    payment = await session.scalar(
        select(Payment).where(Payment.provider_payment_id == str(obj.get("id"))).with_for_update()
    )
    if payment is None:
        log.warning("webhook for an unknown PaymentIntent", extra={"paymentIntent": obj.get("id")})
        return
    if not service.payment_may_become(payment.status, new):
        log.info("stale payment event ignored", extra={"from": payment.status, "to": new})
        return
    payment.status = new
    booking = await session.get(Booking, payment.booking_id, with_for_update=True)
    if booking is None:  # pragma: no cover - a foreign key
        return
    if new == "failed":
        error = obj.get("last_payment_error") or {}
        payment.failure_reason = str(error.get("message") or "payment failed")[:500]
    elif new == "canceled" and booking.payment_status == "processing":
        booking.payment_status = "unpaid"  # the hold runs out and the booking expires as usual
    elif new == "succeeded":
        payment.succeeded_at = now
        received = obj.get("amount_received", obj.get("amount"))
        amount = from_minor_units(int(received)) if received is not None else payment.amount
        payment.amount = amount
        await _money_received(session, booking, payment, amount, now=now)
    await session.flush()


async def _money_received(
    session: AsyncSession, booking: Booking, payment: Payment, amount: Decimal, *, now: datetime
) -> None:
    if booking.status == "pending" and booking.payment_status in ("unpaid", "processing"):
        await bookings.record_payment(session, booking, amount=amount, method="card", status="paid", now=now)
        await service.enqueue_payment_received(session, booking, amount)
        return
    # Paid too late (expired, cancelled) or twice: the money goes back in full, through the outbox.
    log.warning(
        "payment for a booking that no longer needs it; refunding",
        extra={"bookingId": booking.id, "status": booking.status},
    )
    await enqueue(
        session,
        "refund",
        service.refund_message(booking.id, payment, amount, f"payment-{payment.id}-refund"),
        user_id=booking.user_id,
    )


async def _refund(session: AsyncSession, obj: dict[str, Any]) -> None:
    refund_id = obj.get("id")
    status = str(obj.get("status") or "")
    if not isinstance(refund_id, str) or status not in service.REFUND_RANK:
        return
    refund = await session.scalar(
        select(Refund).where(Refund.provider_refund_id == refund_id).with_for_update()
    )
    if refund is None:  # created before our worker stored it, or in Stripe's dashboard
        payment = await session.scalar(
            select(Payment).where(Payment.provider_payment_id == str(obj.get("payment_intent")))
        )
        if payment is None or obj.get("amount") is None:
            log.warning("refund webhook for an unknown payment", extra={"refund": refund_id})
            return
        refund = Refund(
            booking_id=payment.booking_id,
            payment_id=payment.id,
            amount=from_minor_units(int(obj["amount"])),
            provider_refund_id=refund_id,
            status="pending",
            reason="cancellation",
        )
        session.add(refund)
    if service.refund_may_become(refund.status, status):
        refund.status = status
    await session.flush()
    await service.reconcile_refunds(session, refund.booking_id)
