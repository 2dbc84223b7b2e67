"""Payments, refunds and the Stripe events already applied.

A `payment` row is one attempt to pay a booking: a Stripe PaymentIntent (`provider="stripe"`) or the
manual cash payment due on arrival (`provider="cash"`). Its status only moves forward (see
`service.PAYMENT_RANK`). A `refund` row is money going back through Stripe. Amounts are THB Decimals;
Stripe's integer minor units (satang) exist only at the client boundary.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from phuket.core.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow

PAYMENT_STATUSES = ("requires_payment", "processing", "failed", "succeeded", "canceled")
REFUND_STATUSES = ("pending", "requires_action", "succeeded", "failed", "canceled")


class Payment(IdMixin, TimestampMixin, Base):
    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("provider IN ('stripe', 'cash')", name="provider_known"),
        CheckConstraint(
            "status IN ('requires_payment', 'processing', 'failed', 'succeeded', 'canceled')",
            name="status_known",
        ),
        Index("ix_payment_booking_id_attempt", "booking_id", "attempt", unique=True),
    )

    booking_id: Mapped[str] = mapped_column(String(36), ForeignKey("booking.id"), nullable=False)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("user.id"), nullable=False, index=True)
    attempt: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    provider: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="requires_payment")
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="THB")
    # Stripe's PaymentIntent id (pi_...), unique when present.
    provider_payment_id: Mapped[str | None] = mapped_column(String(255), nullable=True, unique=True)
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Refund(IdMixin, TimestampMixin, Base):
    __tablename__ = "refund"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "status IN ('pending', 'requires_action', 'succeeded', 'failed', 'canceled')",
            name="status_known",
        ),
    )

    booking_id: Mapped[str] = mapped_column(String(36), ForeignKey("booking.id"), nullable=False, index=True)
    payment_id: Mapped[str] = mapped_column(String(36), ForeignKey("payment.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="THB")
    provider_refund_id: Mapped[str | None] = mapped_column(String(255), nullable=True, unique=True)
    reason: Mapped[str | None] = mapped_column(String(64), nullable=True)


class StripeEvent(Base):
    """Every webhook event id applied: a replayed event finds its id here and changes nothing."""

    __tablename__ = "stripe_event"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(64), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
