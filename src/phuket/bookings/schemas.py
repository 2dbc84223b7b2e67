from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from phuket.core.errors import AppErrorKey
from phuket.core.schemas import ApiModel, ApproxMoney, Money, RequestModel, UtcDateTime

ItemType = Literal["vehicle", "property", "tour"]
BookingStatus = Literal["pending", "confirmed", "completed", "cancelled", "expired"]
PaymentStatus = Literal["unpaid", "processing", "paid", "due_on_arrival", "refunded", "partially_refunded"]


class BookingCreate(RequestModel):
    item_type: ItemType
    item_id: str = Field(min_length=1, max_length=64)
    start_date: date
    end_date: date | None = Field(
        default=None, description="Required for vehicles and properties: [start, end)."
    )
    guests_count: int = Field(ge=1, le=100)
    children_count: int = Field(
        default=0, ge=0, le=100, description="Tours: how many of the guests are children."
    )

    @model_validator(mode="after")
    def _children_within_guests(self) -> BookingCreate:
        if self.children_count > self.guests_count:
            raise AppErrorKey("field.children_over_guests")
        return self


class PriceLine(ApiModel):
    kind: str = Field(
        description="high_season, low_season, tour_adult, tour_child, discount_weekly, "
        "discount_monthly or cleaning"
    )
    label: str
    quantity: int
    unit_price: Money
    amount: Money


class QuotePublic(ApiModel):
    total_price: Money
    breakdown: list[PriceLine]
    nights: int | None = None
    days: int | None = None


class ItemSummary(ApiModel):
    id: str
    type: ItemType
    name: str
    area: str
    image: str | None = None


class CancellationTerms(ApiModel):
    free_until: UtcDateTime
    refund_percent_now: int = Field(
        description="What cancelling now would refund, in percent of the amount paid."
    )
    refund_amount_now: Money
    late_refund_percent: int


class BookingPublic(ApiModel):
    id: str
    item_type: ItemType
    item_id: str
    item: ItemSummary | None = None
    status: BookingStatus
    confirmation_code: str
    start_date: date
    end_date: date
    guests_count: int
    children_count: int
    total_price: Money
    approx_total_price: ApproxMoney | None = Field(
        default=None, description="The total in the user's currency (profile, or `currency=`), for display."
    )
    breakdown: list[PriceLine]
    payment_status: str
    payment_method: str | None = None
    amount_paid: Money
    instant_confirmation: bool
    starts_at: UtcDateTime
    hold_expires_at: UtcDateTime | None = None
    cancellation: CancellationTerms | None = None
    cancelled_at: UtcDateTime | None = None
    cancelled_by: str | None = None
    refund_amount: Money
    confirmed_at: UtcDateTime | None = None
    completed_at: UtcDateTime | None = None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class CancelRequest(RequestModel):
    reason: str | None = Field(default=None, max_length=500)


class AvailabilityDay(ApiModel):
    date: date
    available: bool
    price: Money | None = Field(default=None, description="The rate of that day (per day / night / adult).")
    seats_left: int | None = Field(default=None, description="Tours only.")
    runs: bool | None = Field(default=None, description="Tours only: whether the tour runs that day.")
