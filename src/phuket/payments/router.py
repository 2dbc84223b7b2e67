from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request, status

from phuket.auth.dependencies import AdminUser, CurrentUser, SettingsDep
from phuket.bookings import service as bookings
from phuket.bookings.schemas import BookingPublic
from phuket.core.db import SessionDep, utcnow
from phuket.core.errors import error_responses
from phuket.core.http import envelope
from phuket.core.ratelimit import rate_limit
from phuket.core.schemas import Envelope
from phuket.payments import service, webhooks
from phuket.payments.client import StripeGateway
from phuket.payments.schemas import PaymentStart, PaymentStartPublic, WebhookAck

router = APIRouter(tags=["payments"])
admin_router = APIRouter(prefix="/v1/admin/bookings", tags=["admin"])

BookingId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "/v1/bookings/{booking_id}/payment",
    status_code=status.HTTP_201_CREATED,
    response_model=Envelope[PaymentStartPublic],
    responses=error_responses(401, 404, 422),
    dependencies=[Depends(rate_limit("user"))],
    summary="Pay for my pending booking by card (Stripe) or in cash on arrival",
    description="`card`: a Stripe PaymentIntent for the booking's total; confirm it on the client with "
    "`clientSecret` (and `publishableKey`); the booking is paid when Stripe's webhook says so. "
    "`cash`: the amount is due on arrival and the booking is held until its start. When card payments "
    "are unavailable (not configured, or Stripe is down) a card request gets the cash answer with "
    "`fallback: true`. Only a `pending`, `unpaid` booking can be paid (else 422 `INVALID_STATE`).",
)
async def pay_booking(
    booking_id: BookingId, body: PaymentStart, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> Any:
    result = await service.start_payment(
        session, StripeGateway(settings), user, booking_id, body.method, now=utcnow()
    )
    return envelope(result)


@router.post(
    "/v1/payments/webhook",
    response_model=Envelope[WebhookAck],
    responses=error_responses(400),
    summary="Stripe webhook (signature checked with the webhook secret)",
    description="Events are applied once (a replay is acknowledged with `duplicate: true`) and payment "
    "states only move forward. Missing or bad `Stripe-Signature` (or no webhook secret configured) → 400, "
    "nothing changes.",
)
async def stripe_webhook(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    stripe_signature: Annotated[str | None, Header(alias="Stripe-Signature")] = None,
) -> Any:
    payload = await request.body()
    event = webhooks.verify(settings, payload, stripe_signature)
    applied = await webhooks.apply_event(session, event, now=utcnow())
    return envelope(WebhookAck(received=True, duplicate=not applied))


@admin_router.post(
    "/{booking_id}/mark-paid",
    response_model=Envelope[BookingPublic],
    responses=error_responses(401, 403, 404, 422),
    summary="Record the cash received on arrival (admin)",
)
async def admin_mark_paid(booking_id: BookingId, admin: AdminUser, session: SessionDep) -> Any:
    now = utcnow()
    booking = await service.mark_paid(session, booking_id, now=now)
    items = await bookings.item_summaries(session, [booking])
    return envelope(bookings.to_public(booking, now=now, item=items.get(booking.item_id)))
