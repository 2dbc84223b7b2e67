"""Catalog rows for tests, built through the ORM with realistic defaults (override what a test needs)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from phuket.catalog.models import Property, Tour, Vehicle

_n = itertools.count(1)


def _common(kind: str, overrides: dict[str, Any]) -> dict[str, Any]:
    n = next(_n)
    values: dict[str, Any] = {
        "slug": f"{kind}-{n}",
        "name_en": f"Test {kind} {n}",
        "name_ru": f"Тестовый {kind} {n}",
        "description_en": "",
        "description_ru": "",
        "area": "Kata",
        "lat": 7.82,
        "lng": 98.30,
        "images": [],
        "rating": 4.5,
        "reviews_count": 10,
        "advance_notice_hours": 0,
        "free_cancellation_hours": 24,
        "late_cancellation_refund_pct": 50,
        "instant_confirmation": True,
        "weekly_discount_pct": 0,
        "monthly_discount_pct": 0,
        "search_text": f"test {kind} {n}",
    }
    values.update(overrides)
    return values


async def make_vehicle(app: Any, **overrides: Any) -> Vehicle:
    values = _common("vehicle", overrides)
    values.setdefault("type", "scooter")
    values.setdefault("brand", "Honda")
    values.setdefault("model", "Click 160")
    values.setdefault("price_thb", Decimal("300.00"))
    values.setdefault("low_season_price_thb", Decimal("200.00"))
    values.setdefault("seats", 2)
    return await _save(app, Vehicle(**values))


async def make_property(app: Any, **overrides: Any) -> Property:
    values = _common("property", overrides)
    values.setdefault("type", "villa")
    values.setdefault("price_thb", Decimal("5000.00"))
    values.setdefault("low_season_price_thb", Decimal("3500.00"))
    values.setdefault("max_guests", 4)
    values.setdefault("min_nights", 2)
    values.setdefault("max_nights", 60)
    values.setdefault("cleaning_fee_thb", Decimal("800.00"))
    return await _save(app, Property(**values))


async def make_tour(app: Any, **overrides: Any) -> Tour:
    values = _common("tour", overrides)
    values.setdefault("category", "islands")
    values.setdefault("price_thb", Decimal("2500.00"))
    values.setdefault("low_season_price_thb", Decimal("2000.00"))
    values.setdefault("child_price_thb", Decimal("1500.00"))
    values.setdefault("duration_hours", Decimal("8.0"))
    values.setdefault("seats_per_day", 10)
    values.setdefault("max_guests_per_booking", 8)
    values.setdefault("by_boat", True)
    return await _save(app, Tour(**values))


async def _save(app: Any, item: Any) -> Any:
    async with app.state.db.sessionmaker() as session, session.begin():
        session.add(item)
    return item
