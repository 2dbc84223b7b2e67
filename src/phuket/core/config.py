"""Settings from `PHUKET_*` environment variables (API.md, "Configuration")."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me-0123456789"
PHUKET_TZ = "Asia/Bangkok"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PHUKET_", env_file=None, extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str = ""
    read_database_url: str | None = None
    db_pool_size: int = 10
    db_max_overflow: int = 10
    # How long a request waits for a pooled connection before it is answered 503 (SQLAlchemy's default).
    db_pool_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    # Admission control (core/admission.py): requests one worker runs at once (0: no limit), and how long
    # a request waits for its turn before it is answered 503 + Retry-After.
    max_concurrent_requests: int = Field(default=32, ge=0, le=10_000)
    admission_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    redis_url: str | None = None
    redis_prefix: str = "phuket:"

    secret_key: SecretStr = SecretStr(DEFAULT_SECRET_KEY)
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    access_token_ttl_seconds: int = 30 * 60
    refresh_token_ttl_seconds: int = 7 * 24 * 3600
    password_reset_ttl_seconds: int = 3600
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)

    rate_limit_enabled: bool = True
    cors_origins: Annotated[list[str], NoDecode] = []
    trusted_proxies: Annotated[list[str], NoDecode] = []
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 10 * 1_048_576
    # A request's line and headers together (ops/protocol.py): larger heads are refused with 431.
    max_header_bytes: int = Field(default=32 * 1024, ge=1024, le=1_048_576)
    # How long a connection may take to send a complete request head (connections idle or dribbling).
    header_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    # How long a request may take to send its whole body; it is read before it queues for admission.
    body_timeout_seconds: float = Field(default=60.0, gt=0, le=3600)
    public_base_url: str = "http://127.0.0.1:8000"

    # Bookings: how long an unpaid `pending` booking holds its dates, and how far ahead one can book.
    booking_hold_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    booking_horizon_days: int = Field(default=365, ge=1, le=1000)
    # The built web client (web/dist of the checkout when unset); see phuket/webapp.
    web_dist_dir: Path | None = None

    # External providers: a provider with no key runs on its fallback (seed §10.1).
    openai_api_key: SecretStr | None = None
    openai_base_url: str = "https://api.openai.com/v1"
    openai_model: str = "gpt-4o-mini"
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_base_url: str | None = None
    openweather_api_key: SecretStr | None = None
    openweather_base_url: str = "https://api.openweathermap.org"
    currency_api_key: SecretStr | None = None
    currency_base_url: str = "https://v6.exchangerate-api.com"
    # Seconds one provider call may take (weather, rates) and one model answer (OpenAI-compatible).
    provider_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    openai_timeout_seconds: float = Field(default=20.0, gt=0, le=120)
    sendgrid_api_key: SecretStr | None = None
    sendgrid_base_url: str = "https://api.sendgrid.com"
    firebase_credentials: str | None = None
    fcm_base_url: str = "https://fcm.googleapis.com"
    stripe_publishable_key: str | None = None
    email_from: str = "Phuket Travel <no-reply@phuket.travel>"
    sentry_dsn: SecretStr | None = None

    # Outbox worker (payments and notifications): in-process under `make run` unless turned off.
    inprocess_worker: bool | None = None
    outbox_max_attempts: int = Field(default=8, ge=1, le=50)
    outbox_retry_base_seconds: float = Field(default=30.0, ge=0, le=3600)
    worker_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @model_validator(mode="after")
    def _defaults_and_guards(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'phuket.db'}"
        if self.inprocess_worker is None:
            self.inprocess_worker = self.env == "development"
        if self.env == "production":
            key = self.secret_key.get_secret_value()
            if key == DEFAULT_SECRET_KEY or len(key) < 32:
                raise ValueError(
                    "PHUKET_SECRET_KEY must be set to a random value of at least 32 characters in production"
                )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
