from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from phuket.core.schemas import ApiModel, RequestModel
from phuket.users.schemas import EmailField, Language, UserPublic, check_password, clean_name


class RegisterRequest(EmailField):
    password: str = Field(max_length=200)
    full_name: str = Field(min_length=1, max_length=100)
    language: Language = "en"

    _password = field_validator("password")(check_password)
    _name = field_validator("full_name")(clean_name)


class LoginRequest(EmailField):
    password: str = Field(min_length=1, max_length=200)


class RefreshRequest(RequestModel):
    refresh_token: str = Field(min_length=1, max_length=2048)


class LogoutRequest(RequestModel):
    refresh_token: str | None = Field(default=None, max_length=2048)


class ForgotPasswordRequest(EmailField):
    pass


class ResetPasswordRequest(RequestModel):
    token: str = Field(min_length=1, max_length=256)
    new_password: str = Field(max_length=200)

    _password = field_validator("new_password")(check_password)


class TokenPair(ApiModel):
    user: UserPublic
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")
