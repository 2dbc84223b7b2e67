"""Registry through which each feature contributes a user's data to the GDPR export and erasure,
so that the users feature need not know every other feature."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

Exporter = Callable[[AsyncSession, str], Awaitable[Any]]
Eraser = Callable[[AsyncSession, str], Awaitable[None]]

exporters: dict[str, Exporter] = {}
erasers: list[Eraser] = []


def register_exporter(section: str, exporter: Exporter) -> None:
    exporters[section] = exporter


def register_eraser(eraser: Eraser) -> None:
    if eraser not in erasers:
        erasers.append(eraser)
