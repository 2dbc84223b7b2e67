"""The bundled catalog (`phuket seed`): real Phuket places in Russian and English, upserted by slug."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.catalog import admin
from phuket.catalog.admin_schemas import CREATE_SCHEMAS
from phuket.catalog.models import ITEM_MODELS
from phuket.catalog.storage import MediaStorage

DATA_FILES = {"vehicle": "vehicles.json", "property": "properties.json", "tour": "tours.json"}


def load_data(item_type: str) -> list[dict[str, Any]]:
    raw = resources.files("phuket").joinpath("seed", "data", DATA_FILES[item_type]).read_text("utf-8")
    rows: list[dict[str, Any]] = json.loads(raw)
    return rows


async def catalog_is_empty(session: AsyncSession) -> bool:
    for model in ITEM_MODELS.values():
        if (await session.execute(select(func.count()).select_from(model))).scalar_one():
            return False
    return True


async def seed_catalog(session: AsyncSession, storage: MediaStorage) -> dict[str, tuple[int, int]]:
    """Insert or update every bundled item by slug: {item_type: (created, updated)}. Idempotent.

    An item an admin deactivated stays deactivated, and uploaded photos are kept."""
    counts: dict[str, tuple[int, int]] = {}
    for item_type, model_cls in ITEM_MODELS.items():
        model: Any = model_cls
        schema = CREATE_SCHEMAS[item_type]
        existing = {i.slug: i for i in (await session.execute(select(model))).scalars()}
        created = updated = 0
        for row in load_data(item_type):
            data = admin.validate(schema, row)
            item = existing.get(data.slug)
            if item is None:
                item = model()
                item.images = []
                admin.apply_fields(item, data)
                session.add(item)
                created += 1
            else:
                admin.apply_fields(item, data, only=set(data.model_fields_set) - {"is_active"})
                updated += 1
            await admin.ensure_placeholder(storage, item_type, item)
        await session.flush()
        counts[item_type] = (created, updated)
    await rebuild_search_index(session)
    return counts


async def rebuild_search_index(session: AsyncSession) -> None:
    """SQLite: rebuild the FTS5 tables from their content tables (a safety net; triggers keep them in
    step). PostgreSQL indexes need nothing."""
    if session.get_bind().dialect.name != "sqlite":
        return
    for model in ITEM_MODELS.values():
        table = model.__tablename__
        await session.execute(text(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')"))  # noqa: S608
