"""Bookings (seed §3.2): create, quote, list, cancel with the item's policy, the status machine, expiry."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.bookings import availability
from phuket.bookings.availability import load_item, unavailable_item_ids
from phuket.bookings.models import LIVE_STATUSES, Booking
from phuket.bookings.pricing import Quote, refund_amount, refund_percent
from phuket.bookings.rules import Plan, plan_booking
from phuket.bookings.schemas import (
    BookingCreate,
    BookingPublic,
    CancellationTerms,
    ItemSummary,
    PriceLine,
    QuotePublic,
)
from phuket.catalog.models import ITEM_MODELS, AnyItem, Tour
from phuket.core import gdpr, metrics
from phuket.core.config import Settings
from phuket.core.errors import BusinessRuleError, NotFound
from phuket.core.i18n import current_language, translate
from phuket.core.outbox import enqueue
from phuket.core.schemas import Money
from phuket.users.models import User

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B: readable over the phone
CODE_LENGTH = 8

__all__ = ["unavailable_item_ids"]


def new_confirmation_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def _item_or_404(session: AsyncSession, item_type: str, item_id: str) -> AnyItem:
    item = await load_item(session, item_type, item_id)
    if item is None:
        raise NotFound(details=[("itemId", translate("NOT_FOUND"))])
    return item


def quote_public(plan: Plan | Quote, item_type: str, *, units: int | None = None) -> QuotePublic:
    quote = plan.quote if isinstance(plan, Plan) else plan
    lines = [
        PriceLine(
            kind=line.kind,
            label=translate(f"price.{line.kind}"),
            quantity=line.quantity,
            unit_price=Money.thb(line.unit_price),
            amount=Money.thb(line.amount),
        )
        for line in quote.lines
    ]
    result = QuotePublic(total_price=Money.thb(quote.total), breakdown=lines)
    if isinstance(plan, Plan) and item_type != "tour":
        n = (plan.end - plan.start).days
        result.nights, result.days = (n, None) if item_type == "property" else (None, n)
    return result


async def quote(
    session: AsyncSession, settings: Settings, body: BookingCreate, *, now: datetime
) -> QuotePublic:
    """What creating this booking would cost now, or the same error creating it would get."""
    item = await _item_or_404(session, body.item_type, body.item_id)
    plan = plan_booking(item, body, now=now, settings=settings)
    if isinstance(item, Tour):
        if await availability.seats_left(session, item, plan.start) < body.guests_count:
            raise BusinessRuleError("ITEM_UNAVAILABLE")
    else:
        await expire_holds(session, now=now, item_id=item.id)
        await availability.ensure_stay_free(session, item.id, plan.start, plan.blocked_until)
    return quote_public(plan, body.item_type)


async def create_booking(
    session: AsyncSession, settings: Settings, user: User, body: BookingCreate, *, now: datetime
) -> Booking:
    item = await _item_or_404(session, body.item_type, body.item_id)
    plan = plan_booking(item, body, now=now, settings=settings)
    if isinstance(item, Tour):
        await availability.take_seats(session, item, plan.start, body.guests_count)
    else:
        await expire_holds(session, now=now, item_id=item.id)
        await availability.ensure_stay_free(session, item.id, plan.start, plan.blocked_until)

    booking = Booking(
        user_id=user.id,
        item_type=body.item_type,
        item_id=item.id,
        status="pending",
        start_date=plan.start,
        end_date=plan.end,
        blocked_until=plan.blocked_until,
        guests_count=body.guests_count,
        children_count=body.children_count,
        total_price=plan.quote.total,
        price_breakdown=[line.as_dict() for line in plan.quote.lines],
        free_cancellation_hours=item.free_cancellation_hours,
        late_cancellation_refund_pct=item.late_cancellation_refund_pct,
        instant_confirmation=item.instant_confirmation,
        starts_at=plan.starts_at,
        hold_expires_at=now + timedelta(minutes=settings.booking_hold_minutes),
    )
    for _attempt in range(5):
        booking.confirmation_code = new_confirmation_code()
        try:
            async with session.begin_nested():
                session.add(booking)
                await session.flush()
            break
        except IntegrityError as exc:
            text = str(exc.orig).lower()
            if "overlap" in text or "exclusion" in text or "23p01" in text:
                raise BusinessRuleError("ITEM_UNAVAILABLE") from exc
            if "confirmation_code" not in text:
                raise
        except DBAPIError as exc:
            # PostgreSQL: two transactions inserting overlapping stays each wait on the other's row in the
            # exclusion index, and one is chosen as the deadlock's victim (40P01). Only the savepoint is
            # lost: try again, and the retry waits for the other booking and then sees it (or its absence).
            if not _is_deadlock(exc):
                raise
    else:  # five confirmation-code collisions or lost deadlocks in a row
        raise BusinessRuleError("CONFLICT")
    await enqueue(session, "booking_created", _event(booking, item, user), user_id=user.id)
    metrics.BOOKINGS_CREATED.inc()
    return booking


def _is_deadlock(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code == "40P01" or "deadlock detected" in str(exc.orig).lower()


def _event(booking: Booking, item: AnyItem, user: User) -> dict[str, Any]:
    return {
        "bookingId": booking.id,
        "confirmationCode": booking.confirmation_code,
        "itemType": booking.item_type,
        "itemName": {"en": item.name_en, "ru": item.name_ru},
        "startDate": booking.start_date.isoformat(),
        "endDate": booking.end_date.isoformat(),
        "totalPrice": f"{booking.total_price:.2f}",
        "refundAmount": f"{booking.refund_amount:.2f}",
        "paymentMethod": booking.payment_method,
        "status": booking.status,
        "language": user.language,
        "email": user.email,
        "fullName": user.full_name,
    }


async def event_payload(session: AsyncSession, booking: Booking) -> dict[str, Any] | None:
    """The payload of a booking's outbox events (created, confirmed, cancelled, paid…): what the messages
    need, in both languages. An item deactivated since still has its name."""
    user = await session.get(User, booking.user_id)
    item = cast(AnyItem | None, await session.get(ITEM_MODELS[booking.item_type], booking.item_id))
    if user is None or item is None:
        return None
    return _event(booking, item, user)


async def _emit(session: AsyncSession, kind: str, booking: Booking) -> None:
    payload = await event_payload(session, booking)
    if payload is not None:
        await enqueue(session, kind, payload, user_id=booking.user_id)


async def get_for_user(session: AsyncSession, user: User, booking_id: str) -> Booking:
    """Someone else's booking is 404 — we never reveal that it exists — except to admins."""
    booking = await session.get(Booking, booking_id)
    if booking is None or (booking.user_id != user.id and not user.is_admin):
        raise NotFound()
    return booking


