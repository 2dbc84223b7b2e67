"""Bookings, tour seat inventory and idempotency keys (seed §3.2).

No double booking is guaranteed by the database, not only by a check in Python:
- PostgreSQL: an exclusion constraint over `daterange(start_date, blocked_until, '[)')` per item, only for
  live statuses (migration 0003); SQLite: a trigger with the same rule, and booking transactions begin
  IMMEDIATE so the check and the insert are one atomic step.
- Tour seats: one `tour_inventory` row per tour and day, taken with a conditional UPDATE; a CHECK backs it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from phuket.core.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow

LIVE_STATUSES = ("pending", "confirmed")
STATUSES = ("pending", "confirmed", "completed", "cancelled", "expired")


class Booking(IdMixin, TimestampMixin, Base):
    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint("end_date > start_date", name="dates_ordered"),
        CheckConstraint("blocked_until >= end_date", name="blocked_after_end"),
        CheckConstraint(
            "guests_count >= 1 AND children_count >= 0 AND children_count <= guests_count", name="guests"
        ),
        CheckConstraint(
            "total_price >= 0 AND amount_paid >= 0 AND refund_amount >= 0", name="money_not_negative"
        ),
        CheckConstraint(
            "status IN ('pending', 'confirmed', 'completed', 'cancelled', 'expired')", name="status_known"
        ),
        CheckConstraint("item_type IN ('vehicle', 'property', 'tour')", name="item_type_known"),
        Index("ix_booking_item_dates", "item_id", "start_date", "blocked_until"),
        Index("ix_booking_status_hold", "status", "hold_expires_at"),
    )

    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("user.id"), nullable=False, index=True)
    item_type: Mapped[str] = mapped_column(String(16), nullable=False)
    item_id: Mapped[str] = mapped_column(String(36), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending", index=True)
    confirmation_code: Mapped[str] = mapped_column(String(12), nullable=False, unique=True)

    # Vehicles and properties: the stay is [start_date, end_date). Tours: end_date = start_date + 1 day.
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    # end_date plus the item's turnaround days: the item cannot be booked again before this date.
    blocked_until: Mapped[date] = mapped_column(Date, nullable=False)
    guests_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    children_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="THB")
    total_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    price_breakdown: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    # The cancellation policy is copied from the item at booking time: later edits do not change it.
    free_cancellation_hours: Mapped[int] = mapped_column(Integer, nullable=False, default=24)
    late_cancellation_refund_pct: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    instant_confirmation: Mapped[bool] = mapped_column(nullable=False, default=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    payment_status: Mapped[str] = mapped_column(String(20), nullable=False, default="unpaid")
    payment_method: Mapped[str | None] = mapped_column(String(10), nullable=True)
    amount_paid: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False, default=Decimal("0"))
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancelled_by: Mapped[str | None] = mapped_column(String(10), nullable=True)
    cancellation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    refund_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False, default=Decimal("0"))
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class TourInventory(Base):
    """Seats of one tour on one day. Created on first booking of that day with the tour's seats."""

    __tablename__ = "tour_inventory"
    __table_args__ = (
        CheckConstraint("seats_booked >= 0 AND seats_booked <= seats_total", name="seats_within_total"),
    )

    tour_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("tour.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    seats_total: Mapped[int] = mapped_column(Integer, nullable=False)
    seats_booked: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class IdempotencyKey(Base):
    """Stripe-style idempotency for POST /v1/bookings: the first response is kept 24 h and replayed."""

    __tablename__ = "idempotency_key"

    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="running")
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    locked_until: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
