"""Vehicles, properties and tours (seed §2.2.1, tables and indexes §2.2.3).

Prices are THB in the item's unit: vehicles per day, properties per night, tours per person. Each item
carries the rules its bookings obey (min/max length, turnaround, notice, cancellation policy)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from phuket.core.db import Base, IdMixin, TimestampMixin

Money = Numeric(12, 2)


class CatalogItem(IdMixin, TimestampMixin):
    """Columns every bookable item shares."""

    slug: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    name_ru: Mapped[str] = mapped_column(String(200), nullable=False)
    description_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description_ru: Mapped[str] = mapped_column(Text, nullable=False, default="")
    area: Mapped[str] = mapped_column(String(60), nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lng: Mapped[float] = mapped_column(Float, nullable=False)
    images: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    rating: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    reviews_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, index=True)

    # Pricing: the high-season rate (Nov–Apr) and the low-season rate (May–Oct), per unit.
    price_thb: Mapped[Decimal] = mapped_column(Money, nullable=False, index=True)
    low_season_price_thb: Mapped[Decimal] = mapped_column(Money, nullable=False)
    weekly_discount_pct: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    monthly_discount_pct: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    # Booking rules.
    advance_notice_hours: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    free_cancellation_hours: Mapped[int] = mapped_column(Integer, nullable=False, default=24)
    late_cancellation_refund_pct: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    instant_confirmation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    # Lower-cased, ё→е, punctuation-free text of names, descriptions and places in both languages:
    # what the database's text search indexes (FTS5 on SQLite, tsvector + trigram on PostgreSQL).
    # Those indexes live outside the ORM metadata, in migration 0002 (see catalog/search.py).
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")

    def name(self, language: str) -> str:
        return self.name_ru if language == "ru" else self.name_en

    def description(self, language: str) -> str:
        return self.description_ru if language == "ru" else self.description_en


class Vehicle(CatalogItem, Base):
    __tablename__ = "vehicle"
    __table_args__ = (
        CheckConstraint("price_thb >= 0 AND low_season_price_thb >= 0", name="price_not_negative"),
        CheckConstraint("min_days >= 1 AND max_days >= min_days", name="days_range"),
    )

    type: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    brand: Mapped[str] = mapped_column(String(60), nullable=False)
    model: Mapped[str] = mapped_column(String(80), nullable=False)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    engine_cc: Mapped[int | None] = mapped_column(Integer, nullable=True)
    seats: Mapped[int] = mapped_column(Integer, nullable=False, default=2)
    transmission: Mapped[str] = mapped_column(String(16), nullable=False, default="automatic")
    fuel: Mapped[str] = mapped_column(String(16), nullable=False, default="petrol")
    licence_required: Mapped[str] = mapped_column(String(16), nullable=False, default="none")
    helmet_included: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    insurance_included: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    deposit_thb: Mapped[Decimal] = mapped_column(Money, nullable=False, default=Decimal("0"))
    min_days: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    max_days: Mapped[int] = mapped_column(Integer, nullable=False, default=90)
    turnaround_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Property(CatalogItem, Base):
    __tablename__ = "property"
    __table_args__ = (
        CheckConstraint("price_thb >= 0 AND low_season_price_thb >= 0", name="price_not_negative"),
        CheckConstraint("min_nights >= 1 AND max_nights >= min_nights", name="nights_range"),
        CheckConstraint("max_guests >= 1", name="max_guests_positive"),
        Index("ix_property_area", "area"),
    )

    type: Mapped[str] = mapped_column(String(16), nullable=False)
    address: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False, default=dict)
    bedrooms: Mapped[int] = mapped_column(Integer, nullable=False, default=1, index=True)
    bathrooms: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    max_guests: Mapped[int] = mapped_column(Integer, nullable=False, default=2, index=True)
    amenities: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    check_in_time: Mapped[str] = mapped_column(String(5), nullable=False, default="14:00")
    check_out_time: Mapped[str] = mapped_column(String(5), nullable=False, default="12:00")
    min_nights: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    max_nights: Mapped[int] = mapped_column(Integer, nullable=False, default=365)
    cleaning_fee_thb: Mapped[Decimal] = mapped_column(Money, nullable=False, default=Decimal("0"))
    deposit_thb: Mapped[Decimal] = mapped_column(Money, nullable=False, default=Decimal("0"))
    turnaround_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Tour(CatalogItem, Base):
    __tablename__ = "tour"
    __table_args__ = (
        CheckConstraint("price_thb >= 0 AND low_season_price_thb >= 0", name="price_not_negative"),
        CheckConstraint("seats_per_day >= 1", name="seats_positive"),
        CheckConstraint("min_guests >= 1 AND max_guests_per_booking >= min_guests", name="guests_range"),
    )

    category: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    highlights: Mapped[dict[str, list[str]]] = mapped_column(JSON, nullable=False, default=dict)
    duration_hours: Mapped[Decimal] = mapped_column(Numeric(4, 1), nullable=False)
    start_time: Mapped[str] = mapped_column(String(5), nullable=False, default="08:00")
    meeting_point: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False, default=dict)
    pickup_areas: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    seats_per_day: Mapped[int] = mapped_column(Integer, nullable=False)
    days_of_week: Mapped[list[int]] = mapped_column(
        JSON, nullable=False, default=lambda: [0, 1, 2, 3, 4, 5, 6]
    )
    by_boat: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    child_price_thb: Mapped[Decimal] = mapped_column(Money, nullable=False)
    min_guests: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    max_guests_per_booking: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    min_age: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


ITEM_MODELS: dict[str, type[Vehicle] | type[Property] | type[Tour]] = {
    "vehicle": Vehicle,
    "property": Property,
    "tour": Tour,
}
AnyItem = Vehicle | Property | Tour
__all__ = ["ITEM_MODELS", "AnyItem", "Property", "Tour", "Vehicle"]
