from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status

from phuket.auth import service
from phuket.auth.dependencies import BlacklistDep, ClaimsDep, SettingsDep
from phuket.auth.schemas import (
    ForgotPasswordRequest,
    LoginRequest,
    LogoutRequest,
    RefreshRequest,
    RegisterRequest,
    ResetPasswordRequest,
    TokenPair,
)
from phuket.core.db import SessionDep
from phuket.core.errors import error_responses
from phuket.core.http import envelope
from phuket.core.ratelimit import rate_limit
from phuket.core.schemas import Envelope
from phuket.users import service as users

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=Envelope[TokenPair],
    responses=error_responses(409),
    dependencies=[Depends(rate_limit("auth"))],
    summary="Create an account and log in",
)
async def register(body: RegisterRequest, session: SessionDep, settings: SettingsDep) -> dict[str, object]:
    user = await users.create_user(
        session,
        settings,
        email=body.email,
        password=body.password,
        full_name=body.full_name,
        language=body.language,
    )
    return envelope(await service.issue_pair(session, settings, user))


@router.post(
    "/login",
    response_model=Envelope[TokenPair],
    responses=error_responses(401),
    dependencies=[Depends(rate_limit("auth"))],
    summary="Log in with email and password",
)
async def login(body: LoginRequest, session: SessionDep, settings: SettingsDep) -> dict[str, object]:
    return envelope(await service.login(session, settings, email=body.email, password=body.password))


@router.post(
    "/refresh",
    response_model=Envelope[TokenPair],
    responses=error_responses(401),
    dependencies=[Depends(rate_limit("user"))],
    summary="Rotate a refresh token for a new token pair",
)
async def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> dict[str, object]:
    return envelope(await service.refresh(session, settings, body.refresh_token))


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401),
    summary="Revoke the access token (and the refresh token's family, if given)",
)
async def logout(
    session: SessionDep,
    settings: SettingsDep,
    blacklist: BlacklistDep,
    claims: ClaimsDep,
    body: LogoutRequest | None = None,
) -> Response:
    await service.logout(
        session, settings, blacklist, access=claims, refresh_token=body.refresh_token if body else None
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/password/forgot",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    responses=error_responses(),
    dependencies=[Depends(rate_limit("auth"))],
    summary="Email a password-reset link (always 202)",
)
async def forgot_password(
    body: ForgotPasswordRequest, session: SessionDep, settings: SettingsDep
) -> Response:
    await service.forgot_password(session, settings, body.email)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password/reset",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(),
    dependencies=[Depends(rate_limit("auth"))],
    summary="Set a new password with a reset token",
)
async def reset_password(body: ResetPasswordRequest, session: SessionDep, settings: SettingsDep) -> Response:
    await service.reset_password(session, settings, body.token, body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
