"""Reading the catalog: filters, sorting, pagination, text search. Writes live in catalog/admin.py."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.catalog.models import ITEM_MODELS, AnyItem, Property, Tour, Vehicle
from phuket.catalog.search import match_subquery
from phuket.catalog.text import build_search_text, query_tokens

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
Sort = str  # price | -price | rating | name | distance (validated by the router)


@dataclass
class ListFilters:
    q: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    sort: Sort | None = None
    lat: float | None = None
    lng: float | None = None
    available_from: date | None = None
    available_to: date | None = None
    # vehicles
    type: str | None = None
    # properties
    area: str | None = None
    guests: int | None = None
    bedrooms: int | None = None
    # tours
    category: str | None = None
    date: date | None = None

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.lng is not None

    @property
    def depends_on_bookings(self) -> bool:
        return self.available_from is not None or self.date is not None


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


async def _unavailable(session: AsyncSession, item_type: str, start: date, end: date) -> set[str]:
    from phuket.bookings.service import unavailable_item_ids  # bookings imports the catalog's models

    return set(await unavailable_item_ids(session, item_type, start, end))


async def list_items(
    session: AsyncSession,
    item_type: str,
    filters: ListFilters,
    *,
    language: str,
    offset: int,
    limit: int,
) -> tuple[list[tuple[AnyItem, float | None]], int]:
    """One page of active items of a kind, and the total that match: (item, distance_km or None)."""
    model: Any = ITEM_MODELS[item_type]
    stmt = select(model).where(model.is_active.is_(True))
    score = None
    if filters.q:
        match = match_subquery(session, model, filters.q)
        if match is not None:
            stmt = stmt.join(match, match.c.item_id == model.id)
            score = match.c.score
    if filters.min_price is not None:
        stmt = stmt.where(model.price_thb >= filters.min_price)
    if filters.max_price is not None:
        stmt = stmt.where(model.price_thb <= filters.max_price)
    if model is Vehicle and filters.type:
        stmt = stmt.where(Vehicle.type == filters.type)
    if model is Property:
        if filters.area:
            stmt = stmt.where(func.lower(Property.area) == filters.area.strip().lower())
        if filters.guests is not None:
            stmt = stmt.where(Property.max_guests >= filters.guests)
        if filters.bedrooms is not None:
            stmt = stmt.where(Property.bedrooms >= filters.bedrooms)
    if model is Tour:
        if filters.category:
            stmt = stmt.where(Tour.category == filters.category)
        if filters.date is not None:
            # Tours that do not run that weekday, or whose seats for that day are sold out.
            closed = await _unavailable(session, "tour", filters.date, filters.date + timedelta(days=1))
            if closed:
                stmt = stmt.where(Tour.id.not_in(closed))
    if filters.available_from is not None and filters.available_to is not None:
        taken = await _unavailable(session, item_type, filters.available_from, filters.available_to)
        if taken:
            stmt = stmt.where(model.id.not_in(taken))

    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    stmt = stmt.order_by(*_ordering(model, filters, language, score)).offset(offset).limit(limit)
    items = list((await session.execute(stmt)).scalars().all())
    rows: list[tuple[AnyItem, float | None]] = []
    for item in items:
        dist = None
        if filters.has_location:
            assert filters.lat is not None and filters.lng is not None
            dist = distance_km(filters.lat, filters.lng, item.lat, item.lng)
        rows.append((item, dist))
    return rows, int(total)


def _ordering(model: Any, filters: ListFilters, language: str, score: Any) -> list[Any]:
    """ORDER BY for a sort; every ordering ends with the id, so pages never overlap or skip."""
    name = model.name_ru if language == "ru" else model.name_en
    sort = filters.sort
    if sort == "price":
        keys = [model.price_thb.asc()]
    elif sort == "-price":
        keys = [model.price_thb.desc()]
    elif sort == "rating":
        keys = [model.rating.desc(), model.reviews_count.desc()]
    elif sort == "name":
        keys = [func.lower(name).asc()]
    elif sort == "distance" and filters.lat is not None and filters.lng is not None:
        # Equirectangular distance is monotonic with the true distance at Phuket's scale.
        k = math.cos(math.radians(filters.lat))
        dlat = model.lat - filters.lat
        dlng = (model.lng - filters.lng) * k
        keys = [(dlat * dlat + dlng * dlng).asc()]
    elif score is not None:
        keys = [score.desc()]
    else:
        keys = [model.rating.desc(), model.reviews_count.desc()]
    return [*keys, model.id.asc()]


async def get_item(
    session: AsyncSession, item_type: str, ident: str, *, include_inactive: bool = False
) -> AnyItem | None:
    """By id (a UUID) or by slug; inactive items only for admins."""
    model: Any = ITEM_MODELS[item_type]
    column = model.id if _UUID.match(ident) else model.slug
    stmt = select(model).where(column == (ident.lower() if column is model.id else ident))
    if not include_inactive:
        stmt = stmt.where(model.is_active.is_(True))
    item: AnyItem | None = (await session.execute(stmt)).scalar_one_or_none()
    return item


def _name_strength(item: AnyItem, tokens: list[str]) -> float:
    """Share of the query's words that start a word of the item's names, kind or area: a match there
    beats a mention deep in a description (and makes scores comparable across the three tables)."""
    kind = str(getattr(item, "type", "") or getattr(item, "category", ""))
    words = build_search_text([item.name_en, item.name_ru], [kind, item.area]).split()
    hits = sum(1 for t in tokens if any(w.startswith(t) for w in words))
    glued = "".join(tokens)
    return 1.0 if len(tokens) > 1 and any(w.startswith(glued) for w in words) else hits / len(tokens)


async def search_items(
    session: AsyncSession, q: str, *, language: str, limit: int = 10
) -> list[tuple[str, AnyItem]]:
    """The best matches for `q` across vehicles, properties and tours: (item_type, item), best first.

    Used by GET /v1/search and by the AI assistant. Matching is the database's own text search; the
    few candidates it returns are ordered by where the words matched (name first), then by its rank."""
    tokens = query_tokens(q)
    if not tokens:
        return []
    scored: list[tuple[float, float, str, str, AnyItem]] = []
    for item_type, model_cls in ITEM_MODELS.items():
        model: Any = model_cls
        match = match_subquery(session, model, q)
        if match is None:
            return []
        stmt = (
            select(model, match.c.score)
            .join(match, match.c.item_id == model.id)
            .where(model.is_active.is_(True))
            .order_by(match.c.score.desc(), model.rating.desc(), model.id)
            .limit(limit)
        )
        rows = (await session.execute(stmt)).all()
        best = max((float(score or 0.0) for _item, score in rows), default=0.0) or 1.0
        for item, score in rows:
            relative = float(score or 0.0) / best
            scored.append((_name_strength(item, tokens), relative, item.name(language), item_type, item))
    scored.sort(key=lambda row: (-row[0], -row[1], row[2]))
    return [(item_type, item) for _s, _r, _name, item_type, item in scored[:limit]]
