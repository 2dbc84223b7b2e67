"""Push devices, and the booking payload every booking notification is rendered from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.bookings import service as bookings
from phuket.bookings.models import Booking
from phuket.core import gdpr
from phuket.core.errors import NotFound
from phuket.core.outbox import OutboxMessage, enqueue
from phuket.notifications.models import BookingReminder, Device
from phuket.users.models import User

REMINDER_LEAD = timedelta(hours=24)


async def register_device(session: AsyncSession, user: User, *, token: str, platform: str) -> Device:
    """Upsert by token: the same token registered again belongs to the caller, on its new platform."""
    device = await session.scalar(select(Device).where(Device.token == token).with_for_update())
    if device is None:
        device = Device(user_id=user.id, token=token, platform=platform)
        try:
            async with session.begin_nested():
                session.add(device)
                await session.flush()
            return device
        except IntegrityError:  # registered concurrently: update the winner's row instead
            device = await session.scalar(select(Device).where(Device.token == token))
            if device is None:  # pragma: no cover
                raise
    device.user_id = user.id
    device.platform = platform
    await session.flush()
    return device


async def unregister_device(session: AsyncSession, user: User, token: str) -> None:
    result = await session.execute(delete(Device).where(Device.token == token, Device.user_id == user.id))
    if not getattr(result, "rowcount", 0):
        raise NotFound()


async def devices_of(session: AsyncSession, user_id: str) -> Sequence[Device]:
    return (await session.execute(select(Device).where(Device.user_id == user_id))).scalars().all()


async def forget_token(session: AsyncSession, token: str) -> None:
    """FCM said the token is dead (app uninstalled): never push to it again."""
    await session.execute(delete(Device).where(Device.token == token))


async def enqueue_reminders(session: AsyncSession, *, now: datetime) -> int:
    """A reminder for each confirmed booking starting within 24 h, once (the reminder row's key)."""
    rows = (
        await session.execute(
            select(Booking)
            .outerjoin(BookingReminder, BookingReminder.booking_id == Booking.id)
            .where(
                Booking.status == "confirmed",
                Booking.starts_at > now,
                Booking.starts_at <= now + REMINDER_LEAD,
                BookingReminder.booking_id.is_(None),
            )
            .limit(500)
        )
    ).scalars()
    count = 0
    for booking in rows.all():
        payload = await bookings.event_payload(session, booking)
        try:
            async with session.begin_nested():
                session.add(BookingReminder(booking_id=booking.id, created_at=now))
                await session.flush()
        except IntegrityError:  # another worker reminded it a moment ago
            continue
        if payload is not None:
            await enqueue(session, "booking_reminder", payload, user_id=booking.user_id)
            count += 1
    return count


async def _export(session: AsyncSession, user_id: str) -> list[dict[str, Any]]:
    return [
        {"token": d.token, "platform": d.platform, "createdAt": d.created_at.isoformat()}
        for d in await devices_of(session, user_id)
    ]


async def _erase(session: AsyncSession, user_id: str) -> None:
    """Erasure: no more pushes or emails to this person (a pending refund still goes out)."""
    await session.execute(delete(Device).where(Device.user_id == user_id))
    await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.user_id == user_id,
            OutboxMessage.status.in_(("pending", "processing")),
            OutboxMessage.kind != "refund",
        )
    )


gdpr.register_exporter("devices", _export)
gdpr.register_eraser(_erase)
