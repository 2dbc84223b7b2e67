"""The outbox worker: delivers what the app recorded in `outbox_message`, and runs the periodic jobs.

Delivery is at-least-once and safe with several workers:
- *claim* (one short transaction): due rows are locked with `FOR UPDATE SKIP LOCKED` on PostgreSQL (a
  single IMMEDIATE writer on SQLite), marked `processing` with a lease (`locked_until`) and an attempt
  counted; a worker that dies leaves the lease to run out, and the row is claimed again;
- *deliver* outside any transaction, then *finish* only if the lease is still ours;
- an event (`booking_created`, `password_reset`, …) is first *fanned out* in one transaction into one
  child message per channel — a `push` per device, an `email`, a `refund` — so a failing email
  provider never makes a push go out twice, and each child retries on its own;
- failures retry with exponential backoff and jitter; after `outbox_max_attempts` the row is `dead`.
  While a provider's breaker is open the message waits without spending an attempt.
"""

from __future__ import annotations

import asyncio
import logging
import random
from contextlib import AbstractAsyncContextManager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.core import metrics
from phuket.core.breaker import OPEN_SECONDS, BreakerOpen
from phuket.core.db import utcnow
from phuket.core.outbox import OutboxMessage, enqueue
from phuket.notifications import jobs, service, templates
from phuket.notifications.providers import (
    DeliveryFailed,
    Email,
    InvalidToken,
    Push,
    make_email_sender,
    make_push_sender,
)
from phuket.payments import service as payments
from phuket.payments.client import PaymentsUnavailable, StripeGateway

log = logging.getLogger("phuket.worker")

LEASE = timedelta(minutes=5)  # longer than any delivery (provider timeouts are 10-25 s)
MAX_BACKOFF = timedelta(hours=6)
BATCH = 20


@dataclass(frozen=True)
class Claimed:
    id: str
    kind: str
    user_id: str | None
    payload: dict[str, Any]
    attempts: int
    lease: datetime


class Retry(Exception):
    def __init__(self, reason: str, *, breaker_open: bool = False) -> None:
        super().__init__(reason)
        self.breaker_open = breaker_open


class Dead(Exception):
    pass


def backoff(settings: Any, attempts: int) -> timedelta:
    """base · 2^(attempts-1), capped, with jitter (50-100 %) so a burst does not retry in lockstep."""
    seconds = settings.outbox_retry_base_seconds * (2 ** max(attempts - 1, 0))
    seconds = min(seconds, MAX_BACKOFF.total_seconds())
    return timedelta(seconds=seconds * random.uniform(0.5, 1.0))


