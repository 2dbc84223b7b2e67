"""Writing the catalog: create, update, deactivate, images (admin endpoints and `phuket seed`).

Services only flush; the admin routes commit and then bump the cache version (catalog/cache.py)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.catalog import service
from phuket.catalog.admin_schemas import CREATE_SCHEMAS, ItemFields, range_errors
from phuket.catalog.models import ITEM_MODELS, AnyItem, Property, Tour, Vehicle
from phuket.catalog.storage import MediaStorage, placeholder_key, placeholder_svg, sniff_image, upload_key
from phuket.core.errors import (
    Conflict,
    NotFound,
    UnsupportedMediaType,
    ValidationFailed,
    validation_details,
)
from phuket.core.i18n import translate

BILINGUAL_COLUMNS = ("name", "description")  # stored as <field>_en / <field>_ru columns
JSON_TEXTS = ("address", "meeting_point", "highlights")  # stored as {"en": ..., "ru": ...} JSON
MAX_IMAGES = 20
PLACEHOLDER_MARK = "/placeholder/"


def compute_search_text(item: AnyItem) -> str:
    from phuket.catalog.text import build_search_text

    others: list[str] = [item.description_en, item.description_ru, item.area, item.slug.replace("-", " ")]
    if isinstance(item, Vehicle):
        others += [item.type, item.brand, item.model]
    elif isinstance(item, Property):
        others += [item.type, *item.address.values(), *(a.replace("_", " ") for a in item.amenities)]
    elif isinstance(item, Tour):
        others += [item.category, *item.meeting_point.values(), *item.pickup_areas]
        for texts in item.highlights.values():
            others += texts
    return build_search_text([item.name_en, item.name_ru], others)


def apply_fields(item: AnyItem, data: ItemFields, *, only: set[str] | None = None) -> None:
    """Copy validated fields onto the row (all of them, or those in `only`), then refresh search_text."""
    for field in type(data).model_fields:
        if only is not None and field not in only:
            continue
        value = getattr(data, field)
        if field in BILINGUAL_COLUMNS:
            setattr(item, f"{field}_en", value.en)
            setattr(item, f"{field}_ru", value.ru)
        elif field in JSON_TEXTS:
            setattr(item, field, value.model_dump())
        elif isinstance(value, list):
            setattr(item, field, list(value))
        else:
            setattr(item, field, value)
    item.search_text = compute_search_text(item)


def current_fields(item: AnyItem, schema: type[ItemFields]) -> dict[str, Any]:
    """The row as a create body (camelCase keys): what a PATCH is merged into."""
    result: dict[str, Any] = {}
    for field, info in schema.model_fields.items():
        key = info.alias or field
        if field in BILINGUAL_COLUMNS:
            result[key] = {"en": getattr(item, f"{field}_en"), "ru": getattr(item, f"{field}_ru")}
        else:
            result[key] = getattr(item, field)
    return result


def validate(schema: type[ItemFields], body: dict[str, Any]) -> ItemFields:
    try:
        data = schema.model_validate(body)
    except ValidationError as exc:
        raise ValidationFailed(details=validation_details(exc.errors())) from exc
    broken = range_errors(data)
    if broken:
        raise ValidationFailed(details=[(field, translate("field.range")) for field in broken])
    return data


async def _ensure_slug_free(session: AsyncSession, item_type: str, slug: str, item_id: str | None) -> None:
    model: Any = ITEM_MODELS[item_type]
    existing = (await session.execute(select(model.id).where(model.slug == slug))).scalar_one_or_none()
    if existing is not None and existing != item_id:
        raise Conflict(details=[("slug", translate("CONFLICT"))])


async def _flush(session: AsyncSession) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # a concurrent write took the slug
        raise Conflict(details=[("slug", translate("CONFLICT"))]) from exc


async def create_item(session: AsyncSession, item_type: str, data: ItemFields) -> AnyItem:
    broken = range_errors(data)
    if broken:
        raise ValidationFailed(details=[(field, translate("field.range")) for field in broken])
    await _ensure_slug_free(session, item_type, data.slug, None)
    item: AnyItem = ITEM_MODELS[item_type]()
    item.images = []
    apply_fields(item, data)
    session.add(item)
    await _flush(session)
    return item


async def _admin_get(session: AsyncSession, item_type: str, ident: str) -> AnyItem:
    item = await service.get_item(session, item_type, ident, include_inactive=True)
    if item is None:
        raise NotFound()
    return item


async def update_item(session: AsyncSession, item_type: str, ident: str, patch: dict[str, Any]) -> AnyItem:
    """`patch`: the camelCase fields the admin sent. The merged item is validated as a whole."""
    item = await _admin_get(session, item_type, ident)
    schema = CREATE_SCHEMAS[item_type]
    data = validate(schema, {**current_fields(item, schema), **patch})
    await _ensure_slug_free(session, item_type, data.slug, item.id)
    apply_fields(item, data)
    await _flush(session)
    return item


async def deactivate_item(session: AsyncSession, item_type: str, ident: str) -> None:
    """Deactivated items vanish from the public catalog; bookings that point at them stay valid."""
    item = await _admin_get(session, item_type, ident)
    item.is_active = False
    await session.flush()


async def add_image(
    session: AsyncSession, storage: MediaStorage, item_type: str, ident: str, data: bytes
) -> AnyItem:
    item = await _admin_get(session, item_type, ident)
    extension = sniff_image(data[:16])
    if extension is None:
        raise UnsupportedMediaType()
    kept = [key for key in item.images if PLACEHOLDER_MARK not in key]  # a real photo replaces the card
    if len(kept) >= MAX_IMAGES:
        raise ValidationFailed(details=[("file", translate("field.too_long"))])
    key = upload_key(item_type, item.id, extension)
    await storage.put(key, data, {"jpg": "image/jpeg"}.get(extension, f"image/{extension}"))
    item.images = [*kept, key]
    await session.flush()
    return item


async def ensure_placeholder(storage: MediaStorage, item_type: str, item: AnyItem) -> None:
    """Give an item without photos a generated picture card (stored once, content-addressed)."""
    if any(PLACEHOLDER_MARK not in key for key in item.images):
        return
    subtitle = {"vehicle": "Transport", "property": "Stay", "tour": "Tour"}[item_type] + f" · {item.area}"
    svg = placeholder_svg(item_type, item.name_en, subtitle)
    key = placeholder_key(item_type, item.slug, svg)
    if not await storage.exists(key):
        await storage.put(key, svg, "image/svg+xml")
    if item.images != [key]:
        item.images = [key]
