"""Transactional outbox: a side effect that leaves the process (push, email) is recorded as a row in
the same transaction as the change that causes it, so it is never lost and never sent for a change
that rolled back. Delivery (the worker) belongs to the notifications feature."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from phuket.core.db import Base, IdMixin, UTCDateTime, utcnow


class OutboxMessage(IdMixin, Base):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_available_at", "status", "available_at"),)

    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("user.id", ondelete="SET NULL"), nullable=True, index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


async def enqueue(
    session: AsyncSession, kind: str, payload: dict[str, Any], *, user_id: str | None = None
) -> OutboxMessage:
    message = OutboxMessage(kind=kind, payload=payload, user_id=user_id)
    session.add(message)
    await session.flush()
    return message
