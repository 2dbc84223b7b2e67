"""Property tests of the currency arithmetic: Decimal end to end, cross rates agree, round trips hold."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from phuket.currency import money

CODES = st.sampled_from(money.CURRENCIES)
RATE = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("100000"), places=6, allow_nan=False)
AMOUNT = st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000000"), places=2, allow_nan=False)


@st.composite
def rate_tables(draw: st.DrawFn) -> dict[str, Decimal]:
    table = {code: draw(RATE) for code in money.CURRENCIES}
    table["THB"] = Decimal(1)
    return table


def unit(code: str) -> Decimal:
    return Decimal(1).scaleb(-money.MINOR_UNITS[code])


@settings(max_examples=300, deadline=None)
@given(rate_tables(), AMOUNT, CODES, CODES)
def test_conversion_is_decimal_and_rounded_to_the_minor_unit(
    rates: dict[str, Decimal], amount: Decimal, source: str, target: str
) -> None:
    result, rate = money.convert(rates, amount, source, target)
    assert isinstance(result, Decimal) and isinstance(rate, Decimal)
    assert result == result.quantize(unit(target))
    assert abs(result - amount * rate) <= unit(target) / 2
    assert result >= 0


@settings(max_examples=300, deadline=None)
@given(rate_tables(), AMOUNT, CODES, CODES)
def test_a_round_trip_comes_back_within_rounding(
    rates: dict[str, Decimal], amount: Decimal, source: str, target: str
) -> None:
    there, _ = money.convert(rates, amount, source, target)
    back, rate_back = money.convert(rates, there, target, source)
    # One rounding in the target (≤ half its unit, worth rate_back in source units), one in the source.
    tolerance = unit(target) / 2 * rate_back + unit(source) / 2 + amount * Decimal("1e-20")
    assert abs(back - amount.quantize(unit(source))) <= tolerance + unit(source) / 2


@settings(max_examples=300, deadline=None)
@given(rate_tables(), CODES, CODES, CODES)
def test_cross_rates_through_thb_are_consistent(rates: dict[str, Decimal], a: str, b: str, c: str) -> None:
    a_to_b = money.cross_rate(rates, a, b)
    b_to_c = money.cross_rate(rates, b, c)
    a_to_c = money.cross_rate(rates, a, c)
    assert abs(a_to_b * b_to_c - a_to_c) <= a_to_c * Decimal("1e-24")
    assert abs(money.cross_rate(rates, a, b) * money.cross_rate(rates, b, a) - 1) <= Decimal("1e-24")
    assert money.cross_rate(rates, a, a) == 1


@given(RATE)
def test_rates_are_shown_with_six_significant_digits_and_no_exponent(rate: Decimal) -> None:
    text = money.format_rate(rate)
    assert "e" not in text.lower() and not text.endswith(".")
    assert len(text.replace(".", "").lstrip("0")) <= 6
    assert abs(Decimal(text) - rate) <= rate * Decimal("0.000005") + Decimal("1e-12")


@given(st.text(min_size=0, max_size=5))
def test_only_supported_codes_pass(code: str) -> None:
    try:
        checked = money.check_currency(code)
    except money.UnknownCurrency:
        assert code.strip().upper() not in money.CURRENCIES
    else:
        assert checked in money.CURRENCIES
