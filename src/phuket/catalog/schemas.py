"""What a renter sees: one localized representation per item kind (lists and detail share it)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from phuket.catalog.models import AnyItem, Property, Tour, Vehicle
from phuket.core.i18n import Language, pick
from phuket.core.schemas import ApiModel, ApproxMoney, Money

ItemType = Literal["vehicle", "property", "tour"]
PriceUnit = Literal["day", "night", "person"]
PRICE_UNITS: dict[str, PriceUnit] = {"vehicle": "day", "property": "night", "tour": "person"}
MEDIA_PREFIX = "/media/"


def media_url(key: str) -> str:
    """Images are stored as keys in our media storage and served under /media/ (absolute path)."""
    if key.startswith(("http://", "https://", "/")):
        return key
    return MEDIA_PREFIX + key


def item_type_of(item: AnyItem) -> ItemType:
    if isinstance(item, Vehicle):
        return "vehicle"
    if isinstance(item, Property):
        return "property"
    return "tour"


class Location(ApiModel):
    lat: float
    lng: float


class BookingRules(ApiModel):
    advance_notice_hours: int
    free_cancellation_hours: int
    late_cancellation_refund_pct: int
    instant_confirmation: bool


class SeaRisk(ApiModel):
    date: date
    level: Literal["low", "moderate", "high"]
    reasons: list[str]
    source: str


class ItemPublic(ApiModel):
    id: str
    slug: str
    item_type: ItemType
    name: str
    description: str
    area: str
    location: Location
    images: list[str]
    rating: float
    reviews_count: int
    price: Money
    price_unit: PriceUnit
    low_season_price: Money
    weekly_discount_pct: int
    monthly_discount_pct: int
    booking_rules: BookingRules
    distance_km: float | None = None
    approx_price: ApproxMoney | None = Field(
        default=None,
        description="`price` converted to the `currency` asked for, for display; THB is charged.",
    )


def _common(item: AnyItem, language: Language, distance_km: float | None) -> dict[str, object]:
    kind = item_type_of(item)
    return {
        "id": item.id,
        "slug": item.slug,
        "item_type": kind,
        "name": item.name(language),
        "description": item.description(language),
        "area": item.area,
        "location": Location(lat=item.lat, lng=item.lng),
        "images": [media_url(k) for k in item.images],
        "rating": item.rating,
        "reviews_count": item.reviews_count,
        "price": Money.thb(item.price_thb),
        "price_unit": PRICE_UNITS[kind],
        "low_season_price": Money.thb(item.low_season_price_thb),
        "weekly_discount_pct": item.weekly_discount_pct,
        "monthly_discount_pct": item.monthly_discount_pct,
        "booking_rules": BookingRules(
            advance_notice_hours=item.advance_notice_hours,
            free_cancellation_hours=item.free_cancellation_hours,
            late_cancellation_refund_pct=item.late_cancellation_refund_pct,
            instant_confirmation=item.instant_confirmation,
        ),
        "distance_km": None if distance_km is None else round(distance_km, 2),
    }


class VehiclePublic(ItemPublic):
    type: str
    brand: str
    model: str
    year: int | None
    engine_cc: int | None
    seats: int
    transmission: str
    fuel: str
    licence_required: str
    helmet_included: bool
    insurance_included: bool
    deposit: Money
    min_days: int
    max_days: int

    @classmethod
    def of(cls, item: Vehicle, language: Language, distance_km: float | None = None) -> VehiclePublic:
        return cls.model_validate(
            {
                **_common(item, language, distance_km),
                "type": item.type,
                "brand": item.brand,
                "model": item.model,
                "year": item.year,
                "engine_cc": item.engine_cc,
                "seats": item.seats,
                "transmission": item.transmission,
                "fuel": item.fuel,
                "licence_required": item.licence_required,
                "helmet_included": item.helmet_included,
                "insurance_included": item.insurance_included,
                "deposit": Money.thb(item.deposit_thb),
                "min_days": item.min_days,
                "max_days": item.max_days,
            }
        )


class PropertyPublic(ItemPublic):
    type: str
    address: str
    bedrooms: int
    bathrooms: int
    max_guests: int
    amenities: list[str]
    check_in_time: str
    check_out_time: str
    min_nights: int
    max_nights: int
    cleaning_fee: Money
    deposit: Money

    @classmethod
    def of(cls, item: Property, language: Language, distance_km: float | None = None) -> PropertyPublic:
        return cls.model_validate(
            {
                **_common(item, language, distance_km),
                "type": item.type,
                "address": pick(item.address, language),
                "bedrooms": item.bedrooms,
                "bathrooms": item.bathrooms,
                "max_guests": item.max_guests,
                "amenities": list(item.amenities),
                "check_in_time": item.check_in_time,
                "check_out_time": item.check_out_time,
                "min_nights": item.min_nights,
                "max_nights": item.max_nights,
                "cleaning_fee": Money.thb(item.cleaning_fee_thb),
                "deposit": Money.thb(item.deposit_thb),
            }
        )


class TourPublic(ItemPublic):
    category: str
    highlights: list[str]
    duration_hours: float
    start_time: str
    meeting_point: str
    pickup_areas: list[str]
    languages: list[str]
    seats_per_day: int
    days_of_week: list[int]
    by_boat: bool
    child_price: Money
    min_guests: int
    max_guests_per_booking: int
    min_age: int
    sea_risk: SeaRisk | None = Field(
        default=None,
        description="Boat tours: today's sea conditions for a boat trip (forecast or monsoon normals).",
    )

    @classmethod
    def of(cls, item: Tour, language: Language, distance_km: float | None = None) -> TourPublic:
        highlights = item.highlights or {}
        return cls.model_validate(
            {
                **_common(item, language, distance_km),
                "category": item.category,
                "highlights": list(highlights.get(language) or highlights.get("en") or []),
                "duration_hours": float(item.duration_hours),
                "start_time": item.start_time,
                "meeting_point": pick(item.meeting_point, language),
                "pickup_areas": list(item.pickup_areas),
                "languages": list(item.languages),
                "seats_per_day": item.seats_per_day,
                "days_of_week": sorted(item.days_of_week),
                "by_boat": item.by_boat,
                "child_price": Money.thb(item.child_price_thb),
                "min_guests": item.min_guests,
                "max_guests_per_booking": item.max_guests_per_booking,
                "min_age": item.min_age,
            }
        )


AnyItemPublic = VehiclePublic | PropertyPublic | TourPublic


def present(item: AnyItem, language: Language, distance_km: float | None = None) -> AnyItemPublic:
    if isinstance(item, Vehicle):
        return VehiclePublic.of(item, language, distance_km)
    if isinstance(item, Property):
        return PropertyPublic.of(item, language, distance_km)
    return TourPublic.of(item, language, distance_km)


class SearchHit(ApiModel):
    """One row of /v1/search: enough for a result list; the detail is at /v1/{kind}s/{id}."""

    item_type: ItemType
    id: str
    slug: str
    name: str
    area: str
    price: Money
    price_unit: PriceUnit
    rating: float
    image: str | None

    @classmethod
    def of(cls, item: AnyItem, language: Language) -> SearchHit:
        kind = item_type_of(item)
        return cls(
            item_type=kind,
            id=item.id,
            slug=item.slug,
            name=item.name(language),
            area=item.area,
            price=Money.thb(item.price_thb),
            price_unit=PRICE_UNITS[kind],
            rating=item.rating,
            image=media_url(item.images[0]) if item.images else None,
        )
