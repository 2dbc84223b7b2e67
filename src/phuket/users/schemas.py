from __future__ import annotations

from typing import Literal

import nh3
from pydantic import EmailStr, Field, field_validator

from phuket.core.errors import AppErrorKey
from phuket.core.schemas import ApiModel, CurrencyCode, RequestModel, UtcDateTime
from phuket.core.security import MAX_PASSWORD_BYTES

Language = Literal["en", "ru"]


def clean_name(value: str) -> str:
    """Names are plain text: markup is stripped (nh3), control characters removed, spaces folded."""
    text = nh3.clean(value, tags=set(), clean_content_tags={"script", "style"})
    text = "".join(ch for ch in text if ch.isprintable())
    text = " ".join(text.split())
    if not text:
        raise AppErrorKey("field.name_empty")
    return text


def check_password(value: str) -> str:
    size = len(value.encode("utf-8"))
    if size < 8 or size > MAX_PASSWORD_BYTES:
        raise AppErrorKey("field.password_weak")
    if not any(c.isalpha() for c in value) or not any(c.isdigit() for c in value):
        raise AppErrorKey("field.password_weak")
    return value


def normalise_email(value: str) -> str:
    return value.strip().lower()


class UserPublic(ApiModel):
    id: str
    email: str
    full_name: str
    language: Language
    currency: str
    role: Literal["user", "admin"]
    created_at: UtcDateTime


class UserUpdate(RequestModel):
    full_name: str | None = Field(default=None, max_length=100)
    language: Language | None = None
    currency: CurrencyCode | None = None
    password: str | None = Field(default=None, description="New password; needs `currentPassword`.")
    current_password: str | None = Field(default=None, max_length=200)

    _name = field_validator("full_name")(lambda v: clean_name(v) if v is not None else v)
    _password = field_validator("password")(lambda v: check_password(v) if v is not None else v)


class EmailField(RequestModel):
    email: EmailStr = Field(max_length=254)

    @field_validator("email", mode="after")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return normalise_email(value)
