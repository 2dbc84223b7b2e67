"""`Idempotency-Key` for POST /v1/bookings, with Stripe's semantics:
- the same key and the same body replay the first response (header `Idempotent-Replayed: true`);
- the same key with another body is 422 IDEMPOTENCY_KEY_REUSED;
- while the first request is still running, 409 CONFLICT;
- keys live 24 h.

The "running" marker is committed in its own short transaction before the booking's transaction begins,
so a concurrent duplicate sees it at once. The final response is stored in the booking's own
transaction: a booking and its stored response commit together or not at all. Responses to requests
that never started (bad body) or failed transiently (409, 429, 5xx) are not stored; a retry runs again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

import orjson
from fastapi import Depends, Request
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.bookings.models import IdempotencyKey
from phuket.core.db import get_database, utcnow
from phuket.core.errors import AppError, BusinessRuleError, Conflict, ValidationFailed
from phuket.core.http import json_response, meta_for
from phuket.core.i18n import translate
from phuket.core.security import TokenError, decode_token

KEY_TTL = timedelta(hours=24)
RUNNING_LOCK = timedelta(seconds=60)  # a marker older than this belongs to a request that died
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_REPLAYABLE = {400, 401, 403, 404, 422}


@dataclass
class Idempotency:
    user_id: str | None = None
    key: str | None = None
    replay: Any | None = None
    _stored: bool = field(default=False, repr=False)

    @property
    def active(self) -> bool:
        return self.key is not None and self.user_id is not None

    async def store(self, session: AsyncSession, status_code: int, data: Any) -> None:
        """Record the successful response in the caller's (the booking's) transaction."""
        if not self.active:
            return
        row = await session.get(IdempotencyKey, (self.user_id, self.key))
        if row is not None:
            row.status = "done"
            row.response_status = status_code
            row.response_body = {"data": data}
            await session.flush()
            self._stored = True


async def _request_hash(request: Request) -> str:
    raw = await request.body()
    try:
        canonical = orjson.dumps(orjson.loads(raw), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        canonical = raw
    return hashlib.sha256(
        request.method.encode() + b" " + request.url.path.encode() + b"\n" + canonical
    ).hexdigest()


def _replay_response(row: IdempotencyKey) -> Any:
    body = dict(row.response_body or {})
    headers = {"Idempotent-Replayed": "true"}
    payload: dict[str, Any]
    if "error" in body:
        error = body["error"]
        payload = {"error": {**error, "message": translate(error["code"])}, "meta": meta_for()}
    else:
        payload = {"data": body.get("data"), "meta": meta_for()}
    return json_response(payload, status_code=row.response_status or 200, headers=headers)


async def idempotency(request: Request) -> AsyncIterator[Idempotency]:
    state = Idempotency()
    key = request.headers.get("idempotency-key")
    auth = request.headers.get("authorization", "")
    if key is None or auth[:7].lower() != "bearer ":
        yield state
        return
    if not _KEY.match(key):
        raise ValidationFailed(details=[("Idempotency-Key", translate("field.idempotency_key"))])
    try:
        claims = decode_token(request.app.state.settings, auth[7:].strip(), "access")
    except TokenError:
        yield state  # authentication will refuse the request; nothing to remember
        return
    state.user_id, state.key = claims.sub, key
    request_hash = await _request_hash(request)
    db = get_database(request)
    now = utcnow()

    async with db.sessionmaker() as session, session.begin():
        row = await session.get(IdempotencyKey, (claims.sub, key), with_for_update=True)
        if row is not None and row.expires_at < now:
            await session.delete(row)
            await session.flush()
            row = None
        if row is not None:
            if row.request_hash != request_hash:
                raise BusinessRuleError("IDEMPOTENCY_KEY_REUSED")
            if row.status == "done":
                state.replay = _replay_response(row)
            elif row.locked_until > now:
                raise Conflict()
            else:
                row.locked_until = now + RUNNING_LOCK  # the first request died: take over
        else:
            session.add(
                IdempotencyKey(
                    user_id=claims.sub,
                    key=key,
                    request_hash=request_hash,
                    status="running",
                    locked_until=now + RUNNING_LOCK,
                    created_at=now,
                    expires_at=now + KEY_TTL,
                )
            )
            try:
                await session.flush()
            except IntegrityError as exc:  # a duplicate request inserted it a moment ago
                raise Conflict() from exc

    if state.replay is not None:
        yield state
        return
    try:
        yield state
    except AppError as exc:
        await _finish_failed(db, state, exc)
        raise
    except Exception:  # a malformed request (RequestValidationError) or a failure: nothing to replay
        await _forget(db, state)
        raise
    else:
        if not state._stored:
            await _forget(db, state)


async def _finish_failed(db: Any, state: Idempotency, exc: AppError) -> None:
    if exc.status_code not in _REPLAYABLE:
        await _forget(db, state)
        return
    body = {
        "error": {
            "code": exc.code,
            "message": exc.message or translate(exc.code),
            "details": [{"field": f, "message": m} for f, m in exc.details],
        }
    }
    async with db.sessionmaker() as session, session.begin():
        row = await session.get(IdempotencyKey, (state.user_id, state.key))
        if row is not None:
            row.status, row.response_status, row.response_body = "done", exc.status_code, body


async def _forget(db: Any, state: Idempotency) -> None:
    async with db.sessionmaker() as session, session.begin():
        await session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.user_id == state.user_id,
                IdempotencyKey.key == state.key,
                IdempotencyKey.status == "running",
            )
        )


async def purge_expired(session: AsyncSession) -> int:
    result = await session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at < utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


IdempotencyDep = Annotated[Idempotency, Depends(idempotency, scope="function")]
