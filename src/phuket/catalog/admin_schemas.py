"""What an admin (and the bundled seed data) may write: every field validated, bilingual texts as
`{"en": ..., "ru": ...}`, money as decimal strings. `*Update` bodies take any subset of the fields;
the merged result is validated again as a whole (so `minDays <= maxDays` holds after any PATCH)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional

from pydantic import AfterValidator, Field, StringConstraints, create_model

from phuket.core.errors import AppErrorKey
from phuket.core.schemas import ApiModel, RequestModel, UtcDateTime
from phuket.users.schemas import clean_name

VehicleType = Literal["scooter", "motorbike", "car", "bicycle", "boat"]
VEHICLE_TYPES: tuple[str, ...] = ("scooter", "motorbike", "car", "bicycle", "boat")
PropertyType = Literal["villa", "apartment", "condo", "house", "hotel_room", "bungalow", "guesthouse"]
TourCategory = Literal[
    "islands", "sightseeing", "adventure", "culture", "food", "diving", "nature", "show", "wellness"
]
Amenity = Literal[
    "aircon", "airport_transfer", "balcony", "bbq", "beach_access", "breakfast", "crib", "garden", "gym",
    "jacuzzi", "kids_pool", "kitchen", "parking", "pet_friendly", "pool", "private_pool", "sauna",
    "sea_view", "tv", "washing_machine", "wifi", "workspace",
]  # fmt: skip


def _plain(value: str) -> str:
    return clean_name(value)


def _at_least(length: int) -> AfterValidator:
    """The minimum length, checked on the cleaned text: cleaning (markup stripped, spaces folded, Unicode
    composed) can shorten a value, and a stored value must still satisfy the schemas that show it."""

    def check(value: str) -> str:
        if len(value) < length:
            raise AppErrorKey("field.too_short")
        return value

    return AfterValidator(check)


def _unique(values: list[Any]) -> list[Any]:
    if len(set(values)) != len(values):
        raise AppErrorKey("field.duplicates")
    return values


Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=2, max_length=120)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_plain), _at_least(1)]
Place = Annotated[str, Field(min_length=2, max_length=60), AfterValidator(_plain), _at_least(2)]
Price = Annotated[Decimal, Field(ge=0, le=Decimal("9999999.99"), max_digits=12, decimal_places=2)]
Percent = Annotated[int, Field(ge=0, le=100)]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]


class BilingualName(RequestModel):
    en: Name
    ru: Name


class BilingualText(RequestModel):
    """Long plain text: markup is not allowed (it is shown as text, never as HTML)."""

    en: Annotated[str, Field(max_length=5000), AfterValidator(lambda v: v and _plain(v))] = ""
    ru: Annotated[str, Field(max_length=5000), AfterValidator(lambda v: v and _plain(v))] = ""


Highlight = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_plain), _at_least(1)]


class BilingualList(RequestModel):
    en: Annotated[list[Highlight], Field(max_length=20)] = []
    ru: Annotated[list[Highlight], Field(max_length=20)] = []


class ItemFields(RequestModel):
    slug: Slug
    name: BilingualName
    description: BilingualText = BilingualText()
    area: Place
    # Phuket and the Andaman Sea around it (Phi Phi, Phang Nga, Similan, Krabi).
    lat: float = Field(ge=6.5, le=9.5)
    lng: float = Field(ge=97.0, le=99.5)
    rating: float = Field(default=0.0, ge=0, le=5)
    reviews_count: int = Field(default=0, ge=0, le=10_000_000)
    price_thb: Price
    low_season_price_thb: Price
    weekly_discount_pct: Percent = 0
    monthly_discount_pct: Percent = 0
    advance_notice_hours: int = Field(default=0, ge=0, le=720)
    free_cancellation_hours: int = Field(default=24, ge=0, le=720)
    late_cancellation_refund_pct: Percent = 0
    instant_confirmation: bool = True
    is_active: bool = True


class VehicleCreate(ItemFields):
    type: VehicleType
    brand: Annotated[str, Field(min_length=1, max_length=60), AfterValidator(_plain), _at_least(1)]
    model: Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_plain), _at_least(1)]
    year: int | None = Field(default=None, ge=1980, le=2100)
    engine_cc: int | None = Field(default=None, ge=0, le=10_000)
    seats: int = Field(default=2, ge=1, le=60)
    transmission: Literal["automatic", "manual", "semi-automatic", "none"] = "automatic"
    fuel: Literal["petrol", "diesel", "electric", "hybrid", "none"] = "petrol"
    licence_required: Literal["none", "motorcycle", "car", "boat"] = "none"
    helmet_included: bool = False
    insurance_included: bool = False
    deposit_thb: Price = Decimal("0")
    min_days: int = Field(default=1, ge=1, le=365)
    max_days: int = Field(default=90, ge=1, le=365)
    turnaround_days: int = Field(default=0, ge=0, le=30)


class PropertyCreate(ItemFields):
    type: PropertyType
    address: BilingualText = BilingualText()
    bedrooms: int = Field(default=1, ge=0, le=50)
    bathrooms: int = Field(default=1, ge=0, le=50)
    max_guests: int = Field(default=2, ge=1, le=100)
    amenities: Annotated[list[Amenity], Field(max_length=40), AfterValidator(_unique)] = []
    check_in_time: ClockTime = "14:00"
    check_out_time: ClockTime = "12:00"
    min_nights: int = Field(default=1, ge=1, le=730)
    max_nights: int = Field(default=365, ge=1, le=730)
    cleaning_fee_thb: Price = Decimal("0")
    deposit_thb: Price = Decimal("0")
    turnaround_days: int = Field(default=0, ge=0, le=30)


class TourCreate(ItemFields):
    category: TourCategory
    highlights: BilingualList = BilingualList()
    duration_hours: Decimal = Field(gt=0, le=240, max_digits=4, decimal_places=1)
    start_time: ClockTime = "08:00"
    meeting_point: BilingualText = BilingualText()
    pickup_areas: Annotated[list[Place], Field(max_length=40), AfterValidator(_unique)] = []
    languages: Annotated[list[LanguageCode], Field(min_length=1, max_length=10), AfterValidator(_unique)]
    seats_per_day: int = Field(ge=1, le=1000)
    days_of_week: Annotated[
        list[Annotated[int, Field(ge=0, le=6)]], Field(min_length=1, max_length=7), AfterValidator(_unique)
    ] = [0, 1, 2, 3, 4, 5, 6]
    by_boat: bool = False
    child_price_thb: Price
    min_guests: int = Field(default=1, ge=1, le=100)
    max_guests_per_booking: int = Field(default=10, ge=1, le=100)
    min_age: int = Field(default=0, ge=0, le=99)


AnyCreate = VehicleCreate | PropertyCreate | TourCreate


class VehicleAdmin(VehicleCreate):
    """What admin endpoints answer: every field in both languages, plus what the server keeps."""

    id: str
    images: list[str]
    created_at: UtcDateTime
    updated_at: UtcDateTime


class PropertyAdmin(PropertyCreate):
    id: str
    images: list[str]
    created_at: UtcDateTime
    updated_at: UtcDateTime


class TourAdmin(TourCreate):
    id: str
    images: list[str]
    created_at: UtcDateTime
    updated_at: UtcDateTime


ADMIN_VIEWS: dict[str, type[ItemFields]] = {
    "vehicle": VehicleAdmin,
    "property": PropertyAdmin,
    "tour": TourAdmin,
}


class ItemImages(ApiModel):
    item_id: str
    images: list[str]


# (low field, high field, the field a broken pair is reported on), checked on the merged item.
_RANGES: dict[type[ItemFields], list[tuple[str, str, str]]] = {
    VehicleCreate: [("min_days", "max_days", "maxDays")],
    PropertyCreate: [("min_nights", "max_nights", "maxNights")],
    TourCreate: [("min_guests", "max_guests_per_booking", "maxGuestsPerBooking")],
}


def range_errors(data: ItemFields) -> list[str]:
    """Fields whose lower bound is above their upper bound."""
    return [
        field for low, high, field in _RANGES.get(type(data), []) if getattr(data, low) > getattr(data, high)
    ]


def _partial(model: type[RequestModel], name: str) -> type[RequestModel]:
    """The same fields, each optional: a PATCH body. Cross-field rules run on the merged item."""
    fields: dict[str, Any] = {
        field_name: (Optional[info.annotation], Field(default=None, alias=info.alias))  # noqa: UP045
        for field_name, info in model.model_fields.items()
    }
    partial: type[RequestModel] = create_model(name, __base__=RequestModel, **fields)
    return partial


if TYPE_CHECKING:
    VehicleUpdate = VehicleCreate
    PropertyUpdate = PropertyCreate
    TourUpdate = TourCreate
else:
    VehicleUpdate = _partial(VehicleCreate, "VehicleUpdate")
    PropertyUpdate = _partial(PropertyCreate, "PropertyUpdate")
    TourUpdate = _partial(TourCreate, "TourUpdate")

CREATE_SCHEMAS: dict[str, type[ItemFields]] = {
    "vehicle": VehicleCreate,
    "property": PropertyCreate,
    "tour": TourCreate,
}
