"""The last weather the provider gave for a place: served when it is down (seed §10.1 "Cached data")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from phuket.core.db import Base, UTCDateTime


class WeatherSnapshot(Base):
    __tablename__ = "weather_snapshot"

    place: Mapped[str] = mapped_column(String(32), primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
