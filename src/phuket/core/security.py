"""Passwords (bcrypt, 12 rounds, off the event loop) and JWTs (PyJWT, algorithm pinned)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

import bcrypt
import jwt

from phuket.core.config import Settings

T = TypeVar("T")

# bcrypt burns a core for ~0.2 s. It runs on its own small pool (at most cores-1 at once per process),
# whose threads run at a lower OS priority (Linux niceness is per thread): under a login burst the
# scheduler still gives the event loop and the database driver the CPU first, so reads stay fast.
# A hash still queued when its client gives up is dropped (the executor future is cancelled).
_bcrypt_pool: ThreadPoolExecutor | None = None
BCRYPT_NICENESS = 10


def _lower_priority() -> None:
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BCRYPT_NICENESS)


def _pool() -> ThreadPoolExecutor:
    global _bcrypt_pool
    if _bcrypt_pool is None:
        _bcrypt_pool = ThreadPoolExecutor(
            max_workers=max(1, (os.cpu_count() or 2) - 1),
            thread_name_prefix="bcrypt",
            initializer=_lower_priority,
        )
    return _bcrypt_pool


async def _off_loop(fn: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(_pool(), fn)


MAX_PASSWORD_BYTES = 72  # bcrypt's limit: longer passwords are refused, never truncated


async def hash_password(password: str, rounds: int) -> str:
    raw = password.encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise ValueError("password longer than 72 bytes")
    hashed = await _off_loop(lambda: bcrypt.hashpw(raw, bcrypt.gensalt(rounds)))
    return hashed.decode("ascii")


async def verify_password(password: str, hashed: str | None, rounds: int) -> bool:
    """Constant work whether or not the account exists: with no hash we check a dummy one."""
    raw = password.encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:
        raw = raw[:0]  # cannot match any stored hash; still do the same bcrypt work below
    target = (hashed or _dummy_hash(rounds)).encode("ascii")
    try:
        ok = await _off_loop(lambda: bcrypt.checkpw(raw, target))
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
