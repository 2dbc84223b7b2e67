"""Push (Firebase Cloud Messaging HTTP v1) and email (SendGrid v3), each with its keyless fallback:
push to the log, email to .eml files in `{data_dir}/mailbox` — so a developer sees what would be sent.

FCM: https://firebase.google.com/docs/cloud-messaging/send/v1-api — an OAuth2 access token is obtained
with a JWT signed by the service account's RSA key (RFC 7523 `jwt-bearer` grant at its `token_uri`),
then `POST {fcm}/v1/projects/{project}/messages:send`. SendGrid: `POST {base}/v3/mail/send` → 202.
Neither provider takes an idempotency key, so each message carries the outbox id (FCM collapse key /
`apns-collapse-id` so a repeated push replaces itself on the phone; SendGrid `custom_args` and a header).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from pathlib import Path
from typing import Any, Protocol

import httpx
import jwt

from phuket.core.breaker import BreakerOpen, get_breaker
from phuket.core.config import Settings

log = logging.getLogger("phuket.notifications")

TIMEOUT_SECONDS = 10.0
FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"


class DeliveryFailed(Exception):
    """Not delivered. `retry`: try again later (network, 5xx, 429); otherwise the message is dead."""

    def __init__(self, reason: str, *, retry: bool = True) -> None:
        super().__init__(reason)
        self.retry = retry


class InvalidToken(Exception):
    """FCM says the device token is no longer valid (UNREGISTERED / 404): forget the device."""


@dataclass(frozen=True)
class Push:
    message_id: str
    token: str
    title: str
    body: str
    data: dict[str, str]


@dataclass(frozen=True)
class Email:
    message_id: str
    to_email: str
    to_name: str
    subject: str
    text: str
    html: str


class PushSender(Protocol):
    async def send(self, push: Push) -> None: ...


class EmailSender(Protocol):
    async def send(self, email: Email) -> None: ...


async def _breaker_call(provider: str, request: Any) -> httpx.Response:
    try:
        response: httpx.Response = await get_breaker(provider).call(request, timeout=TIMEOUT_SECONDS)
    except BreakerOpen:
        raise
    except (httpx.HTTPError, TimeoutError, OSError) as exc:
        raise DeliveryFailed(f"{provider} unreachable: {type(exc).__name__}") from exc
    return response


def _raise_for_server(provider: str, response: httpx.Response) -> None:
    """Inside the breaker: a 5xx or 429 counts as the provider failing."""
    if response.status_code >= 500 or response.status_code == 429:
        raise DeliveryFailed(f"{provider} answered {response.status_code}")


class LogPush:
    async def send(self, push: Push) -> None:
        log.info(
            "push (FCM not configured): %s — %s",
            push.title,
            push.body,
            extra={"messageId": push.message_id, "device": push.token[-8:]},
        )


class Mailbox:
    """Email without SendGrid: one .eml file per message, named by the message id (a retry overwrites)."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    async def send(self, email: Email) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = formataddr((email.to_name, email.to_email))
        message["Subject"] = email.subject
        message["Message-ID"] = make_msgid(idstring=email.message_id)
        message["X-Phuket-Message-Id"] = email.message_id
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{email.message_id}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(bytes(message))
        tmp.replace(path)
        log.info(
            "email written to the local mailbox", extra={"messageId": email.message_id, "file": path.name}
        )


