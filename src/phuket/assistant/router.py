from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from phuket.assistant import service
from phuket.assistant.schemas import ChatReply, ChatRequest
from phuket.auth.dependencies import CurrentUser, SettingsDep
from phuket.core.db import SessionDep, read_only_request
from phuket.core.errors import error_responses
from phuket.core.http import envelope
from phuket.core.ratelimit import rate_limit
from phuket.core.schemas import Envelope

router = APIRouter(prefix="/v1/ai", tags=["assistant"])


@router.post(
    "/chat",
    response_model=Envelope[ChatReply],
    response_model_exclude_none=True,
    responses=error_responses(401),
    dependencies=[Depends(read_only_request), Depends(rate_limit("ai"))],
    summary="Ask the travel assistant (the model when configured, the offline knowledge otherwise)",
)
async def chat(
    request: Request, body: ChatRequest, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> dict[str, object]:
    reply = await service.chat(request, session, settings, body, user_currency=user.currency)
    return envelope(reply)
