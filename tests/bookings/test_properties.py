"""Property-based checks (hypothesis): prices match an independent calculation, and no sequence of
create / cancel / expire ever leaves two live bookings of one item overlapping."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from phuket.bookings import service
from phuket.bookings.models import LIVE_STATUSES, Booking
from phuket.bookings.pricing import refund_amount, stay_price, tour_price
from phuket.bookings.schemas import BookingCreate
from phuket.core.db import utcnow
from phuket.core.errors import BusinessRuleError
from phuket.users.models import User
from tests.bookings.conftest import day
from tests.factories import make_vehicle

rates = st.decimals(min_value=Decimal("1"), max_value=Decimal("50000"), places=2)


def naive_stay(
    start: date, end: date, high: Decimal, low: Decimal, weekly: int, monthly: int, cleaning: Decimal
) -> Decimal:
    total = Decimal("0")
    d = start
    while d < end:
        total += high if d.month in (11, 12, 1, 2, 3, 4) else low
        d += timedelta(days=1)
    nights = (end - start).days
    pct = monthly if nights >= 28 and monthly else (weekly if nights >= 7 else 0)
    discount = (total * pct / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return total - discount + cleaning


@given(
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
    nights=st.integers(min_value=1, max_value=120),
    high=rates,
    low=rates,
    weekly=st.integers(min_value=0, max_value=50),
    monthly=st.integers(min_value=0, max_value=50),
    cleaning=st.decimals(min_value=Decimal("0"), max_value=Decimal("5000"), places=2),
)
def test_stay_price_matches_an_independent_calculation(
    start: date, nights: int, high: Decimal, low: Decimal, weekly: int, monthly: int, cleaning: Decimal
) -> None:
    end = start + timedelta(days=nights)
    quote = stay_price(
        start=start,
        end=end,
        high_rate=high,
        low_rate=low,
        weekly_discount_pct=weekly,
        monthly_discount_pct=monthly,
        cleaning_fee=cleaning,
    )
    assert quote.total == naive_stay(start, end, high, low, weekly, monthly, cleaning)
    assert all(isinstance(line.amount, Decimal) for line in quote.lines)
    assert quote.total >= 0


@given(
    day_=st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
    adults=st.integers(min_value=0, max_value=20),
    children=st.integers(min_value=0, max_value=20),
    high=rates,
    low=rates,
    child=rates,
)
def test_tour_price_is_per_person(
    day_: date, adults: int, children: int, high: Decimal, low: Decimal, child: Decimal
) -> None:
    adult_rate = high if day_.month in (11, 12, 1, 2, 3, 4) else low
    expected = adult_rate * adults + min(child, adult_rate) * children
    assert (
        tour_price(
            day=day_, adults=adults, children=children, high_rate=high, low_rate=low, child_rate=child
        ).total
        == expected
    )


@given(paid=rates, pct=st.integers(min_value=0, max_value=100))
def test_refund_never_exceeds_what_was_paid(paid: Decimal, pct: int) -> None:
    refund = refund_amount(paid, pct)
    assert Decimal("0") <= refund <= paid
    assert refund == (paid * pct / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


op = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 1), st.integers(1, 25), st.integers(1, 6)),
    st.tuples(st.just("cancel"), st.integers(0, 30)),
    st.tuples(st.just("expire"), st.integers(0, 30)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, min_size=1, max_size=25))
async def test_no_sequence_of_operations_double_books(app: Any, ops: list[tuple[Any, ...]]) -> None:
    db = app.state.db
    async with db.sessionmaker() as session, session.begin():
        await session.execute(Booking.__table__.delete())
    items = [await make_vehicle(app, turnaround_days=n) for n in (0, 1)]
    async with db.sessionmaker() as session, session.begin():
        # One user per example; examples share the test's database. (`id(ops)` was reused by Python once a
        # previous example's list was freed: two examples, one email, a UNIQUE failure.)
        user = User(email=f"prop-{uuid.uuid4().hex}@example.com", full_name="P", password_hash=None)
        session.add(user)
    model: list[tuple[str, int, date, date]] = []  # (booking id, item index, start, blocked_until) still live
    created: list[str] = []
    for step in ops:
        async with db.sessionmaker() as session, session.begin():
            if step[0] == "create":
                _, idx, offset, length = step
                start, end = day(offset), day(offset + length)
                blocked = end + timedelta(days=items[idx].turnaround_days)
                clash = any(i == idx and s < blocked and start < b for _, i, s, b in model)
                body = BookingCreate(
                    itemType="vehicle", itemId=items[idx].id, startDate=start, endDate=end, guestsCount=1
                )
                try:
                    booking = await service.create_booking(
                        session, app.state.settings, user, body, now=utcnow()
                    )
                except BusinessRuleError as exc:
                    assert exc.code == "ITEM_UNAVAILABLE" and clash
                    continue
                assert not clash, "the service accepted an overlapping booking"
                model.append((booking.id, idx, start, blocked))
                created.append(booking.id)
            elif created:
                target = created[step[1] % len(created)]
                booking = await session.get(Booking, target)
                assert booking is not None
                if booking.status not in LIVE_STATUSES:
                    continue
                if step[0] == "cancel":
                    await service.cancel(session, booking, by="user", now=utcnow())
                else:
                    await session.execute(
                        update(Booking)
                        .where(Booking.id == target)
                        .values(hold_expires_at=utcnow() - timedelta(seconds=1))
                    )
                    await service.expire_holds(session, now=utcnow(), item_id=booking.item_id)
                model[:] = [m for m in model if m[0] != target]
    async with db.sessionmaker() as session:
        live = (
            (await session.execute(select(Booking).where(Booking.status.in_(LIVE_STATUSES)))).scalars().all()
        )
    assert sorted(b.id for b in live) == sorted(m[0] for m in model)
    for a in live:
        for b in live:
            if a.id < b.id and a.item_id == b.item_id:
                assert not (a.start_date < b.blocked_until and b.start_date < a.blocked_until), (a.id, b.id)
