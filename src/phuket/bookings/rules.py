"""The rules a booking must obey before it exists: dates, length, notice, guests, tour days (seed §3.2).
Pure checks over an item and a request; availability (other bookings, seats) is in availability.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from phuket.bookings.pricing import Quote, stay_price, tour_price
from phuket.bookings.schemas import BookingCreate
from phuket.catalog.models import AnyItem, Property, Tour, Vehicle
from phuket.core.config import PHUKET_TZ, Settings
from phuket.core.errors import BusinessRuleError
from phuket.core.i18n import translate

PHUKET = ZoneInfo(PHUKET_TZ)
VEHICLE_PICKUP = time(9, 0)


def today_in_phuket(now: datetime) -> date:
    return now.astimezone(PHUKET).date()


def local_start(item: AnyItem, day: date) -> datetime:
    """When the booking begins, in UTC: vehicle pick-up 09:00, property check-in, tour start time."""
    if isinstance(item, Property):
        clock = _parse_clock(item.check_in_time, time(14, 0))
    elif isinstance(item, Tour):
        clock = _parse_clock(item.start_time, time(8, 0))
    else:
        clock = VEHICLE_PICKUP
    return datetime.combine(day, clock, tzinfo=PHUKET).astimezone(UTC)


def _parse_clock(value: str, default: time) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        return default


@dataclass(frozen=True)
class Plan:
    """A request checked against the item's rules: the dates it occupies and its price."""

    start: date
    end: date
    blocked_until: date
    starts_at: datetime
    quote: Quote


def _dates_error(key: str, **params: object) -> BusinessRuleError:
    return BusinessRuleError("INVALID_DATES", details=[("startDate", translate(key).format(**params))])


def plan_booking(item: AnyItem, body: BookingCreate, *, now: datetime, settings: Settings) -> Plan:
    start = body.start_date
    today = today_in_phuket(now)
    if start < today:
        raise _dates_error("dates.past")
    if start > today + timedelta(days=settings.booking_horizon_days):
        raise _dates_error("dates.horizon", days=settings.booking_horizon_days)

    if isinstance(item, Tour):
        end = start + timedelta(days=1)
        if body.end_date is not None and body.end_date not in (start, end):
            raise BusinessRuleError("INVALID_DATES", details=[("endDate", translate("dates.order"))])
        if start.weekday() not in item.days_of_week:
            raise BusinessRuleError(
                "ITEM_UNAVAILABLE", details=[("startDate", translate("dates.not_running"))]
            )
        _check_guests(body.guests_count, minimum=item.min_guests, maximum=item.max_guests_per_booking)
        blocked_until = end
        quote = tour_price(
            day=start,
            adults=body.guests_count - body.children_count,
            children=body.children_count,
            high_rate=item.price_thb,
            low_rate=item.low_season_price_thb,
            child_rate=item.child_price_thb,
        )
    else:
        if body.end_date is None:
            raise BusinessRuleError("INVALID_DATES", details=[("endDate", translate("dates.end_required"))])
        end = body.end_date
        if end <= start:
            raise BusinessRuleError("INVALID_DATES", details=[("endDate", translate("dates.order"))])
        units = (end - start).days
        if isinstance(item, Vehicle):
            minimum, maximum, capacity = item.min_days, item.max_days, item.seats
            cleaning = Decimal("0")
        else:
            minimum, maximum, capacity = item.min_nights, item.max_nights, item.max_guests
            cleaning = item.cleaning_fee_thb
        if units < minimum:
            raise BusinessRuleError(
                "INVALID_DATES", details=[("endDate", translate("dates.too_short").format(n=minimum))]
            )
        if units > maximum:
            raise BusinessRuleError(
                "INVALID_DATES", details=[("endDate", translate("dates.too_long").format(n=maximum))]
            )
        _check_guests(body.guests_count, minimum=1, maximum=capacity)
        blocked_until = end + timedelta(days=max(0, item.turnaround_days))
        quote = stay_price(
            start=start,
            end=end,
            high_rate=item.price_thb,
            low_rate=item.low_season_price_thb,
            weekly_discount_pct=item.weekly_discount_pct,
            monthly_discount_pct=item.monthly_discount_pct,
            cleaning_fee=cleaning,
        )

    starts_at = local_start(item, start)
    if starts_at - now < timedelta(hours=item.advance_notice_hours):
        raise _dates_error("dates.notice", hours=item.advance_notice_hours)
    return Plan(start=start, end=end, blocked_until=blocked_until, starts_at=starts_at, quote=quote)


def _check_guests(count: int, *, minimum: int, maximum: int) -> None:
    if count > maximum:
        raise BusinessRuleError(
            "TOO_MANY_GUESTS", details=[("guestsCount", translate("guests.max").format(n=maximum))]
        )
    if count < minimum:
        raise BusinessRuleError(
            "TOO_FEW_GUESTS", details=[("guestsCount", translate("guests.min").format(n=minimum))]
        )
