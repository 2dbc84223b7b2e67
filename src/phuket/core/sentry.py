"""Error tracking with Sentry (seed §10.1: without a DSN the local logs are the fallback).

Initialised only when PHUKET_SENTRY_DSN is set. No personal data leaves: `send_default_pii=False`, and
`before_send` drops cookies, the Authorization header, the user's identity and any email address
still found in messages, breadcrumbs or extra data. Every event is tagged with the request id, which is
also in every log line of that request, so an event and its logs meet.
"""

from __future__ import annotations

import re
from typing import Any, cast

from sentry_sdk.types import Breadcrumb, BreadcrumbHint, Event, Hint

from phuket.core.config import Settings
from phuket.core.http import request_id_var

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
SECRET_HEADERS = {"authorization", "cookie", "set-cookie", "stripe-signature", "x-api-key"}
REDACTED = "[redacted]"


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return EMAIL.sub(REDACTED, value)
    if isinstance(value, dict):
        return {
            k: REDACTED if isinstance(k, str) and k.lower() in SECRET_HEADERS else _scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def before_send(event: Event, hint: Hint) -> Event | None:
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        request.pop("data", None)  # bodies carry passwords, emails, names
        request.pop("query_string", None)
    request_id = request_id_var.get()
    if request_id != "-":
        tags = event.setdefault("tags", {})
        if isinstance(tags, dict):
            tags["request_id"] = request_id
    return cast(Event, _scrub(event))


def before_breadcrumb(crumb: Breadcrumb, hint: BreadcrumbHint) -> Breadcrumb | None:
    return cast(Breadcrumb, _scrub(crumb))


def init_sentry(settings: Settings) -> bool:
    """Start the SDK when a DSN is configured. Returns whether it did."""
    if settings.sentry_dsn is None or not settings.sentry_dsn.get_secret_value():
        return False
    import sentry_sdk

    from phuket import __version__

    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.env,
        release=f"phuket@{__version__}",
        send_default_pii=False,
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
        traces_sample_rate=0.0,
        max_request_body_size="never",
    )
    return True
