from __future__ import annotations

from typing import Literal

from pydantic import Field

from phuket.core.schemas import ApiModel, RequestModel, UtcDateTime


class DeviceRegister(RequestModel):
    token: str = Field(
        min_length=1, max_length=512, pattern=r"^[\x21-\x7e]+$", description="FCM registration token."
    )
    platform: Literal["ios", "android", "web"]


class DevicePublic(ApiModel):
    token: str
    platform: Literal["ios", "android", "web"]
    created_at: UtcDateTime
    updated_at: UtcDateTime
