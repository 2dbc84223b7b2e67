"""Passwords (bcrypt, 12 rounds, off the event loop) and JWTs (PyJWT, algorithm pinned)."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import anyio
import bcrypt
import jwt

from phuket.core.config import Settings

# bcrypt burns a core for ~0.2 s; cap how many run at once so a login burst cannot starve the
# threads that serve everything else (catalog reads, DB drivers).
_bcrypt_limiter: anyio.CapacityLimiter | None = None


def _limiter() -> anyio.CapacityLimiter:
    global _bcrypt_limiter
    if _bcrypt_limiter is None:
        _bcrypt_limiter = anyio.CapacityLimiter(max(1, (os.cpu_count() or 2) - 1))
    return _bcrypt_limiter


MAX_PASSWORD_BYTES = 72  # bcrypt's limit: longer passwords are refused, never truncated


async def hash_password(password: str, rounds: int) -> str:
    raw = password.encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise ValueError("password longer than 72 bytes")
    hashed = await anyio.to_thread.run_sync(
        lambda: bcrypt.hashpw(raw, bcrypt.gensalt(rounds)), limiter=_limiter()
    )
    return hashed.decode("ascii")


async def verify_password(password: str, hashed: str | None, rounds: int) -> bool:
    """Constant work whether or not the account exists: with no hash we check a dummy one."""
    raw = password.encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:
        raw = raw[:0]  # cannot match any stored hash; still do the same bcrypt work below
    target = (hashed or _dummy_hash(rounds)).encode("ascii")
    try:
        ok = await anyio.to_thread.run_sync(lambda: bcrypt.checkpw(raw, target), limiter=_limiter())
    except ValueError:
        return False
    return ok and hashed is not None


_DUMMY: dict[int, str] = {}


def _dummy_hash(rounds: int) -> str:
    if rounds not in _DUMMY:
        _DUMMY[rounds] = bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(rounds)).decode("ascii")
    return _DUMMY[rounds]


TokenType = Literal["access", "refresh"]


@dataclass(frozen=True)
class TokenClaims:
    sub: str
    jti: str
    type: TokenType
    exp: datetime
    iat: datetime
    role: str | None = None
    fam: str | None = None


class TokenError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # TOKEN_EXPIRED or UNAUTHORIZED


def issue_token(
    settings: Settings,
    *,
    subject: str,
    token_type: TokenType,
    role: str | None = None,
    family: str | None = None,
    now: datetime | None = None,
) -> tuple[str, TokenClaims]:
    issued = now or datetime.now(UTC)
    ttl = settings.access_token_ttl_seconds if token_type == "access" else settings.refresh_token_ttl_seconds
    claims = TokenClaims(
        sub=subject,
        jti=secrets.token_urlsafe(16),
        type=token_type,
        iat=issued,
        exp=issued + timedelta(seconds=ttl),
        role=role,
        fam=family,
    )
    payload: dict[str, Any] = {
        "sub": claims.sub,
        "jti": claims.jti,
        "type": claims.type,
        "iat": int(claims.iat.timestamp()),
        "exp": int(claims.exp.timestamp()),
    }
    if role is not None:
        payload["role"] = role
    if family is not None:
        payload["fam"] = family
    token = jwt.encode(payload, settings.secret_key.get_secret_value(), algorithm=settings.jwt_algorithm)
    return token, claims


def decode_token(settings: Settings, token: str, expected_type: TokenType) -> TokenClaims:
    try:
        payload = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
            options={"require": ["sub", "exp", "iat", "jti", "type"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("TOKEN_EXPIRED") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("UNAUTHORIZED") from exc
    if payload.get("type") != expected_type or not isinstance(payload.get("sub"), str):
        raise TokenError("UNAUTHORIZED")
    return TokenClaims(
        sub=payload["sub"],
        jti=str(payload["jti"]),
        type=expected_type,
        iat=datetime.fromtimestamp(int(payload["iat"]), UTC),
        exp=datetime.fromtimestamp(int(payload["exp"]), UTC),
        role=payload.get("role"),
        fam=payload.get("fam"),
    )


def token_digest(value: str) -> str:
    """What we store for one-time secrets (reset tokens): never the token itself."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