async def list_for_user(
    session: AsyncSession, user_id: str | None, *, status: str | None, offset: int, limit: int
) -> tuple[Sequence[Booking], int]:
    query = select(Booking)
    if user_id is not None:
        query = query.where(Booking.user_id == user_id)
    if status:
        query = query.where(Booking.status == status)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(Booking.start_date.desc(), Booking.created_at.desc()).offset(offset).limit(limit)
    )
    return rows.scalars().all(), int(total or 0)


def cancellation_terms(booking: Booking, now: datetime) -> CancellationTerms | None:
    if not booking.is_live:
        return None
    hours = (booking.starts_at - now).total_seconds() / 3600
    pct = refund_percent(
        hours_before_start=hours,
        free_cancellation_hours=booking.free_cancellation_hours,
        late_refund_pct=booking.late_cancellation_refund_pct,
    )
    return CancellationTerms(
        free_until=booking.starts_at - timedelta(hours=booking.free_cancellation_hours),
        refund_percent_now=pct,
        refund_amount_now=Money.thb(refund_amount(booking.amount_paid, pct)),
        late_refund_percent=booking.late_cancellation_refund_pct,
    )


async def _release(session: AsyncSession, booking: Booking) -> None:
    if booking.item_type == "tour":
        await availability.release_seats(session, booking.item_id, booking.start_date, booking.guests_count)


def _require(booking: Booking, *allowed: str) -> None:
    if booking.status not in allowed:
        raise BusinessRuleError("INVALID_STATE")


async def cancel(
    session: AsyncSession, booking: Booking, *, by: str, now: datetime, reason: str | None = None
) -> Booking:
    """A user gets back what the item's policy allows; an admin (the company cancelling) refunds in full."""
    _require(booking, *LIVE_STATUSES)
    terms = cancellation_terms(booking, now)
    pct = 100 if by == "admin" else (terms.refund_percent_now if terms else 0)
    booking.status = "cancelled"
    booking.cancelled_at = now
    booking.cancelled_by = by
    booking.cancellation_reason = reason
    booking.refund_amount = refund_amount(booking.amount_paid, pct)
    booking.hold_expires_at = None
    await _release(session, booking)
    await session.flush()
    await _emit(session, "booking_cancelled", booking)
    metrics.BOOKINGS_CANCELLED.inc()
    return booking


