"""Login, token rotation with reuse detection, logout, password reset."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.auth.blacklist import Blacklist
from phuket.auth.models import PasswordResetToken, RefreshToken
from phuket.auth.schemas import TokenPair
from phuket.core import gdpr
from phuket.core.config import Settings
from phuket.core.db import utcnow
from phuket.core.errors import Unauthorized, ValidationFailed
from phuket.core.i18n import translate
from phuket.core.outbox import enqueue
from phuket.core.security import (
    TokenClaims,
    TokenError,
    decode_token,
    issue_token,
    token_digest,
    verify_password,
)
from phuket.users import service as users
from phuket.users.models import User
from phuket.users.schemas import UserPublic


async def issue_pair(
    session: AsyncSession, settings: Settings, user: User, family: str | None = None
) -> TokenPair:
    family = family or secrets.token_urlsafe(16)
    access, _ = issue_token(settings, subject=user.id, token_type="access", role=user.role)
    refresh, claims = issue_token(settings, subject=user.id, token_type="refresh", family=family)
    session.add(RefreshToken(jti=claims.jti, user_id=user.id, family_id=family, expires_at=claims.exp))
    await session.flush()
    return TokenPair(
        user=UserPublic.model_validate(user),
        access_token=access,
        refresh_token=refresh,
        expires_in=settings.access_token_ttl_seconds,
    )


async def login(session: AsyncSession, settings: Settings, *, email: str, password: str) -> TokenPair:
    user = await users.get_by_email(session, email)
    hashed = user.password_hash if user else None
    if user is not None:
        session.expunge(user)  # keep its loaded fields through the rollback below
    # End the read transaction before bcrypt: no database lock is held while hashing (SQLite writers
    # hold theirs from the first statement); the refresh token below starts a new, short one.
    await session.rollback()
    # verify_password does the same bcrypt work for an unknown email: same answer, similar timing.
    if not await verify_password(password, hashed, settings.bcrypt_rounds):
        raise Unauthorized("INVALID_CREDENTIALS")
    assert user is not None
    return await issue_pair(session, settings, user)


async def revoke_family(session: AsyncSession, family_id: str) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def revoke_all_for_user(session: AsyncSession, user_id: str) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def _claims_or_401(settings: Settings, token: str) -> TokenClaims:
    try:
        return decode_token(settings, token, "refresh")
    except TokenError as exc:
        raise Unauthorized(exc.code) from exc


async def refresh(session: AsyncSession, settings: Settings, token: str) -> TokenPair:
    claims = _claims_or_401(settings, token)
    row = await session.get(RefreshToken, claims.jti)
    if row is None or row.user_id != claims.sub:
        raise Unauthorized("UNAUTHORIZED")
    if row.revoked_at is not None:
        raise Unauthorized("TOKEN_REVOKED")
    # Claim the token atomically: of two concurrent refreshes with one token, exactly one wins.
    claimed = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.jti == row.jti, RefreshToken.used_at.is_(None), RefreshToken.revoked_at.is_(None))
        .values(used_at=utcnow())
    )
    if getattr(claimed, "rowcount", 0) != 1:
        # A rotated token came back: someone holds a copy. Kill the whole family, and keep that
        # revocation although this request fails (commit=True).
        await revoke_family(session, row.family_id)
        raise Unauthorized("TOKEN_REVOKED", commit=True)
    user = await users.get_user(session, claims.sub)
    if user is None:
        raise Unauthorized("UNAUTHORIZED")
    return await issue_pair(session, settings, user, family=row.family_id)


async def logout(
    session: AsyncSession,
    settings: Settings,
    blacklist: Blacklist,
    *,
    access: TokenClaims,
    refresh_token: str | None,
) -> None:
    await blacklist.revoke(session, access.jti, access.exp)
    if refresh_token:
        try:
            claims = decode_token(settings, refresh_token, "refresh")
        except TokenError:
            return  # the access token is revoked; a bad refresh token changes nothing
        row = await session.get(RefreshToken, claims.jti)
        if row is not None and row.user_id == access.sub:
            await revoke_family(session, row.family_id)


async def forgot_password(session: AsyncSession, settings: Settings, email: str) -> None:
    """Always the same answer, whether or not the account exists; the email goes out via the outbox."""
    user = await users.get_by_email(session, email)
    if user is None:
        return
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            token_hash=token_digest(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(seconds=settings.password_reset_ttl_seconds),
        )
    )
    await enqueue(
        session,
        "password_reset",
        {
            "token": token,
            "resetUrl": f"{settings.public_base_url}/reset-password?token={token}",
            "language": user.language,
            "email": user.email,
            "fullName": user.full_name,
        },
        user_id=user.id,
    )


async def reset_password(session: AsyncSession, settings: Settings, token: str, new_password: str) -> None:
    row = await session.get(PasswordResetToken, token_digest(token))
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        raise ValidationFailed(details=[("token", translate("TOKEN_EXPIRED"))])
    user = await users.get_user(session, row.user_id)
    if user is None:
        raise ValidationFailed(details=[("token", translate("TOKEN_EXPIRED"))])
    row.used_at = utcnow()
    await users.set_password(session, settings, user, new_password)
    await revoke_all_for_user(session, user.id)


# Deleting an account ends every session it had.
gdpr.register_eraser(revoke_all_for_user)
