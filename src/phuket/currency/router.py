from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from phuket.core.errors import error_responses
from phuket.core.http import envelope
from phuket.core.ratelimit import rate_limit
from phuket.core.schemas import CurrencyCode, Envelope
from phuket.currency import money, service
from phuket.currency.schemas import AMOUNT_PATTERN, ConversionPublic, RatesPublic

router = APIRouter(
    prefix="/v1/currency", tags=["currency"], dependencies=[Depends(rate_limit("catalog_detail"))]
)


@router.get(
    "/rates",
    response_model=Envelope[RatesPublic],
    responses=error_responses(),
    summary="Exchange rates against a base currency (THB by default), with their age and source",
)
async def get_rates(request: Request, base: CurrencyCode = "THB") -> dict[str, object]:
    table = await service.get_rates(request)
    rates = {
        code: money.format_rate(money.cross_rate(table.rates, base, code))
        for code in money.CURRENCIES
        if code != base
    }
    return envelope({"base": base, "rates": rates, "updated_at": table.updated_at, "source": table.source})


@router.get(
    "/convert",
    response_model=Envelope[ConversionPublic],
    responses=error_responses(),
    summary="Convert an amount between any two supported currencies (cross rates through THB)",
)
async def convert(
    request: Request,
    from_: Annotated[CurrencyCode, Query(alias="from")],
    to: CurrencyCode,
    amount: Annotated[str, Query(pattern=AMOUNT_PATTERN, description="Decimal string, e.g. 1000 or 99.5")],
) -> dict[str, object]:
    table = await service.get_rates(request)
    value = Decimal(amount)
    result, rate = money.convert(table.rates, value, from_, to)
    return envelope(
        {
            "from": from_,
            "to": to,
            "amount": format(value, "f"),
            "result": format(result, "f"),
            "rate": money.format_rate(rate),
            "updated_at": table.updated_at,
            "source": table.source,
        }
    )
