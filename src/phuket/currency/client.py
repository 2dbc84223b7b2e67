"""ExchangeRate-API v6 client (https://www.exchangerate-api.com/docs/standard-requests).

`GET {base}/v6/latest/THB` with `Authorization: Bearer KEY` (the documented header form, so the key never
appears in a URL or an access log) → `{"result": "success", "base_code": "THB",
"time_last_update_unix": 1700000000, "conversion_rates": {"USD": 0.0289, ...}}`. Numbers are parsed as
Decimal straight from the JSON text: a rate never passes through a float.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import httpx

from phuket.core.breaker import ProviderError, get_breaker, retry_idempotent
from phuket.currency.money import BASE, CURRENCIES

PROVIDER = "currency"
SOURCE = "exchangerate-api"


@dataclass(frozen=True)
class ProviderRates:
    rates: dict[str, Decimal]  # units per 1 THB, THB included (= 1)
    updated_at: datetime


class ExchangeRateApiClient:
    def __init__(self, base_url: str, api_key: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.timeout = timeout

    async def latest(self) -> ProviderRates:
        """The latest THB-based rates, under the provider's breaker; raises on any failure."""
        return await get_breaker(PROVIDER).call(self._fetch, timeout=self.timeout * 2 + 1)

    async def _fetch(self) -> ProviderRates:
        url = f"{self.base_url}/v6/latest/{BASE}"
        headers = {"Authorization": f"Bearer {self._api_key}", "Accept": "application/json"}
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            async for attempt in retry_idempotent():
                with attempt:
                    response = await client.get(url, headers=headers)
                    response.raise_for_status()
        return parse_latest(response.text)


def parse_latest(text: str) -> ProviderRates:
    try:
        body = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except ValueError as exc:
        raise ProviderError("rates: the body is not JSON") from exc
    if not isinstance(body, dict) or body.get("result") != "success":
        kind = body.get("error-type") if isinstance(body, dict) else None
        raise ProviderError(f"rates: provider refused ({kind or 'unexpected body'})")
    raw = body.get("conversion_rates")
    stamp = body.get("time_last_update_unix")
    if not isinstance(raw, dict) or not isinstance(stamp, Decimal):
        raise ProviderError("rates: conversion_rates or time_last_update_unix missing")
    rates: dict[str, Decimal] = {BASE: Decimal(1)}
    for code in CURRENCIES:
        if code == BASE:
            continue
        value = raw.get(code)
        try:
            rate = Decimal(value) if isinstance(value, Decimal) else None
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite() or rate <= 0:
            raise ProviderError(f"rates: no usable rate for {code}")
        rates[code] = rate
    try:
        updated_at = datetime.fromtimestamp(int(stamp), tz=UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise ProviderError("rates: bad time_last_update_unix") from exc
    return ProviderRates(rates=rates, updated_at=updated_at)