class Worker:
    """`state` has `settings`, `db` (core.db.Database) and `cache` — the app's state, or the CLI's."""

    def __init__(self, state: Any, *, batch: int = BATCH) -> None:
        self.state = state
        self.settings = state.settings
        self.db = state.db
        self.batch = batch
        self.push = make_push_sender(self.settings)
        self.email = make_email_sender(self.settings)
        self.stripe = StripeGateway(self.settings)
        self.jobs = jobs.PeriodicJobs(state)

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        return self.db.write_transaction()  # type: ignore[no-any-return]

    async def claim(self, now: datetime) -> list[Claimed]:
        query = (
            select(OutboxMessage)
            .where(
                or_(
                    and_(OutboxMessage.status == "pending", OutboxMessage.available_at <= now),
                    and_(OutboxMessage.status == "processing", OutboxMessage.locked_until < now),
                )
            )
            .order_by(OutboxMessage.available_at)
            .limit(self.batch)
        )
        if not self.db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        lease = now + LEASE
        async with self.transaction() as session:
            rows = (await session.execute(query)).scalars().all()
            for message in rows:
                message.status = "processing"
                message.locked_until = lease
                message.attempts += 1
            return [Claimed(m.id, m.kind, m.user_id, dict(m.payload), m.attempts, lease) for m in rows]

    async def _owned(self, session: AsyncSession, claimed: Claimed) -> OutboxMessage | None:
        message = await session.get(OutboxMessage, claimed.id, with_for_update=True)
        if message is None or message.status != "processing" or message.locked_until != claimed.lease:
            log.warning("lease lost; another worker has the message", extra={"messageId": claimed.id})
            return None
        return message

    async def run_once(self, now: datetime | None = None, *, stop: asyncio.Event | None = None) -> int:
        """Claim one batch and deliver it. Returns how many messages were claimed."""
        now = now or utcnow()
        claimed = await self.claim(now)
        for index, message in enumerate(claimed):
            if stop is not None and stop.is_set():
                await self.release(claimed[index:])
                break
            await self.process(message, now)
        return len(claimed)

    async def drain(self, now: datetime | None = None, *, rounds: int = 20) -> None:
        """Deliver everything due at `now` (fan-out children included). For tests and `--once`."""
        for _ in range(rounds):
            if not await self.run_once(now):
                return

    async def process(self, claimed: Claimed, now: datetime) -> None:
        try:
            if claimed.kind in templates.PUSH_AND_EMAIL or claimed.kind in templates.EMAIL_ONLY:
                await self.fan_out(claimed, now)
                return
            if claimed.kind == "refund":
                await self.refund(claimed, now)
                return
            if claimed.kind == "push":
                await self.send_push(claimed)
            elif claimed.kind == "email":
                await self.send_email(claimed)
            else:
                raise Dead(f"no handler for {claimed.kind!r}")
        except Retry as exc:
            await self.finish(claimed, now, error=str(exc), retry=True, breaker_open=exc.breaker_open)
        except Dead as exc:
            await self.finish(claimed, now, error=str(exc), retry=False)
        except Exception as exc:  # a bug must not stop the worker; the message retries, then dies
            log.exception("delivery crashed", extra={"messageId": claimed.id, "kind": claimed.kind})
            await self.finish(claimed, now, error=f"{type(exc).__name__}: {exc}"[:500], retry=True)
        else:
            await self.finish(claimed, now)

    async def fan_out(self, claimed: Claimed, now: datetime) -> None:
        payload = claimed.payload
        rendered = templates.render(claimed.kind, payload)
        async with self.transaction() as session:
            message = await self._owned(session, claimed)
            if message is None:
                return
            user = claimed.user_id
            children: list[OutboxMessage] = []
            if claimed.kind in templates.PUSH_AND_EMAIL and user is not None:
                data = {"kind": claimed.kind, "bookingId": str(payload.get("bookingId", ""))}
                for device in await service.devices_of(session, user):
                    push = {
                        "token": device.token,
                        "title": rendered.title,
                        "body": rendered.body,
                        "data": data,
                    }
                    children.append(await enqueue(session, "push", push, user_id=user))
            if payload.get("email"):
                email = {
                    "to": payload["email"],
                    "name": payload.get("fullName") or "",
                    "subject": rendered.subject,
                    "text": rendered.text,
                    "html": rendered.html,
                }
                children.append(await enqueue(session, "email", email, user_id=user))
            if claimed.kind == "booking_cancelled" and Decimal(str(payload.get("refundAmount") or 0)) > 0:
                children.extend(await self._enqueue_refund(session, payload, user))
            for child in children:  # due at the worker's clock, which tests move
                child.available_at = now
            message.status, message.sent_at, message.locked_until = "sent", now, None

    async def _enqueue_refund(
        self, session: AsyncSession, payload: dict[str, Any], user: str | None
    ) -> list[OutboxMessage]:
        booking_id = str(payload["bookingId"])
        payment = await payments.succeeded_card_payment(session, booking_id)
        if payment is None:  # paid in cash: the refund is handed over in person
            log.info("refund without a card payment; settle it manually", extra={"bookingId": booking_id})
            return []
        amount = Decimal(str(payload["refundAmount"]))
        body = payments.refund_message(booking_id, payment, amount, f"booking-{booking_id}-refund")
        return [await enqueue(session, "refund", body, user_id=user)]

    async def refund(self, claimed: Claimed, now: datetime) -> None:
        try:
            async with self.transaction() as session:
                message = await self._owned(session, claimed)
                if message is None:
                    return
                await payments.refund_booking(session, self.stripe, claimed.payload, now=now)
                message.status, message.sent_at, message.locked_until = "sent", now, None
        except PaymentsUnavailable as exc:
            raise Retry(str(exc), breaker_open=exc.breaker_open) from exc

    async def send_push(self, claimed: Claimed) -> None:
        p = claimed.payload
        push = Push(claimed.id, p["token"], p["title"], p["body"], {k: str(v) for k, v in p["data"].items()})
        try:
            await self.push.send(push)
        except InvalidToken as exc:
            async with self.transaction() as session:
                await service.forget_token(session, push.token)
            raise Dead("device token unregistered; device removed") from exc
        except BreakerOpen as exc:
            raise Retry(str(exc), breaker_open=True) from exc
        except DeliveryFailed as exc:
            raise (Retry(str(exc)) if exc.retry else Dead(str(exc))) from exc

    async def send_email(self, claimed: Claimed) -> None:
        p = claimed.payload
        email = Email(claimed.id, p["to"], p.get("name", ""), p["subject"], p["text"], p["html"])
        try:
            await self.email.send(email)
        except BreakerOpen as exc:
            raise Retry(str(exc), breaker_open=True) from exc
        except DeliveryFailed as exc:
            raise (Retry(str(exc)) if exc.retry else Dead(str(exc))) from exc

    async def finish(
        self,
        claimed: Claimed,
        now: datetime,
        *,
        error: str | None = None,
        retry: bool = False,
        breaker_open: bool = False,
    ) -> None:
        async with self.transaction() as session:
            message = await self._owned(session, claimed)
            if message is None:
                return
            message.locked_until = None
            if error is None:
                message.status, message.sent_at, message.last_error = "sent", now, None
                return
            message.last_error = error[:1000]
            metrics.OUTBOX_DELIVERY_FAILURES.inc()
            if breaker_open:  # not the message's fault: wait for the breaker, keep the attempt
                message.status = "pending"
                message.attempts = max(message.attempts - 1, 0)
                message.available_at = now + timedelta(seconds=OPEN_SECONDS * random.uniform(1.0, 1.5))
            elif retry and message.attempts < self.settings.outbox_max_attempts:
                message.status = "pending"
                message.available_at = now + backoff(self.settings, message.attempts)
            else:
                message.status = "dead"
                log.error(
                    "outbox message dead-lettered",
                    extra={"messageId": message.id, "kind": message.kind, "attempts": message.attempts},
                )

    async def release(self, claimed: list[Claimed]) -> None:
        """Graceful stop: give back what was claimed but not started, without spending an attempt."""
        async with self.transaction() as session:
            for item in claimed:
                message = await self._owned(session, item)
                if message is not None:
                    message.status, message.locked_until = "pending", None
                    message.attempts = max(message.attempts - 1, 0)

    async def run(self, stop: asyncio.Event) -> None:
        log.info("outbox worker started")
        while not stop.is_set():
            try:
                await self.jobs.run_due(utcnow())
                claimed = await self.run_once(stop=stop)
            except Exception:  # the database may be briefly away; keep going
                log.exception("worker loop failed; retrying")
                claimed = 0
            if claimed < self.batch:
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.settings.worker_poll_seconds)
        log.info("outbox worker stopped")


async def purge_sent(session: AsyncSession, *, now: datetime, keep: timedelta = timedelta(days=30)) -> int:
    result = await session.execute(
        delete(OutboxMessage).where(OutboxMessage.status == "sent", OutboxMessage.sent_at < now - keep)
    )
    return int(getattr(result, "rowcount", 0) or 0)