class SendGrid:
    def __init__(self, base_url: str, api_key: str, sender: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = api_key
        self.sender_name, self.sender_email = parseaddr(sender)

    async def send(self, email: Email) -> None:
        body = {
            "personalizations": [{"to": [{"email": email.to_email, "name": email.to_name or None}]}],
            "from": {"email": self.sender_email, "name": self.sender_name or None},
            "subject": email.subject,
            "content": [
                {"type": "text/plain", "value": email.text},
                {"type": "text/html", "value": email.html},
            ],
            "custom_args": {"outboxId": email.message_id},
            "headers": {"X-Phuket-Message-Id": email.message_id},
        }

        async def post() -> httpx.Response:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                response = await client.post(
                    f"{self.base_url}/v3/mail/send",
                    json=_drop_none(body),
                    headers={"Authorization": f"Bearer {self._key}"},
                )
            _raise_for_server("sendgrid", response)
            return response

        response = await _breaker_call("sendgrid", post)
        if response.status_code in (200, 202):
            return
        # 401/403: a key problem an operator fixes — keep retrying; any other 4xx is this message's fault.
        raise DeliveryFailed(
            f"sendgrid answered {response.status_code}", retry=response.status_code in (401, 403)
        )


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


@dataclass
class ServiceAccount:
    project_id: str
    client_email: str
    private_key: str
    private_key_id: str | None
    token_uri: str

    @classmethod
    def load(cls, value: str) -> ServiceAccount:
        """PHUKET_FIREBASE_CREDENTIALS: the service-account JSON itself, or the path of its file."""
        text = value if value.lstrip().startswith("{") else Path(value).read_text(encoding="utf-8")
        data = json.loads(text)
        return cls(
            project_id=data["project_id"],
            client_email=data["client_email"],
            private_key=data["private_key"],
            private_key_id=data.get("private_key_id"),
            token_uri=data.get("token_uri") or "https://oauth2.googleapis.com/token",
        )


class FCM:
    def __init__(self, account: ServiceAccount, base_url: str) -> None:
        self.account = account
        self.base_url = base_url.rstrip("/")
        self._token: str | None = None
        self._token_expires = 0.0

    async def _access_token(self) -> str:
        if self._token is not None and time.time() < self._token_expires - 60:
            return self._token
        now = int(time.time())
        assertion = jwt.encode(
            {
                "iss": self.account.client_email,
                "scope": FCM_SCOPE,
                "aud": self.account.token_uri,
                "iat": now,
                "exp": now + 3600,
            },
            self.account.private_key,
            algorithm="RS256",
            headers={"kid": self.account.private_key_id} if self.account.private_key_id else None,
        )

        async def exchange() -> httpx.Response:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                response = await client.post(
                    self.account.token_uri,
                    data={
                        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                        "assertion": assertion,
                    },
                )
            _raise_for_server("fcm", response)
            return response

        response = await _breaker_call("fcm", exchange)
        if response.status_code != 200:
            raise DeliveryFailed(f"oauth token endpoint answered {response.status_code}")
        data = response.json()
        self._token = str(data["access_token"])
        self._token_expires = time.time() + float(data.get("expires_in", 3600))
        return self._token

    async def send(self, push: Push) -> None:
        token = await self._access_token()
        collapse = push.message_id[:64]
        message = {
            "message": {
                "token": push.token,
                "notification": {"title": push.title, "body": push.body},
                "data": {**push.data, "messageId": push.message_id},
                "android": {"collapse_key": collapse},
                "apns": {"headers": {"apns-collapse-id": collapse}},
            }
        }
        url = f"{self.base_url}/v1/projects/{self.account.project_id}/messages:send"

        async def post() -> httpx.Response:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                response = await client.post(url, json=message, headers={"Authorization": f"Bearer {token}"})
            _raise_for_server("fcm", response)
            return response

        response = await _breaker_call("fcm", post)
        if response.status_code == 200:
            return
        status = _fcm_error_status(response)
        if response.status_code == 404 or status == "UNREGISTERED":
            raise InvalidToken(push.token)
        if response.status_code == 401:
            self._token = None  # expired or revoked: fetch a new one on the retry
            raise DeliveryFailed("fcm answered 401")
        raise DeliveryFailed(f"fcm answered {response.status_code} {status}", retry=False)


def _fcm_error_status(response: httpx.Response) -> str:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        return ""
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and detail.get("errorCode"):
            return str(detail["errorCode"])
    return str(error.get("status") or "")


def make_push_sender(settings: Settings) -> PushSender:
    if settings.firebase_credentials:
        return FCM(ServiceAccount.load(settings.firebase_credentials), settings.fcm_base_url)
    return LogPush()


def make_email_sender(settings: Settings) -> EmailSender:
    key = settings.sendgrid_api_key
    if key is not None and key.get_secret_value():
        return SendGrid(settings.sendgrid_base_url, key.get_secret_value(), settings.email_from)
    return Mailbox(settings.data_dir / "mailbox", settings.email_from)
