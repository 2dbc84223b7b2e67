"""What a booking costs (seed §3.2: days × rate), with seasons, length-of-stay discounts and per-person
tour prices. Pure functions over Decimal: the quote and the booking call the same code, so the price a
user is shown is the price they are charged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
HIGH_SEASON_MONTHS = frozenset({11, 12, 1, 2, 3, 4})  # Nov–Apr; May–Oct is the low (monsoon) season
WEEK, MONTH = 7, 28


def is_high_season(day: date) -> bool:
    return day.month in HIGH_SEASON_MONTHS


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    kind: str  # high_season | low_season | tour_adult | tour_child | discount_weekly | discount_monthly | cleaning
    quantity: int
    unit_price: Decimal
    amount: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "quantity": self.quantity,
            "unitPrice": f"{self.unit_price:.2f}",
            "amount": f"{self.amount:.2f}",
        }


@dataclass(frozen=True)
class Quote:
    lines: list[Line] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return money(sum((line.amount for line in self.lines), Decimal("0")))


def stay_price(
    *,
    start: date,
    end: date,
    high_rate: Decimal,
    low_rate: Decimal,
    weekly_discount_pct: int,
    monthly_discount_pct: int,
    cleaning_fee: Decimal = Decimal("0"),
) -> Quote:
    """Vehicles (per day) and properties (per night) over [start, end): each day at its season's rate,
    then one length-of-stay discount (monthly from 28 units, weekly from 7), then a one-off cleaning fee."""
    units = (end - start).days
    high = sum(1 for n in range(units) if is_high_season(start + timedelta(days=n)))
    low = units - high
    lines: list[Line] = []
    if high:
        lines.append(Line("high_season", high, money(high_rate), money(high_rate * high)))
    if low:
        lines.append(Line("low_season", low, money(low_rate), money(low_rate * low)))
    subtotal = sum((line.amount for line in lines), Decimal("0"))
    kind, pct = None, 0
    if units >= MONTH and monthly_discount_pct > 0:
        kind, pct = "discount_monthly", monthly_discount_pct
    elif units >= WEEK and weekly_discount_pct > 0:
        kind, pct = "discount_weekly", weekly_discount_pct
    if kind:
        discount = money(subtotal * Decimal(pct) / Decimal(100))
        lines.append(Line(kind, pct, -discount, -discount))
    if cleaning_fee > 0:
        lines.append(Line("cleaning", 1, money(cleaning_fee), money(cleaning_fee)))
    return Quote(lines)


def tour_price(
    *, day: date, adults: int, children: int, high_rate: Decimal, low_rate: Decimal, child_rate: Decimal
) -> Quote:
    """Tours are per person: adults at the season's rate, children at the child rate (never above the adult one)."""
    adult_rate = money(high_rate if is_high_season(day) else low_rate)
    child = min(money(child_rate), adult_rate)
    lines = []
    if adults:
        lines.append(Line("tour_adult", adults, adult_rate, money(adult_rate * adults)))
    if children:
        lines.append(Line("tour_child", children, child, money(child * children)))
    return Quote(lines)


def refund_percent(*, hours_before_start: float, free_cancellation_hours: int, late_refund_pct: int) -> int:
    """The cancellation policy: everything back until N hours before the start, then the late percentage,
    nothing once the booking has started."""
    if hours_before_start >= free_cancellation_hours:
        return 100
    if hours_before_start > 0:
        return late_refund_pct
    return 0


def refund_amount(paid: Decimal, percent: int) -> Decimal:
    return money(paid * Decimal(percent) / Decimal(100))
