"""Sentry gets the request id and no personal data."""

from __future__ import annotations

from typing import Any

from phuket.core.http import request_id_var
from phuket.core.sentry import before_send, init_sentry
from tests.conftest import make_settings


def test_events_carry_the_request_id_and_no_email_or_authorization() -> None:
    token = request_id_var.set("req-123")
    try:
        event: Any = {
            "user": {"email": "anna@example.com"},
            "message": "login failed for anna@example.com",
            "request": {
                "headers": {"Authorization": "Bearer secret", "Accept": "application/json"},
                "cookies": {"session": "x"},
                "data": {"password": "hunter2"},
            },
            "extra": {"who": ["boris@example.org"]},
        }
        cleaned: Any = before_send(event, {})
    finally:
        request_id_var.reset(token)
    assert cleaned["tags"]["request_id"] == "req-123"
    assert "user" not in cleaned and "cookies" not in cleaned["request"] and "data" not in cleaned["request"]
    assert cleaned["request"]["headers"] == {"Authorization": "[redacted]", "Accept": "application/json"}
    assert "@" not in str(cleaned)


def test_sentry_stays_off_without_a_dsn() -> None:
    assert init_sentry(make_settings("sqlite+aiosqlite://")) is False
