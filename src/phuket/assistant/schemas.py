from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from phuket.core.schemas import ApiModel, RequestModel

MAX_MESSAGE = 2000
MAX_HISTORY = 20


class ChatTurn(RequestModel):
    role: Literal["user", "assistant"] = Field(description='Only "user" and "assistant": never "system"')
    content: str = Field(min_length=1, max_length=MAX_MESSAGE)


class ChatRequest(RequestModel):
    message: str = Field(min_length=1, max_length=MAX_MESSAGE)
    history: list[ChatTurn] = Field(default_factory=list, max_length=MAX_HISTORY)


ActionType = Literal["open_item", "start_booking", "search", "browse", "open_converter", "open_weather"]


class SuggestedAction(ApiModel):
    """Something the client can do with one tap. Fields present depend on `type`:
    open_item / start_booking: itemType, itemId, label · search: query · browse: category, filter ·
    open_converter: from, to, amount · open_weather: nothing more."""

    type: ActionType
    label: str
    item_type: Literal["vehicle", "property", "tour"] | None = None
    item_id: str | None = None
    query: str | None = None
    category: Literal["vehicles", "properties", "tours"] | None = None
    filter: dict[str, Any] | None = None
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    amount: str | None = None


class ChatReply(ApiModel):
    content: str
    suggested_actions: list[SuggestedAction]
    source: Literal["openai", "offline"]
