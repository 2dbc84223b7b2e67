"""Fake Google OAuth token endpoint + FCM HTTP v1, and a fake SendGrid v3, on FakeProviders.

`service_account(fake_url)` makes a real RSA key and the service-account JSON that points its
`token_uri` at the fake; the fake token endpoint checks the JWT assertion's RS256 signature with the
public key, as Google does, and FCM checks the bearer token it issued.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.server import Answer, FakeProvider, FakeRequest

PROJECT = "phuket-test"
_JSON = {"Content-Type": "application/json"}


def service_account(token_uri: str) -> tuple[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    account = {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "kid-1",
        "private_key": pem,
        "client_email": "push@phuket-test.iam.gserviceaccount.com",
        "token_uri": token_uri,
    }
    return json.dumps(account), key.public_key()


class FakeFCM:
    """OAuth at `/token`, FCM at `/v1/projects/{PROJECT}/messages:send`. `dead_tokens` answer UNREGISTERED."""

    def __init__(self, fake: FakeProvider) -> None:
        self.fake = fake
        self.credentials, self.public_key = service_account(f"{fake.url}/token")
        self.dead_tokens: set[str] = set()
        self.delivered: Counter[str] = Counter()  # messageId → times delivered with 200
        self.fail_status: int | None = None
        self._lock = threading.Lock()
        fake.on("POST", "/token", handler=self._token)
        fake.on("POST", f"/v1/projects/{PROJECT}/messages:send", handler=self._send)

    def _token(self, request: FakeRequest) -> Answer:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
        claims = jwt.decode(
            form["assertion"], self.public_key, algorithms=["RS256"], audience=f"{self.fake.url}/token"
        )
        assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"
        body = {"access_token": "ya29.fake-access", "expires_in": 3599, "token_type": "Bearer"}
        return 200, _JSON, json.dumps(body).encode()

    def _send(self, request: FakeRequest) -> Answer:
        if request.headers.get("authorization") != "Bearer ya29.fake-access":
            return 401, _JSON, b'{"error": {"code": 401, "status": "UNAUTHENTICATED"}}'
        if self.fail_status is not None:
            return self.fail_status, _JSON, b'{"error": {"code": 500, "status": "INTERNAL"}}'
        message = request.json()["message"]
        if message["token"] in self.dead_tokens:
            error = {
                "code": 404,
                "status": "NOT_FOUND",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                        "errorCode": "UNREGISTERED",
                    }
                ],
            }
            return 404, _JSON, json.dumps({"error": error}).encode()
        with self._lock:
            self.delivered[message["data"]["messageId"]] += 1
        return (
            200,
            _JSON,
            json.dumps({"name": f"projects/{PROJECT}/messages/{message['data']['messageId']}"}).encode(),
        )

    def messages(self) -> list[dict[str, Any]]:
        path = f"/v1/projects/{PROJECT}/messages:send"
        return [r.json()["message"] for r in self.fake.requests if r.path == path]


class FakeSendGrid:
    def __init__(self, fake: FakeProvider) -> None:
        self.fake = fake
        self.delivered: Counter[str] = Counter()  # outboxId → times accepted
        self.fail_status: int | None = None
        self._lock = threading.Lock()
        fake.on("POST", "/v3/mail/send", handler=self._send)

    def _send(self, request: FakeRequest) -> Answer:
        if request.headers.get("authorization") != "Bearer SG.test-key":
            return 401, _JSON, b'{"errors": [{"message": "unauthorized"}]}'
        if self.fail_status is not None:
            return self.fail_status, _JSON, b'{"errors": [{"message": "try later"}]}'
        with self._lock:
            self.delivered[request.json()["custom_args"]["outboxId"]] += 1
        return 202, {}, b""

    def mails(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.fake.requests if r.path == "/v3/mail/send"]
