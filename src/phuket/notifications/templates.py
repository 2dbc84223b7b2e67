"""What each outbox event says, in the user's language (ru/en): a push title/body and an email."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

PUSH_AND_EMAIL = (
    "booking_created",
    "booking_confirmed",
    "booking_cancelled",
    "booking_expired",
    "booking_reminder",
    "payment_received",
)
EMAIL_ONLY = ("password_reset",)

_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    # kind: {language: (title, body)}; body placeholders come from `_fields`.
    "booking_created": {
        "en": ("Booking received", "Your booking {code} for {item} on {start} is waiting for payment."),
        "ru": ("Бронирование создано", "Бронирование {code}: {item}, {start}. Ожидает оплаты."),
    },
    "booking_confirmed": {
        "en": ("Booking confirmed", "Your booking {code} for {item} on {start} is confirmed."),
        "ru": ("Бронирование подтверждено", "Бронирование {code}: {item}, {start} — подтверждено."),
    },
    "booking_cancelled": {
        "en": ("Booking cancelled", "Your booking {code} for {item} was cancelled.{refund}"),
        "ru": ("Бронирование отменено", "Бронирование {code}: {item} — отменено.{refund}"),
    },
    "booking_expired": {
        "en": ("Booking expired", "Your booking {code} for {item} expired: it was not paid in time."),
        "ru": ("Бронирование истекло", "Бронирование {code}: {item} не было оплачено вовремя."),
    },
    "booking_reminder": {
        "en": ("See you tomorrow", "Reminder: {item} starts on {start} (booking {code})."),
        "ru": ("До встречи завтра", "Напоминаем: {item} — {start} (бронирование {code})."),
    },
    "payment_received": {
        "en": ("Payment received", "We received {amount} THB for booking {code} ({item}). Thank you!"),
        "ru": ("Оплата получена", "Мы получили {amount} THB за бронирование {code} ({item}). Спасибо!"),
    },
    "password_reset": {
        "en": (
            "Reset your password",
            "Someone asked to reset the password of your Phuket Travel account. "
            "If it was you, open this link within an hour: {url}\nIf not, ignore this email.",
        ),
        "ru": (
            "Сброс пароля",
            "Кто-то запросил сброс пароля вашего аккаунта Phuket Travel. "
            "Если это были вы, откройте ссылку в течение часа: {url}\nЕсли нет, просто проигнорируйте письмо.",
        ),
    },
}
_REFUND = {"en": " {amount} THB will be refunded.", "ru": " Возврат: {amount} THB."}
_GREETING = {"en": "Hello, {name}!", "ru": "Здравствуйте, {name}!"}


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    subject: str
    text: str
    html: str


def language_of(payload: dict[str, Any]) -> str:
    return "ru" if payload.get("language") == "ru" else "en"


def _fields(payload: dict[str, Any], language: str) -> dict[str, str]:
    names = payload.get("itemName") or {}
    refund = Decimal(str(payload.get("refundAmount") or "0"))
    return {
        "code": str(payload.get("confirmationCode", "")),
        "item": str(names.get(language) or names.get("en") or ""),
        "start": str(payload.get("startDate", "")),
        "amount": str(payload.get("amountReceived") or payload.get("totalPrice") or ""),
        "refund": _REFUND[language].format(amount=f"{refund:.2f}") if refund > 0 else "",
        "url": str(payload.get("resetUrl", "")),
    }


def render(kind: str, payload: dict[str, Any]) -> Rendered:
    language = language_of(payload)
    title, template = _TEXT[kind][language]
    body = template.format(**_fields(payload, language))
    greeting = _GREETING[language].format(name=payload.get("fullName") or "")
    text = f"{greeting}\n\n{body}\n\n— Phuket Travel\n"
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in body.split("\n"))
    html = f"<p>{escape(greeting)}</p>{paragraphs}<p>— Phuket Travel</p>"
    return Rendered(title=title, body=body, subject=f"{title} — Phuket Travel", text=text, html=html)
