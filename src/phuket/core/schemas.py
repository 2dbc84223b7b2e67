"""Wire models shared by every feature: camelCase JSON, the envelope, money."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, PlainSerializer, model_validator
from pydantic.alias_generators import to_camel

T = TypeVar("T")


def utc_iso(value: datetime) -> str:
    """ISO 8601 UTC with `Z`, second precision (API.md)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


UtcDateTime = Annotated[datetime, PlainSerializer(utc_iso, return_type=str, when_used="json")]


class ApiModel(BaseModel):
    """Base of every request/response body: camelCase on the wire, snake_case in Python."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        from_attributes=True,
        ser_json_inf_nan="null",
    )


def _refuse_nul(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        if "\x00" in value:
            from phuket.core.errors import AppErrorKey

            raise AppErrorKey("field.nul")
    elif isinstance(value, dict) and depth < 32:
        for item in value.values():
            _refuse_nul(item, depth + 1)
    elif isinstance(value, list) and depth < 32:
        for item in value:
            _refuse_nul(item, depth + 1)
    return value


class RequestModel(ApiModel):
    """Base of request bodies: unknown fields are an error, so a typo (or mass assignment) never passes;
    NUL characters are refused anywhere (PostgreSQL cannot store them, C libraries stop at them)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return _refuse_nul(data)


class Meta(ApiModel):
    request_id: str
    timestamp: str


class Envelope(ApiModel, Generic[T]):
    data: T
    meta: Meta


def quantize_money(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


MoneyAmount = Annotated[
    Decimal, PlainSerializer(lambda d: f"{quantize_money(d):.2f}", return_type=str, when_used="always")
]


class Money(ApiModel):
    amount: MoneyAmount
    currency: str = "THB"

    @classmethod
    def thb(cls, amount: Decimal) -> Money:
        return cls(amount=quantize_money(amount), currency="THB")


class ApproxMoney(ApiModel):
    """A price converted for display only; THB stays the price charged."""

    amount: str
    currency: str
    rate: str
    updated_at: str
    source: str


CurrencyCode = Literal[
    "THB", "RUB", "USD", "EUR", "CNY", "GBP", "AUD", "KZT", "INR", "JPY", "KRW", "SGD", "MYR"
]
SUPPORTED_CURRENCIES: tuple[str, ...] = get_args(CurrencyCode)
