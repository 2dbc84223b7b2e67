from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response, status

from phuket.auth.dependencies import CurrentUser, SettingsDep
from phuket.core.db import SessionDep
from phuket.core.errors import error_responses
from phuket.core.http import envelope
from phuket.core.ratelimit import rate_limit
from phuket.core.schemas import Envelope
from phuket.users import service
from phuket.users.schemas import UserPublic, UserUpdate

router = APIRouter(prefix="/v1/users", tags=["users"], dependencies=[Depends(rate_limit("user"))])


@router.get("/me", response_model=Envelope[UserPublic], responses=error_responses(401), summary="My profile")
async def get_me(user: CurrentUser) -> dict[str, object]:
    return envelope(user)


@router.patch(
    "/me", response_model=Envelope[UserPublic], responses=error_responses(401), summary="Update my profile"
)
async def update_me(
    body: UserUpdate, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> dict[str, object]:
    return envelope(await service.update_user(session, settings, user, body))


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401),
    summary="Delete my account (personal data erased; bookings kept anonymously)",
)
async def delete_me(user: CurrentUser, session: SessionDep) -> Response:
    await service.delete_user(session, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/me/export",
    response_model=Envelope[dict[str, Any]],
    responses=error_responses(401),
    summary="GDPR export: every piece of data we hold about me",
)
async def export_me(user: CurrentUser, session: SessionDep) -> dict[str, object]:
    return envelope(await service.export_user(session, user))
