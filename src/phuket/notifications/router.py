from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status

from phuket.auth.dependencies import CurrentUser
from phuket.core.db import SessionDep
from phuket.core.errors import error_responses
from phuket.core.http import envelope
from phuket.core.ratelimit import rate_limit
from phuket.core.schemas import Envelope
from phuket.notifications import service
from phuket.notifications.schemas import DevicePublic, DeviceRegister

router = APIRouter(prefix="/v1/devices", tags=["notifications"])

_WRITE = [Depends(rate_limit("user"))]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Envelope[DevicePublic],
    responses=error_responses(401),
    dependencies=_WRITE,
    summary="Register this device for push notifications (upsert by token)",
)
async def register_device(body: DeviceRegister, user: CurrentUser, session: SessionDep) -> Any:
    device = await service.register_device(session, user, token=body.token, platform=body.platform)
    return envelope(DevicePublic.model_validate(device))


@router.delete(
    "/{token}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 404),
    dependencies=_WRITE,
    summary="Stop push notifications to this device (only my own devices; 404 otherwise)",
)
async def unregister_device(
    token: Annotated[str, Path(min_length=1, max_length=512)], user: CurrentUser, session: SessionDep
) -> Response:
    await service.unregister_device(session, user, token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
