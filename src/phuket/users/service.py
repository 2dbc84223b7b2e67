"""Accounts: creation, profile, GDPR export and erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.core import gdpr
from phuket.core.config import Settings
from phuket.core.db import utcnow
from phuket.core.errors import Conflict, ValidationFailed
from phuket.core.i18n import translate
from phuket.core.security import hash_password, verify_password
from phuket.users.models import User
from phuket.users.schemas import UserPublic, UserUpdate


async def get_user(session: AsyncSession, user_id: str) -> User | None:
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return user


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == email, User.is_active.is_(True)))
    return result.scalar_one_or_none()


async def create_user(
    session: AsyncSession,
    settings: Settings,
    *,
    email: str,
    password: str,
    full_name: str,
    language: str = "en",
    role: str = "user",
) -> User:
    # Hash before the first statement: on SQLite this request holds the write lock from its first
    # statement on, and bcrypt must not run under it. (It also makes "taken" and "free" equally slow.)
    password_hash = await hash_password(password, settings.bcrypt_rounds)
    existing = await session.execute(select(User.id).where(User.email == email))
    if existing.first() is not None:
        raise Conflict("EMAIL_TAKEN")
    user = User(
        email=email,
        password_hash=password_hash,
        full_name=full_name,
        language=language,
        role=role,
    )
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # a concurrent registration won the race for this email
        raise Conflict("EMAIL_TAKEN") from exc
    return user


async def update_user(session: AsyncSession, settings: Settings, user: User, data: UserUpdate) -> User:
    if data.full_name is not None:
        user.full_name = data.full_name
    if data.language is not None:
        user.language = data.language
    if data.currency is not None:
        user.currency = data.currency
    if data.password is not None:
        if not data.current_password or not await verify_password(
            data.current_password, user.password_hash, settings.bcrypt_rounds
        ):
            raise ValidationFailed(details=[("currentPassword", translate("INVALID_CREDENTIALS"))])
        user.password_hash = await hash_password(data.password, settings.bcrypt_rounds)
    await session.flush()
    return user


async def set_password(session: AsyncSession, settings: Settings, user: User, password: str) -> None:
    user.password_hash = await hash_password(password, settings.bcrypt_rounds)
    await session.flush()


async def delete_user(session: AsyncSession, user: User) -> None:
    """Erase personal data but keep the row: bookings and payments are financial records the company
    must keep; they stay, linked to an anonymous account that can never log in again."""
    for eraser in gdpr.erasers:
        await eraser(session, user.id)
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.full_name = "Deleted user"
    user.password_hash = None
    user.is_active = False
    user.deleted_at = utcnow()
    await session.flush()


async def export_user(session: AsyncSession, user: User) -> dict[str, Any]:
    data: dict[str, Any] = {"profile": UserPublic.model_validate(user).model_dump(mode="json", by_alias=True)}
    for section, exporter in sorted(gdpr.exporters.items()):
        data[section] = await exporter(session, user.id)
    return data


async def promote_to_admin(session: AsyncSession, settings: Settings, *, email: str, password: str) -> User:
    """`phuket create-admin`: creates the admin, or promotes (and re-passwords) an existing account."""
    user = await get_by_email(session, email)
    if user is None:
        return await create_user(
            session, settings, email=email, password=password, full_name="Administrator", role="admin"
        )
    user.role = "admin"
    await set_password(session, settings, user, password)
    return user
