from __future__ import annotations

from typing import Literal

from pydantic import Field

from phuket.core.schemas import ApiModel, CurrencyCode, UtcDateTime

RatesSource = Literal["exchangerate-api", "cache", "bundled-snapshot"]
# A plain decimal: digits, an optional fraction; no sign, exponent, NaN or infinity.
AMOUNT_PATTERN = r"^\d{1,12}(\.\d{1,8})?$"


class RatesPublic(ApiModel):
    base: CurrencyCode
    rates: dict[str, str] = Field(
        description="Units of each currency per one unit of `base`, decimal strings"
    )
    updated_at: UtcDateTime = Field(description="When the provider published these rates")
    source: RatesSource


class ConversionPublic(ApiModel):
    from_: CurrencyCode = Field(alias="from")
    to: CurrencyCode
    amount: str
    result: str = Field(description="Rounded to the target currency's minor unit (JPY, KRW: whole units)")
    rate: str = Field(description="Units of `to` per one unit of `from`, six significant digits")
    updated_at: UtcDateTime
    source: RatesSource
