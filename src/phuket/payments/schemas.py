from __future__ import annotations

from typing import Literal

from pydantic import Field

from phuket.bookings.schemas import BookingStatus, PaymentStatus
from phuket.core.schemas import ApiModel, Money, RequestModel, UtcDateTime


class PaymentStart(RequestModel):
    method: Literal["card", "cash"]


class PaymentStartPublic(ApiModel):
    booking_id: str
    method: Literal["card", "cash"] = Field(
        description="What the booking will be paid with. `cash` with `fallback: true` when a card payment "
        "was asked for but card payments are unavailable right now."
    )
    fallback: bool = False
    payment_status: PaymentStatus
    booking_status: BookingStatus
    amount: Money
    client_secret: str | None = Field(
        default=None, description="Card: confirm the PaymentIntent with this (Stripe SDK on the client)."
    )
    payment_intent_id: str | None = None
    publishable_key: str | None = None
    due_on_arrival: Money | None = Field(default=None, description="Cash: the amount to pay on arrival.")
    hold_expires_at: UtcDateTime | None = Field(
        default=None, description="The dates are held for this booking until then, unless paid."
    )


class WebhookAck(ApiModel):
    received: bool = True
    duplicate: bool = False
