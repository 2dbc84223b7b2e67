"""Whether an item is free: live bookings per vehicle/property, seats per tour and day.

The checks here give a clear answer in the normal case; the database has the last word under
concurrency (exclusion constraint / trigger for stays, conditional UPDATE + CHECK for seats)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.bookings.models import LIVE_STATUSES, Booking, TourInventory
from phuket.bookings.pricing import is_high_season
from phuket.bookings.rules import local_start, today_in_phuket
from phuket.bookings.schemas import AvailabilityDay
from phuket.catalog.models import ITEM_MODELS, AnyItem, Tour
from phuket.core.errors import BusinessRuleError
from phuket.core.schemas import Money


def _overlapping(item_id: str, start: date, blocked_until: date) -> ColumnElement[bool]:
    return and_(
        Booking.item_id == item_id,
        Booking.status.in_(LIVE_STATUSES),
        Booking.start_date < blocked_until,
        start < Booking.blocked_until,
    )


async def ensure_stay_free(session: AsyncSession, item_id: str, start: date, blocked_until: date) -> None:
    clash = await session.execute(
        select(Booking.id).where(_overlapping(item_id, start, blocked_until)).limit(1)
    )
    if clash.first() is not None:
        raise BusinessRuleError("ITEM_UNAVAILABLE")


async def seats_left(session: AsyncSession, tour: Tour, day: date) -> int:
    row = await session.get(TourInventory, (tour.id, day))
    return tour.seats_per_day if row is None else row.seats_total - row.seats_booked


async def take_seats(session: AsyncSession, tour: Tour, day: date, count: int) -> None:
    """Atomically take `count` seats of a tour's day, or fail with ITEM_UNAVAILABLE."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(TourInventory)
        .values(tour_id=tour.id, day=day, seats_total=tour.seats_per_day, seats_booked=0)
        .on_conflict_do_nothing(index_elements=["tour_id", "day"])
    )
    taken = await session.execute(
        update(TourInventory)
        .where(
            TourInventory.tour_id == tour.id,
            TourInventory.day == day,
            TourInventory.seats_booked + count <= TourInventory.seats_total,
        )
        .values(seats_booked=TourInventory.seats_booked + count)
    )
    if getattr(taken, "rowcount", 0) != 1:
        raise BusinessRuleError("ITEM_UNAVAILABLE")


async def release_seats(session: AsyncSession, tour_id: str, day: date, count: int) -> None:
    await session.execute(
        update(TourInventory)
        .where(
            TourInventory.tour_id == tour_id, TourInventory.day == day, TourInventory.seats_booked >= count
        )
        .values(seats_booked=TourInventory.seats_booked - count)
    )


async def calendar(
    session: AsyncSession, item_type: str, item: AnyItem, first: date, last: date, *, now: datetime
) -> list[AvailabilityDay]:
    """One row per day of [first, last]: can a booking start that day?"""
    today = today_in_phuket(now)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    notice = timedelta(hours=item.advance_notice_hours)

    def bookable(day: date) -> bool:
        return day >= today and local_start(item, day) - now >= notice

    def rate(day: date) -> Money:
        return Money.thb(item.price_thb if is_high_season(day) else item.low_season_price_thb)

    if isinstance(item, Tour):
        rows = await session.execute(
            select(TourInventory).where(
                TourInventory.tour_id == item.id, TourInventory.day >= first, TourInventory.day <= last
            )
        )
        booked = {row.day: row.seats_total - row.seats_booked for row in rows.scalars()}
        result = []
        for day in days:
            runs = day.weekday() in item.days_of_week
            left = booked.get(day, item.seats_per_day) if runs else 0
            result.append(
                AvailabilityDay(
                    date=day,
                    available=runs and left > 0 and bookable(day),
                    price=rate(day),
                    seats_left=left,
                    runs=runs,
                )
            )
        return result

    blocked: set[date] = set()
    stays = await session.execute(
        select(Booking.start_date, Booking.blocked_until).where(
            _overlapping(item.id, first, last + timedelta(days=1))
        )
    )
    for start, until in stays.all():
        day = max(start, first)
        while day < until and day <= last:
            blocked.add(day)
            day += timedelta(days=1)
    return [AvailabilityDay(date=d, available=d not in blocked and bookable(d), price=rate(d)) for d in days]


async def unavailable_item_ids(session: AsyncSession, item_type: str, start: date, end: date) -> set[str]:
    """Items of a kind that cannot be booked for [start, end) — for the catalog's availability filters.
    Tours: `start` is the day; tours that don't run then or are full are returned."""
    if item_type == "tour":
        full = await session.execute(
            select(TourInventory.tour_id).where(
                TourInventory.day == start, TourInventory.seats_booked >= TourInventory.seats_total
            )
        )
        ids = set(full.scalars())
        tours = await session.execute(select(Tour.id, Tour.days_of_week).where(Tour.is_active.is_(True)))
        ids.update(tour_id for tour_id, dow in tours.all() if start.weekday() not in dow)
        return ids
    taken = await session.execute(
        select(func.distinct(Booking.item_id)).where(
            Booking.item_type == item_type,
            Booking.status.in_(LIVE_STATUSES),
            Booking.start_date < end,
            start < Booking.blocked_until,
        )
    )
    return set(taken.scalars())


async def load_item(session: AsyncSession, item_type: str, item_id: str) -> AnyItem | None:
    model = ITEM_MODELS[item_type]
    item = cast(AnyItem | None, await session.get(model, item_id))
    if item is None:
        found = await session.execute(select(model).where(model.slug == item_id))
        item = cast(AnyItem | None, found.scalar_one_or_none())
    return item if item is not None and item.is_active else None
