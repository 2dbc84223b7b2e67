"""The access-token blacklist (logout): Redis `blacklist:token:{jti}` with a TTL when Redis is
configured, a table otherwise. If Redis is unreachable we fall back to the table, so a logout is
never forgotten."""

from __future__ import annotations

import logging
from datetime import datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.auth.models import RevokedAccessToken
from phuket.core.db import utcnow

log = logging.getLogger("phuket.auth")


class Blacklist:
    def __init__(self, redis: Redis | None, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix + "blacklist:token:"

    async def revoke(self, session: AsyncSession, jti: str, expires_at: datetime) -> None:
        ttl = int((expires_at - utcnow()).total_seconds())
        if ttl <= 0:
            return
        if self._redis is not None:
            try:
                await self._redis.set(self._prefix + jti, b"1", ex=ttl)
                return
            except (RedisError, OSError) as exc:
                log.warning(
                    "blacklist in redis failed; using the database", extra={"error": type(exc).__name__}
                )
        await session.merge(RevokedAccessToken(jti=jti, expires_at=expires_at))
        await session.flush()

    async def is_revoked(self, session: AsyncSession, jti: str) -> bool:
        if self._redis is not None:
            try:
                if await self._redis.exists(self._prefix + jti):
                    return True
            except (RedisError, OSError) as exc:
                log.warning("blacklist lookup in redis failed", extra={"error": type(exc).__name__})
        row = await session.execute(select(RevokedAccessToken.jti).where(RevokedAccessToken.jti == jti))
        return row.first() is not None

    @staticmethod
    async def purge_expired(session: AsyncSession) -> int:
        result = await session.execute(
            delete(RevokedAccessToken).where(RevokedAccessToken.expires_at < utcnow())
        )
        return int(getattr(result, "rowcount", 0) or 0)
