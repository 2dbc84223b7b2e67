"""Any OpenAI-compatible chat-completions server (OpenAI itself, or a local model server through
`PHUKET_OPENAI_BASE_URL`), through the official SDK, with a timeout and the provider's breaker.
No retries: a completion is not free, and the offline answer is a good fallback."""

from __future__ import annotations

from typing import Any

from openai import AsyncOpenAI

from phuket.core.breaker import ProviderError, get_breaker
from phuket.core.config import Settings

PROVIDER = "openai"
DEFAULT_BASE_URL = Settings.model_fields["openai_base_url"].default


def configured(settings: Settings) -> bool:
    """A key is set, or the base URL points at another (e.g. local) server that may need none."""
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    return bool(key) or settings.openai_base_url.rstrip("/") != str(DEFAULT_BASE_URL).rstrip("/")


async def complete(settings: Settings, messages: list[dict[str, Any]]) -> str:
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    client = AsyncOpenAI(
        api_key=key,
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout_seconds,
        max_retries=0,
    )

    async def call() -> str:
        async with client:
            response = await client.chat.completions.create(
                model=settings.openai_model,
                messages=messages,  # type: ignore[arg-type]
                temperature=0.3,
                max_tokens=700,
            )
        if not response.choices or not response.choices[0].message.content:
            raise ProviderError("openai: empty answer")
        return response.choices[0].message.content

    result: str = await get_breaker(PROVIDER).call(call, timeout=settings.openai_timeout_seconds + 1)
    return result
