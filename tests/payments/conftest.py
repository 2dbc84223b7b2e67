from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tests.bookings.conftest import admin, book  # noqa: F401  (fixtures and helpers shared with bookings)
from tests.fakes.fixtures import configure, fresh_breakers  # noqa: F401
from tests.fakes.server import FakeProvider
from tests.fakes.stripe import FakeStripe, signed

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def stripe_fake() -> Iterator[FakeStripe]:
    with FakeProvider() as server:
        yield FakeStripe(server)


@pytest.fixture
def stripe_app(app: Any, stripe_fake: FakeStripe) -> Any:
    configure(
        app,
        stripe_secret_key=SecretStr("sk_test_123"),
        stripe_webhook_secret=SecretStr(WEBHOOK_SECRET),
        stripe_base_url=stripe_fake.url,
        stripe_publishable_key="pk_test_123",
    )
    return app


async def send_webhook(client: httpx.AsyncClient, payload: dict[str, Any], **kw: Any) -> httpx.Response:
    body, header = signed(payload, WEBHOOK_SECRET, **kw)
    return await client.post(
        "/v1/payments/webhook",
        content=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )
