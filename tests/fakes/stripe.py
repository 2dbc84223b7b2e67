"""A fake Stripe API (the parts we call) on a FakeProvider, plus webhook signing as Stripe does it.

- `POST /v1/payment_intents` and `POST /v1/refunds` (form-encoded, like the SDK sends them) honour
  `Idempotency-Key`: the same key returns the first answer, as Stripe's API does.
- `signed(event, secret)` → (body, `Stripe-Signature` header: `t=<unix>,v1=<HMAC-SHA256(secret, "t.body")>`).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.server import Answer, FakeProvider, FakeRequest

_ids = itertools.count(1)


class FakeStripe:
    def __init__(self, fake: FakeProvider) -> None:
        self.fake = fake
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self._by_key: dict[str, Answer] = {}
        self._lock = threading.Lock()
        self.refund_status = "pending"
        fake.on("POST", "/v1/payment_intents", handler=self._create_intent)
        fake.on("POST", "/v1/refunds", handler=self._create_refund)

    @property
    def url(self) -> str:
        return self.fake.url

    def fail_with(self, status: int) -> None:
        self.fake.on("POST", "/v1/payment_intents", status=status, json={"error": {"type": "api_error"}})
        self.fake.on("POST", "/v1/refunds", status=status, json={"error": {"type": "api_error"}})

    def recover(self) -> None:
        self.fake.on("POST", "/v1/payment_intents", handler=self._create_intent)
        self.fake.on("POST", "/v1/refunds", handler=self._create_refund)

    def requests(self, path: str) -> list[FakeRequest]:
        return [r for r in self.fake.requests if r.path == path]

    @staticmethod
    def form(request: FakeRequest) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}

    def _idempotent(self, request: FakeRequest, build: Any) -> Answer:
        key = request.headers.get("idempotency-key")
        with self._lock:
            if key and key in self._by_key:
                return self._by_key[key]
            answer: Answer = (200, {"Content-Type": "application/json"}, json.dumps(build()).encode())
            if key:
                self._by_key[key] = answer
            return answer

    def _create_intent(self, request: FakeRequest) -> Answer:
        form = self.form(request)

        def build() -> dict[str, Any]:
            n = next(_ids)
            intent = {
                "id": f"pi_test_{n}",
                "object": "payment_intent",
                "amount": int(form["amount"]),
                "amount_received": 0,
                "currency": form["currency"],
                "status": "requires_payment_method",
                "client_secret": f"pi_test_{n}_secret_abc",
                "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            }
            self.intents[intent["id"]] = intent
            return intent

        return self._idempotent(request, build)

    def _create_refund(self, request: FakeRequest) -> Answer:
        form = self.form(request)

        def build() -> dict[str, Any]:
            refund = {
                "id": f"re_test_{next(_ids)}",
                "object": "refund",
                "amount": int(form["amount"]),
                "currency": "thb",
                "payment_intent": form["payment_intent"],
                "status": self.refund_status,
                "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            }
            self.refunds[refund["id"]] = refund
            return refund

        return self._idempotent(request, build)


def event(kind: str, obj: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_test_{next(_ids)}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def signed(payload: dict[str, Any], secret: str, *, timestamp: int | None = None) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={t},v1={mac}"
