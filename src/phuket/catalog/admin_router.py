"""Admin catalog endpoints (role admin): create, update, deactivate, upload images.

Each write commits here, then bumps the catalog cache version, so the next public read (from any
process sharing the cache) sees the change; a reader can never re-cache the old row under the new
version because the bump happens after the commit."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile, status
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.auth.dependencies import AdminUser, SettingsDep
from phuket.catalog import admin
from phuket.catalog.admin_schemas import (
    ADMIN_VIEWS,
    ItemFields,
    ItemImages,
    PropertyAdmin,
    PropertyCreate,
    PropertyUpdate,
    TourAdmin,
    TourCreate,
    TourUpdate,
    VehicleAdmin,
    VehicleCreate,
    VehicleUpdate,
)
from phuket.catalog.cache import catalog_cache
from phuket.catalog.models import AnyItem
from phuket.catalog.router import get_media_storage
from phuket.catalog.schemas import media_url
from phuket.catalog.storage import MediaStorage
from phuket.core.db import SessionDep
from phuket.core.errors import PayloadTooLarge, error_responses
from phuket.core.http import envelope
from phuket.core.schemas import Envelope

router = APIRouter(prefix="/v1/admin", tags=["admin: catalog"])

Kind = Literal["vehicles", "properties", "tours"]
KINDS: dict[str, str] = {"vehicles": "vehicle", "properties": "property", "tours": "tour"}
_WRITE_DOC = error_responses(401, 403, 409)
_ITEM_DOC = error_responses(401, 403, 404, 409)


def admin_view(item_type: str, item: AnyItem) -> ItemFields:
    schema = ADMIN_VIEWS[item_type]
    fields = admin.current_fields(item, schema)
    fields.update(
        images=[media_url(k) for k in item.images],
        createdAt=item.created_at,
        updatedAt=item.updated_at,
        id=item.id,
    )
    return schema.model_validate(fields)


async def _commit_and_invalidate(request: Request, session: AsyncSession) -> None:
    await session.commit()
    await catalog_cache(request.app).bump()


async def _create(request: Request, session: AsyncSession, item_type: str, body: ItemFields) -> Any:
    item = await admin.create_item(session, item_type, body)
    await admin.ensure_placeholder(await get_media_storage(request), item_type, item)  # until a photo arrives
    await session.flush()
    await _commit_and_invalidate(request, session)
    return envelope(admin_view(item_type, item))


async def _update(
    request: Request, session: AsyncSession, item_type: str, item_id: str, body: ItemFields
) -> Any:
    patch = body.model_dump(exclude_unset=True, by_alias=True)
    item = await admin.update_item(session, item_type, item_id, patch)
    await _commit_and_invalidate(request, session)
    return envelope(admin_view(item_type, item))


@router.post(
    "/vehicles",
    status_code=201,
    response_model=Envelope[VehicleAdmin],
    responses=_WRITE_DOC,
    summary="Add a vehicle",
)
async def create_vehicle(
    request: Request, body: VehicleCreate, _admin: AdminUser, session: SessionDep
) -> Any:
    return await _create(request, session, "vehicle", body)


@router.patch(
    "/vehicles/{item_id}",
    response_model=Envelope[VehicleAdmin],
    responses=_ITEM_DOC,
    summary="Change a vehicle (any subset of the fields)",
)
async def update_vehicle(
    request: Request, item_id: str, body: VehicleUpdate, _admin: AdminUser, session: SessionDep
) -> Any:
    return await _update(request, session, "vehicle", item_id, body)


@router.post(
    "/properties",
    status_code=201,
    response_model=Envelope[PropertyAdmin],
    responses=_WRITE_DOC,
    summary="Add a property",
)
async def create_property(
    request: Request, body: PropertyCreate, _admin: AdminUser, session: SessionDep
) -> Any:
    return await _create(request, session, "property", body)


@router.patch(
    "/properties/{item_id}",
    response_model=Envelope[PropertyAdmin],
    responses=_ITEM_DOC,
    summary="Change a property (any subset of the fields)",
)
async def update_property(
    request: Request, item_id: str, body: PropertyUpdate, _admin: AdminUser, session: SessionDep
) -> Any:
    return await _update(request, session, "property", item_id, body)


@router.post(
    "/tours",
    status_code=201,
    response_model=Envelope[TourAdmin],
    responses=_WRITE_DOC,
    summary="Add a tour",
)
async def create_tour(request: Request, body: TourCreate, _admin: AdminUser, session: SessionDep) -> Any:
    return await _create(request, session, "tour", body)


@router.patch(
    "/tours/{item_id}",
    response_model=Envelope[TourAdmin],
    responses=_ITEM_DOC,
    summary="Change a tour (any subset of the fields)",
)
async def update_tour(
    request: Request, item_id: str, body: TourUpdate, _admin: AdminUser, session: SessionDep
) -> Any:
    return await _update(request, session, "tour", item_id, body)


@router.delete(
    "/{kind}/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 403, 404),
    summary="Deactivate an item (hidden from the catalog; existing bookings stay valid)",
)
async def deactivate(
    request: Request, kind: Kind, item_id: str, _admin: AdminUser, session: SessionDep
) -> Response:
    await admin.deactivate_item(session, KINDS[kind], item_id)
    await _commit_and_invalidate(request, session)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{kind}/{item_id}/images",
    status_code=201,
    response_model=Envelope[ItemImages],
    responses=error_responses(401, 403, 404, 413, 415),
    summary="Upload a photo (multipart field `file`; JPEG, PNG or WebP, checked by content)",
)
async def upload_image(
    request: Request,
    kind: Kind,
    item_id: str,
    file: Annotated[UploadFile, File(description="JPEG, PNG or WebP")],
    _admin: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
    storage: Annotated[MediaStorage, Depends(get_media_storage)],
) -> Any:
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise PayloadTooLarge()
    item = await admin.add_image(session, storage, KINDS[kind], item_id, data)
    await _commit_and_invalidate(request, session)
    return envelope(ItemImages(item_id=item.id, images=[media_url(k) for k in item.images]))
