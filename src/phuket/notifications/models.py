"""Push devices and the reminders already enqueued."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from phuket.core.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow


class Device(IdMixin, TimestampMixin, Base):
    """An FCM registration token. A token belongs to one install: registering it again moves it to the
    caller (a phone changes hands, a user logs in as someone else)."""

    __tablename__ = "device"
    __table_args__ = (CheckConstraint("platform IN ('ios', 'android', 'web')", name="platform_known"),)

    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token: Mapped[str] = mapped_column(String(512), nullable=False, unique=True)
    platform: Mapped[str] = mapped_column(String(10), nullable=False)


class BookingReminder(Base):
    """One row per booking reminded 24 h before its start: the primary key makes the reminder once-only."""

    __tablename__ = "booking_reminder"

    booking_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("booking.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
