"""Currency arithmetic: Decimal only, cross rates through THB, rounding to each currency's minor unit.

Rates are "units of X per 1 THB". Converting A → B uses the cross rate rate[B] / rate[A] at full
precision (28 significant digits); only the result is rounded, to B's ISO 4217 minor unit (JPY and KRW
have none, every other supported currency — KZT included — has two), half up. Rates are shown with
six significant digits.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from phuket.core.schemas import SUPPORTED_CURRENCIES

BASE: Final = "THB"
CURRENCIES: Final[tuple[str, ...]] = SUPPORTED_CURRENCIES
MINOR_UNITS: Final[dict[str, int]] = {code: 0 if code in ("JPY", "KRW") else 2 for code in CURRENCIES}
RATE_DIGITS: Final = 6
_CONTEXT = decimal.Context(prec=28, rounding=ROUND_HALF_UP, traps=[decimal.InvalidOperation])


class UnknownCurrency(ValueError):
    pass


def check_currency(code: str) -> str:
    upper = code.strip().upper()
    if upper not in MINOR_UNITS:
        raise UnknownCurrency(code)
    return upper


def cross_rate(rates: dict[str, Decimal], source: str, target: str) -> Decimal:
    """Units of `target` per one unit of `source`, at full precision."""
    if source == target:
        return Decimal(1)
    return _CONTEXT.divide(rates[target], rates[source])


def round_amount(amount: Decimal, currency: str) -> Decimal:
    exponent = Decimal(1).scaleb(-MINOR_UNITS[currency])
    return amount.quantize(exponent, rounding=ROUND_HALF_UP, context=_CONTEXT)


def convert(rates: dict[str, Decimal], amount: Decimal, source: str, target: str) -> tuple[Decimal, Decimal]:
    """(result rounded to the target's minor unit, the exact cross rate used)."""
    rate = cross_rate(rates, source, target)
    return round_amount(_CONTEXT.multiply(amount, rate), target), rate


def format_rate(rate: Decimal) -> str:
    """Six significant digits, no exponent, no trailing zeros: 2.45 → "2.45", 0.02898551 → "0.0289855"."""
    if rate == 0:
        return "0"
    exponent = rate.adjusted() - RATE_DIGITS + 1
    rounded = rate.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP, context=_CONTEXT)
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_amount(amount: Decimal, currency: str) -> str:
    return format(round_amount(amount, currency), "f")
