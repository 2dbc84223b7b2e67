from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.auth.dependencies import AdminUser, CurrentUser, SettingsDep
from phuket.bookings import availability, service
from phuket.bookings.idempotency import IdempotencyDep
from phuket.bookings.models import Booking
from phuket.bookings.schemas import (
    AvailabilityDay,
    BookingCreate,
    BookingPublic,
    BookingStatus,
    CancelRequest,
    QuotePublic,
)
from phuket.core.db import ReadSessionDep, SessionDep, utcnow
from phuket.core.errors import NotFound, ValidationFailed, error_responses
from phuket.core.http import Pagination, envelope, set_pagination_headers
from phuket.core.i18n import translate
from phuket.core.ratelimit import rate_limit
from phuket.core.schemas import CurrencyCode, Envelope
from phuket.currency.service import approximator

router = APIRouter(tags=["bookings"])
admin_router = APIRouter(prefix="/v1/admin/bookings", tags=["admin"])

_WRITE = [Depends(rate_limit("user"))]


@router.post(
    "/v1/bookings",
    status_code=status.HTTP_201_CREATED,
    response_model=Envelope[BookingPublic],
    responses=error_responses(401, 404, 409, 422),
    dependencies=_WRITE,
    summary="Book a vehicle, a property or a tour (status `pending`)",
    description="Optional header `Idempotency-Key` (1–255 visible ASCII characters): the same key and body "
    "replay the first response for 24 h; another body is 422 `IDEMPOTENCY_KEY_REUSED`; a request still "
    "running with that key is 409 `CONFLICT`.",
)
async def create_booking(
    body: BookingCreate,
    idem: IdempotencyDep,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Any:
    if idem.replay is not None:
        return idem.replay
    booking = await service.create_booking(session, settings, user, body, now=utcnow())
    [public] = await _present(session, [booking], user.currency)
    data = public.model_dump(mode="json", by_alias=True)
    await idem.store(session, status.HTTP_201_CREATED, data)
    return envelope(data)


@router.post(
    "/v1/bookings/quote",
    response_model=Envelope[QuotePublic],
    responses=error_responses(401, 404, 422),
    dependencies=[Depends(rate_limit("user"))],
    summary="What a booking with this body would cost now (or the error it would get)",
)
async def quote_booking(
    body: BookingCreate, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> Any:
    return envelope(await service.quote(session, settings, body, now=utcnow()))


@router.get(
    "/v1/bookings",
    response_model=Envelope[list[BookingPublic]],
    responses=error_responses(401),
    dependencies=[Depends(rate_limit("user"))],
    summary="My bookings, newest trip first",
)
async def list_my_bookings(
    request: Request,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    page: Pagination,
    status_filter: Annotated[BookingStatus | None, Query(alias="status")] = None,
    currency: CurrencyQuery = None,
) -> Any:
    rows, total = await service.list_for_user(
        session, user.id, status=status_filter, offset=page.offset, limit=page.limit
    )
    set_pagination_headers(request, response, page, total)
    return envelope(await _present(session, rows, currency or user.currency))


CurrencyQuery = Annotated[
    CurrencyCode | None,
    Query(description="Show totals also in this currency (default: the profile's currency)."),
]


async def _present(
    session: AsyncSession, bookings: Sequence[Booking], currency: str | None
) -> list[BookingPublic]:
    items = await service.item_summaries(session, bookings)
    convert = await approximator(session, currency)
    now = utcnow()
    result = []
    for booking in bookings:
        public = service.to_public(booking, now=now, item=items.get(booking.item_id))
        if convert is not None:
            public.approx_total_price = convert(booking.total_price)
        result.append(public)
    return result


async def _public(session: AsyncSession, booking: Booking, currency: str | None) -> Any:
    [public] = await _present(session, [booking], currency)
    return envelope(public)


BookingId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get(
    "/v1/bookings/{booking_id}",
    response_model=Envelope[BookingPublic],
    responses=error_responses(401, 404),
    dependencies=[Depends(rate_limit("user"))],
    summary="One of my bookings (404 for anyone else's)",
)
async def get_booking(
    booking_id: BookingId,
    user: CurrentUser,
    session: SessionDep,
    currency: CurrencyQuery = None,
) -> Any:
    booking = await service.get_for_user(session, user, booking_id)
    return await _public(session, booking, currency or user.currency)


@router.post(
    "/v1/bookings/{booking_id}/cancel",
    response_model=Envelope[BookingPublic],
    responses=error_responses(401, 404, 422),
    dependencies=_WRITE,
    summary="Cancel my booking; the refund follows the item's cancellation policy",
)
async def cancel_booking(
    booking_id: BookingId,
    user: CurrentUser,
    session: SessionDep,
    body: CancelRequest | None = None,
) -> Any:
    booking = await service.get_for_user(session, user, booking_id)
    by = "admin" if user.is_admin and booking.user_id != user.id else "user"
    await service.cancel(session, booking, by=by, now=utcnow(), reason=body.reason if body else None)
    return await _public(session, booking, user.currency)


def _availability_route(kind: str, item_type: str) -> None:
    async def item_availability(
        item_id: Annotated[str, Path(min_length=1, max_length=120, description="Item id or slug")],
        session: ReadSessionDep,
        first: Annotated[date, Query(alias="from")],
        last: Annotated[date, Query(alias="to")],
    ) -> Any:
        if last < first:
            raise ValidationFailed(details=[("to", translate("field.range"))])
        if last - first > timedelta(days=366):
            raise ValidationFailed(details=[("to", translate("dates.range_too_long"))])
        item = await availability.load_item(session, item_type, item_id)
        if item is None:
            raise NotFound()
        return envelope(await availability.calendar(session, item_type, item, first, last, now=utcnow()))

    router.add_api_route(
        f"/v1/{kind}/{{item_id}}/availability",
        item_availability,
        methods=["GET"],
        response_model=Envelope[list[AvailabilityDay]],
        responses=error_responses(404),
        dependencies=[Depends(rate_limit("catalog_detail"))],
        tags=["catalog"],
        name=f"{item_type}_availability",
        summary=f"Per-day availability of a {item_type}"
        + (" with `seatsLeft`" if item_type == "tour" else ""),
    )


for _kind, _type in (("vehicles", "vehicle"), ("properties", "property"), ("tours", "tour")):
    _availability_route(_kind, _type)


@admin_router.get(
    "",
    response_model=Envelope[list[BookingPublic]],
    responses=error_responses(401, 403),
    summary="All bookings (admin)",
)
async def admin_list(
    request: Request,
    response: Response,
    admin: AdminUser,
    session: SessionDep,
    page: Pagination,
    status_filter: Annotated[BookingStatus | None, Query(alias="status")] = None,
) -> Any:
    rows, total = await service.list_for_user(
        session, None, status=status_filter, offset=page.offset, limit=page.limit
    )
    set_pagination_headers(request, response, page, total)
    return envelope(await _present(session, rows, None))


async def _admin_action(
    action: str, booking_id: str, admin: Any, session: AsyncSession, reason: str | None = None
) -> Any:
    booking = await service.get_for_user(session, admin, booking_id)
    now = utcnow()
    if action == "confirm":
        await service.confirm(session, booking, now=now)
    elif action == "complete":
        await service.complete(session, booking, now=now)
    else:
        await service.cancel(session, booking, by="admin", now=now, reason=reason)
    return await _public(session, booking, None)


@admin_router.post(
    "/{booking_id}/confirm",
    response_model=Envelope[BookingPublic],
    responses=error_responses(401, 403, 404, 422),
    summary="Confirm a pending booking (admin)",
)
async def admin_confirm(booking_id: BookingId, admin: AdminUser, session: SessionDep) -> Any:
    return await _admin_action("confirm", booking_id, admin, session)


@admin_router.post(
    "/{booking_id}/complete",
    response_model=Envelope[BookingPublic],
    responses=error_responses(401, 403, 404, 422),
    summary="Mark a confirmed booking completed (admin)",
)
async def admin_complete(booking_id: BookingId, admin: AdminUser, session: SessionDep) -> Any:
    return await _admin_action("complete", booking_id, admin, session)


@admin_router.post(
    "/{booking_id}/cancel",
    response_model=Envelope[BookingPublic],
    responses=error_responses(401, 403, 404, 422),
    summary="Cancel a booking on the company's side: full refund of what was paid (admin)",
)
async def admin_cancel(
    booking_id: BookingId,
    admin: AdminUser,
    session: SessionDep,
    body: CancelRequest | None = None,
) -> Any:
    return await _admin_action("cancel", booking_id, admin, session, body.reason if body else None)
