"""Public catalog: lists with filters, sorting and search; detail; /v1/search; /media/{key}.

Every GET answers from the response cache when it can (catalog/cache.py) and sends an ETag."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import FileResponse

from phuket.catalog import service
from phuket.catalog.admin_schemas import VehicleType
from phuket.catalog.cache import Payload, cached_response
from phuket.catalog.schemas import (
    AnyItemPublic,
    PropertyPublic,
    SearchHit,
    SeaRisk,
    TourPublic,
    VehiclePublic,
    present,
)
from phuket.catalog.service import ListFilters
from phuket.catalog.storage import LocalStorage, MediaStorage, content_type_of, make_storage, safe_key
from phuket.core.db import ReadSessionDep
from phuket.core.errors import NotFound, ValidationFailed, error_responses
from phuket.core.http import Pagination
from phuket.core.i18n import current_language, translate
from phuket.core.ratelimit import rate_limit
from phuket.core.schemas import CurrencyCode, Envelope
from phuket.currency.service import approximator
from phuket.weather.service import phuket_today, sea_risk_for

router = APIRouter(prefix="/v1", tags=["catalog"])
media_router = APIRouter(tags=["media"])

SortParam = Literal["price", "-price", "rating", "name", "distance"]
TourCategoryParam = Literal[
    "islands", "sightseeing", "adventure", "culture", "food", "diving", "nature", "show", "wellness"
]
MAX_RANGE_DAYS = 366
ItemId = Annotated[str, Path(min_length=1, max_length=120, description="The item's id, or its slug")]
LIST_LIMIT = [Depends(rate_limit("catalog_list"))]
DETAIL_LIMIT = [Depends(rate_limit("catalog_detail"))]


async def common_filters(
    q: Annotated[str | None, Query(max_length=100, description="Text search, Russian or English")] = None,
    min_price: Annotated[Decimal | None, Query(ge=0, le=10_000_000, description="THB per unit")] = None,
    max_price: Annotated[Decimal | None, Query(ge=0, le=10_000_000, description="THB per unit")] = None,
    sort: Annotated[
        SortParam | None,
        Query(description="`rating` is best first; `distance` needs `lat` and `lng`; default: relevance "
              "when `q` is given, else rating"),
    ] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lng: Annotated[float | None, Query(ge=-180, le=180)] = None,
) -> ListFilters:  # fmt: skip
    errors: list[tuple[str, str]] = []
    if min_price is not None and max_price is not None and min_price > max_price:
        errors.append(("max_price", translate("field.range")))
    if (lat is None) != (lng is None):
        errors.append(("lng" if lng is None else "lat", translate("field.pair_required")))
    elif sort == "distance" and lat is None:
        errors.append(("sort", translate("field.needs_location")))
    if errors:
        raise ValidationFailed(details=errors)
    return ListFilters(
        q=q.strip() or None if q else None,
        min_price=min_price,
        max_price=max_price,
        sort=sort,
        lat=lat,
        lng=lng,
    )


async def availability_filters(
    filters: Annotated[ListFilters, Depends(common_filters)],
    available_from: Annotated[date | None, Query(description="YYYY-MM-DD, with `available_to`")] = None,
    available_to: Annotated[
        date | None, Query(description="YYYY-MM-DD, after `available_from`: the day it is handed back")
    ] = None,
) -> ListFilters:
    if (available_from is None) != (available_to is None):
        field = "available_to" if available_to is None else "available_from"
        raise ValidationFailed(details=[(field, translate("field.pair_required"))])
    if available_from is not None and available_to is not None:
        if available_to <= available_from:
            raise ValidationFailed(details=[("available_to", translate("field.range"))])
        if (available_to - available_from).days > MAX_RANGE_DAYS:
            raise ValidationFailed(details=[("available_to", translate("field.range_too_long"))])
    filters.available_from, filters.available_to = available_from, available_to
    return filters


async def vehicle_filters(
    filters: Annotated[ListFilters, Depends(availability_filters)],
    type: Annotated[VehicleType | None, Query(description="scooter, motorbike, car, bicycle or boat")] = None,
) -> ListFilters:
    filters.type = type
    return filters


async def property_filters(
    filters: Annotated[ListFilters, Depends(availability_filters)],
    area: Annotated[str | None, Query(max_length=60, description="e.g. Patong, Kata, Rawai")] = None,
    guests: Annotated[int | None, Query(ge=1, le=100, description="at least this many guests fit")] = None,
    bedrooms: Annotated[int | None, Query(ge=0, le=50, description="at least this many bedrooms")] = None,
) -> ListFilters:
    filters.area = area.strip() or None if area else None
    filters.guests, filters.bedrooms = guests, bedrooms
    return filters


async def tour_filters(
    filters: Annotated[ListFilters, Depends(common_filters)],
    category: Annotated[TourCategoryParam | None, Query()] = None,
    date: Annotated[date | None, Query(description="runs that day and has seats left")] = None,
) -> ListFilters:
    filters.category, filters.date = category, date
    return filters


def _dump(models: list[VehiclePublic | PropertyPublic | TourPublic] | list[SearchHit]) -> bytes:
    return b"[" + b",".join(m.model_dump_json(by_alias=True).encode() for m in models) + b"]"


CurrencyQuery = Annotated[
    CurrencyCode | None,
    Query(description="Also show each price converted to this currency (`approxPrice`); THB is charged."),
]


async def _enrich(request: Request, items: list[AnyItemPublic], currency: str | None) -> list[AnyItemPublic]:
    """What the stored item does not know: the price in the tourist's currency, today's sea risk for boats."""
    convert = await approximator(request.app, currency)
    risk: SeaRisk | None = None
    if any(isinstance(i, TourPublic) and i.by_boat for i in items):
        risk = SeaRisk.model_validate(await sea_risk_for(request.app, phuket_today()))
    for item in items:
        if convert is not None:
            item.approx_price = convert(item.price.amount)
        if risk is not None and isinstance(item, TourPublic) and item.by_boat:
            item.sea_risk = risk
    return items


async def _list(
    request: Request,
    session: ReadSessionDep,
    item_type: str,
    filters: ListFilters,
    page: Pagination,
    currency: str | None,
) -> Response:
    language = current_language.get()

    async def load() -> Payload:
        rows, total = await service.list_items(
            session, item_type, filters, language=language, offset=page.offset, limit=page.limit
        )
        items = await _enrich(request, [present(item, language, dist) for item, dist in rows], currency)
        return Payload(_dump(items), total)

    return await cached_response(request, load, params=page, cacheable=not filters.depends_on_bookings)


async def _detail(
    request: Request, session: ReadSessionDep, item_type: str, ident: str, currency: str | None
) -> Response:
    language = current_language.get()

    async def load() -> Payload:
        item = await service.get_item(session, item_type, ident)
        if item is None:
            raise NotFound()
        [public] = await _enrich(request, [present(item, language)], currency)
        return Payload(public.model_dump_json(by_alias=True).encode())

    return await cached_response(request, load)


_LIST_DOC = error_responses()
_DETAIL_DOC = error_responses(404)


@router.get(
    "/vehicles",
    response_model=Envelope[list[VehiclePublic]],
    responses=_LIST_DOC,
    dependencies=LIST_LIMIT,
    summary="Transport for rent (price per day)",
)
async def list_vehicles(
    request: Request,
    session: ReadSessionDep,
    page: Pagination,
    filters: Annotated[ListFilters, Depends(vehicle_filters)],
    currency: CurrencyQuery = None,
) -> Response:
    return await _list(request, session, "vehicle", filters, page, currency)


@router.get(
    "/vehicles/{item_id}",
    response_model=Envelope[VehiclePublic],
    responses=_DETAIL_DOC,
    dependencies=DETAIL_LIMIT,
    summary="One vehicle",
)
async def get_vehicle(
    request: Request, session: ReadSessionDep, item_id: ItemId, currency: CurrencyQuery = None
) -> Response:
    return await _detail(request, session, "vehicle", item_id, currency)


@router.get(
    "/properties",
    response_model=Envelope[list[PropertyPublic]],
    responses=_LIST_DOC,
    dependencies=LIST_LIMIT,
    summary="Places to stay (price per night)",
)
async def list_properties(
    request: Request,
    session: ReadSessionDep,
    page: Pagination,
    filters: Annotated[ListFilters, Depends(property_filters)],
    currency: CurrencyQuery = None,
) -> Response:
    return await _list(request, session, "property", filters, page, currency)


@router.get(
    "/properties/{item_id}",
    response_model=Envelope[PropertyPublic],
    responses=_DETAIL_DOC,
    dependencies=DETAIL_LIMIT,
    summary="One property",
)
async def get_property(
    request: Request, session: ReadSessionDep, item_id: ItemId, currency: CurrencyQuery = None
) -> Response:
    return await _detail(request, session, "property", item_id, currency)


@router.get(
    "/tours",
    response_model=Envelope[list[TourPublic]],
    responses=_LIST_DOC,
    dependencies=LIST_LIMIT,
    summary="Tours and excursions (price per person)",
)
async def list_tours(
    request: Request,
    session: ReadSessionDep,
    page: Pagination,
    filters: Annotated[ListFilters, Depends(tour_filters)],
    currency: CurrencyQuery = None,
) -> Response:
    return await _list(request, session, "tour", filters, page, currency)


@router.get(
    "/tours/{item_id}",
    response_model=Envelope[TourPublic],
    responses=_DETAIL_DOC,
    dependencies=DETAIL_LIMIT,
    summary="One tour",
)
async def get_tour(
    request: Request, session: ReadSessionDep, item_id: ItemId, currency: CurrencyQuery = None
) -> Response:
    return await _detail(request, session, "tour", item_id, currency)


@router.get(
    "/search",
    response_model=Envelope[list[SearchHit]],
    responses=error_responses(),
    dependencies=[Depends(rate_limit("search"))],
    summary="Search vehicles, properties and tours at once (Russian or English)",
)
async def search(
    request: Request,
    session: ReadSessionDep,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Response:
    if not q.strip():
        raise ValidationFailed(details=[("q", translate("field.required"))])
    language = current_language.get()

    async def load() -> Payload:
        found = await service.search_items(session, q, language=language, limit=limit)
        return Payload(_dump([SearchHit.of(item, language) for _type, item in found]))

    return await cached_response(request, load)


async def get_media_storage(request: Request) -> MediaStorage:
    storage: MediaStorage | None = getattr(request.app.state, "media_storage", None)
    if storage is None:
        storage = make_storage(request.app.state.settings)
        request.app.state.media_storage = storage
    return storage


MEDIA_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    # Pictures only: even an SVG opened on its own can run nothing.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
}


@media_router.get(
    "/media/{key:path}",
    responses={200: {"content": {"image/*": {}}, "description": "The image"}, **error_responses(404)},
    response_class=Response,
    summary="Catalog images (stored keys are immutable: cached for a year)",
)
async def get_media(key: str, storage: Annotated[MediaStorage, Depends(get_media_storage)]) -> Response:
    if safe_key(key) is None:
        raise NotFound()
    if isinstance(storage, LocalStorage):
        path = storage.path_of(key)
        if path is None:
            raise NotFound()
        return FileResponse(path, media_type=content_type_of(key), headers=MEDIA_HEADERS)
    data = await storage.get(key)
    if data is None:
        raise NotFound()
    return Response(content=data, media_type=content_type_of(key), headers=MEDIA_HEADERS)
