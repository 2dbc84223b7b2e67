"""Stripe behind a small interface (official `stripe` SDK, its async httpx client, our circuit breaker).

`StripeGateway.configured` is false without a secret key; then, and whenever the breaker is open or
Stripe cannot be reached, callers get `PaymentsUnavailable` and serve the manual-payment fallback
(seed §10.1). Every write carries an idempotency key, which is what makes a retry (ours via tenacity,
or the worker's after a crash) safe: Stripe answers a repeated key with the first result.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

import stripe
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from phuket.core.breaker import BreakerOpen, get_breaker
from phuket.core.config import Settings

log = logging.getLogger("phuket.payments")

T = TypeVar("T")
STRIPE_TIMEOUT_SECONDS = 10.0
# THB is a two-decimal currency in Stripe: amounts are sent in satang.
MINOR_UNITS = 2


class PaymentsUnavailable(Exception):
    """Stripe is not configured, its breaker is open, or it could not be reached: use the fallback."""

    def __init__(self, reason: str, *, breaker_open: bool = False) -> None:
        super().__init__(reason)
        self.breaker_open = breaker_open


def to_minor_units(amount: Decimal) -> int:
    """1500.50 THB → 150050 satang, exactly; a fraction of a satang is a bug, never rounded away."""
    minor = amount.scaleb(MINOR_UNITS)
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} THB is not a whole number of satang")
    return int(minor)


def from_minor_units(minor: int) -> Decimal:
    return Decimal(minor).scaleb(-MINOR_UNITS).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Intent:
    id: str
    client_secret: str | None
    status: str


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str
    amount: Decimal


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError):
        return True
    return isinstance(exc, stripe.APIError) and (exc.http_status or 500) >= 500


class StripeGateway:
    def __init__(self, settings: Settings) -> None:
        key = settings.stripe_secret_key
        self._key = key.get_secret_value() if key is not None else None
        self._base = settings.stripe_base_url
        self.publishable_key = settings.stripe_publishable_key

    @property
    def configured(self) -> bool:
        return bool(self._key)

    async def _call(self, fn: Callable[[stripe.StripeClient], Awaitable[T]]) -> T:
        """One breaker call; inside it, transient failures are retried (every call here is idempotent)."""
        if not self._key:
            raise PaymentsUnavailable("stripe is not configured")
        http = stripe.HTTPXClient(timeout=STRIPE_TIMEOUT_SECONDS)
        client = stripe.StripeClient(
            self._key,
            base_addresses={"api": self._base} if self._base else None,
            max_network_retries=0,
            http_client=http,
        )

        async def attempt() -> T:
            async for retry in AsyncRetrying(
                stop=stop_after_attempt(2),
                wait=wait_exponential(multiplier=0.2, max=1.0),
                retry=retry_if_exception(_transient),
                reraise=True,
            ):
                with retry:
                    return await fn(client)
            raise AssertionError("unreachable")  # pragma: no cover

        try:
            return await get_breaker("stripe").call(attempt, timeout=STRIPE_TIMEOUT_SECONDS * 2.5)
        except BreakerOpen as exc:
            raise PaymentsUnavailable(str(exc), breaker_open=True) from exc
        except (TimeoutError, stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise PaymentsUnavailable(f"stripe unreachable: {type(exc).__name__}") from exc
        except stripe.APIError as exc:
            if _transient(exc):
                raise PaymentsUnavailable(f"stripe failed: {exc.http_status}") from exc
            raise
        finally:
            await http.close_async()  # type: ignore[no-untyped-call]

    async def create_intent(
        self, *, booking_id: str, attempt: int, amount: Decimal, description: str
    ) -> Intent:
        async def create(client: stripe.StripeClient) -> stripe.PaymentIntent:
            return await client.v1.payment_intents.create_async(
                {
                    "amount": to_minor_units(amount),
                    "currency": "thb",
                    "automatic_payment_methods": {"enabled": True},
                    "description": description,
                    "metadata": {"bookingId": booking_id, "attempt": str(attempt)},
                },
                {"idempotency_key": f"booking-{booking_id}-payment-{attempt}"},
            )

        intent = await self._call(create)
        return Intent(id=intent.id, client_secret=intent.client_secret, status=intent.status)

    async def create_refund(
        self, *, booking_id: str, payment_intent_id: str, amount: Decimal, key: str
    ) -> RefundResult:
        async def create(client: stripe.StripeClient) -> stripe.Refund:
            return await client.v1.refunds.create_async(
                {
                    "payment_intent": payment_intent_id,
                    "amount": to_minor_units(amount),
                    "reason": "requested_by_customer",
                    "metadata": {"bookingId": booking_id},
                },
                {"idempotency_key": key},
            )

        refund = await self._call(create)
        return RefundResult(
            id=refund.id, status=refund.status or "pending", amount=from_minor_units(refund.amount)
        )
