"""Who is calling: the `CurrentUser` / `AdminUser` dependencies every feature's router uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from phuket.auth.blacklist import Blacklist
from phuket.core.config import Settings
from phuket.core.db import SessionDep
from phuket.core.errors import Forbidden, Unauthorized
from phuket.core.security import TokenClaims, TokenError, decode_token
from phuket.users import service as users
from phuket.users.models import User

# Dependencies are `async def` even when they do not await: FastAPI runs plain `def` dependencies in the
# thread pool, a hop that costs more than the work itself on every request.
_bearer = HTTPBearer(auto_error=False, description="Access token from /v1/auth/login")


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_blacklist(request: Request) -> Blacklist:
    blacklist: Blacklist = request.app.state.blacklist
    return blacklist


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
BlacklistDep = Annotated[Blacklist, Depends(get_blacklist)]


async def access_claims(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    blacklist: BlacklistDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenClaims:
    if credentials is None or not credentials.credentials:
        raise Unauthorized("UNAUTHORIZED")
    try:
        claims = decode_token(settings, credentials.credentials, "access")
    except TokenError as exc:
        raise Unauthorized(exc.code) from exc
    if await blacklist.is_revoked(session, claims.jti):
        raise Unauthorized("TOKEN_REVOKED")
    return claims


ClaimsDep = Annotated[TokenClaims, Depends(access_claims)]


async def current_user(session: SessionDep, claims: ClaimsDep) -> User:
    user = await users.get_user(session, claims.sub)
    if user is None:  # deleted or deactivated since the token was issued
        raise Unauthorized("UNAUTHORIZED")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def admin_user(user: CurrentUser) -> User:
    if not user.is_admin:
        raise Forbidden()
    return user


AdminUser = Annotated[User, Depends(admin_user)]
