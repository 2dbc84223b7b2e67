from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from tests.fakes.fixtures import configure, fresh_breakers  # noqa: F401
from tests.fakes.notify import FakeFCM, FakeSendGrid
from tests.fakes.server import FakeProvider


@pytest.fixture
def fcm() -> Iterator[FakeFCM]:
    with FakeProvider() as server:
        yield FakeFCM(server)


@pytest.fixture
def sendgrid() -> Iterator[FakeSendGrid]:
    with FakeProvider() as server:
        yield FakeSendGrid(server)


@pytest.fixture
def notify_app(app: Any, fcm: FakeFCM, sendgrid: FakeSendGrid) -> Any:
    configure(
        app,
        firebase_credentials=fcm.credentials,
        fcm_base_url=fcm.fake.url,
        sendgrid_api_key=SecretStr("SG.test-key"),
        sendgrid_base_url=sendgrid.fake.url,
        outbox_max_attempts=3,
        outbox_retry_base_seconds=60,
    )
    return app