async def confirm(session: AsyncSession, booking: Booking, *, now: datetime) -> Booking:
    _require(booking, "pending")
    booking.status = "confirmed"
    booking.confirmed_at = now
    booking.hold_expires_at = None
    await session.flush()
    await _emit(session, "booking_confirmed", booking)
    return booking


async def complete(session: AsyncSession, booking: Booking, *, now: datetime) -> Booking:
    _require(booking, "confirmed")
    booking.status = "completed"
    booking.completed_at = now
    await session.flush()
    return booking


async def record_payment(
    session: AsyncSession, booking: Booking, *, amount: Decimal, method: str, status: str, now: datetime
) -> Booking:
    """For the payments feature: money received (or promised on arrival). An instantly confirmable item
    is confirmed as soon as it is paid or the cash promise is accepted; an on-request one waits for an admin."""
    booking.payment_method = method
    booking.payment_status = status
    booking.amount_paid = booking.amount_paid + amount
    if booking.status == "pending":
        booking.hold_expires_at = None
        if booking.instant_confirmation:
            await confirm(session, booking, now=now)
    await session.flush()
    return booking


async def expire_holds(session: AsyncSession, *, now: datetime, item_id: str | None = None) -> int:
    """Unpaid `pending` bookings whose hold has run out become `expired` and free their dates/seats."""
    query = select(Booking).where(
        Booking.status == "pending",
        Booking.payment_status == "unpaid",
        Booking.hold_expires_at.is_not(None),
        Booking.hold_expires_at < now,
    )
    if item_id is not None:
        query = query.where(Booking.item_id == item_id)
    rows = (await session.execute(query.with_for_update(skip_locked=True))).scalars().all()
    for booking in rows:
        booking.status = "expired"
        booking.expired_at = now
        booking.hold_expires_at = None
        await _release(session, booking)
        await _emit(session, "booking_expired", booking)
    if rows:
        await session.flush()
    return len(rows)


async def item_summaries(session: AsyncSession, bookings: Sequence[Booking]) -> dict[str, ItemSummary]:
    wanted: dict[str, set[str]] = {}
    for b in bookings:
        wanted.setdefault(b.item_type, set()).add(b.item_id)
    language = current_language.get()
    result: dict[str, ItemSummary] = {}
    for item_type, ids in wanted.items():
        model = ITEM_MODELS[item_type]
        found = (await session.execute(select(model).where(model.id.in_(ids)))).scalars()
        for item in cast(Sequence[AnyItem], found.all()):
            result[item.id] = ItemSummary(
                id=item.id,
                type=cast(Any, item_type),
                name=item.name(language),
                area=item.area,
                image=item.images[0] if item.images else None,
            )
    return result


def to_public(booking: Booking, *, now: datetime, item: ItemSummary | None = None) -> BookingPublic:
    breakdown = [
        PriceLine(
            kind=line["kind"],
            label=translate(f"price.{line['kind']}"),
            quantity=line["quantity"],
            unit_price=Money.thb(Decimal(line["unitPrice"])),
            amount=Money.thb(Decimal(line["amount"])),
        )
        for line in booking.price_breakdown
    ]
    return BookingPublic.model_validate(
        {
            **{c: getattr(booking, c) for c in BookingPublic.model_fields if hasattr(booking, c)},
            "item": item,
            "breakdown": breakdown,
            "total_price": Money.thb(booking.total_price),
            "amount_paid": Money.thb(booking.amount_paid),
            "refund_amount": Money.thb(booking.refund_amount),
            "cancellation": cancellation_terms(booking, now),
        }
    )


async def _export(session: AsyncSession, user_id: str) -> list[dict[str, Any]]:
    from phuket.core.db import utcnow

    rows = (await session.execute(select(Booking).where(Booking.user_id == user_id))).scalars().all()
    now = utcnow()
    return [to_public(b, now=now).model_dump(mode="json", by_alias=True) for b in rows]


gdpr.register_exporter("bookings", _export)
