"""Fixtures for tests that talk to fake providers: `from tests.fakes.fixtures import *` in a conftest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from phuket.core.breaker import reset_breakers
from tests.fakes.server import FakeProvider

__all__ = ["configure", "fake", "fresh_breakers"]


@pytest.fixture(autouse=True)
def fresh_breakers() -> Iterator[None]:
    """Breakers are per process: every test starts with all of them closed."""
    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider() as server:
        yield server


def configure(app: Any, **overrides: Any) -> None:
    """Point the running app at fake providers: settings are read per call, so this takes effect at once."""
    for key in ("currency_api_key", "openweather_api_key", "openai_api_key"):
        if isinstance(overrides.get(key), str):
            overrides[key] = SecretStr(overrides[key])
    app.state.settings = app.state.settings.model_copy(update=overrides)
