"""Catalog fixtures: items are created through the catalog's own service (validated, searchable)."""

from __future__ import annotations

import itertools
import secrets
import struct
import zlib
from typing import Any

import httpx
import pytest

from phuket.catalog import admin
from phuket.catalog.admin_schemas import CREATE_SCHEMAS
from phuket.catalog.models import AnyItem
from phuket.users import service as users
from tests.conftest import Account

_n = itertools.count(1)


def vehicle_body(**overrides: Any) -> dict[str, Any]:
    n = next(_n)
    body: dict[str, Any] = {
        "slug": f"test-scooter-{n}",
        "type": "scooter",
        "brand": "Honda",
        "model": "Click 125",
        "name": {"en": f"Honda Click {n}", "ru": f"Хонда Клик {n}"},
        "description": {"en": "Automatic scooter.", "ru": "Скутер-автомат."},
        "area": "Kata",
        "lat": 7.82,
        "lng": 98.30,
        "priceThb": "300.00",
        "lowSeasonPriceThb": "250.00",
        "depositThb": "3000.00",
        "helmetIncluded": True,
    }
    body.update(overrides)
    return body


def property_body(**overrides: Any) -> dict[str, Any]:
    n = next(_n)
    body: dict[str, Any] = {
        "slug": f"test-villa-{n}",
        "type": "villa",
        "name": {"en": f"Garden villa {n}", "ru": f"Вилла с садом {n}"},
        "description": {"en": "Quiet villa.", "ru": "Тихая вилла."},
        "address": {"en": "Soi 1, Rawai", "ru": "Сой 1, Равай"},
        "area": "Rawai",
        "lat": 7.78,
        "lng": 98.32,
        "bedrooms": 2,
        "bathrooms": 2,
        "maxGuests": 4,
        "amenities": ["wifi", "pool"],
        "priceThb": "4000.00",
        "lowSeasonPriceThb": "3000.00",
        "cleaningFeeThb": "500.00",
    }
    body.update(overrides)
    return body


def tour_body(**overrides: Any) -> dict[str, Any]:
    n = next(_n)
    body: dict[str, Any] = {
        "slug": f"test-tour-{n}",
        "category": "sightseeing",
        "name": {"en": f"Old Town walk {n}", "ru": f"Прогулка по Старому городу {n}"},
        "description": {"en": "Walking tour.", "ru": "Пешеходная экскурсия."},
        "highlights": {"en": ["Shophouses"], "ru": ["Шопхаусы"]},
        "meetingPoint": {"en": "Thalang Road", "ru": "Таланг-роуд"},
        "area": "Phuket Town",
        "lat": 7.884,
        "lng": 98.389,
        "durationHours": "3.5",
        "languages": ["en", "ru"],
        "seatsPerDay": 12,
        "priceThb": "1200.00",
        "lowSeasonPriceThb": "1000.00",
        "childPriceThb": "800.00",
    }
    body.update(overrides)
    return body


BODIES = {"vehicle": vehicle_body, "property": property_body, "tour": tour_body}


async def add_item(app: Any, item_type: str, **overrides: Any) -> AnyItem:
    """One active item, built by the same code the admin endpoints use."""
    data = CREATE_SCHEMAS[item_type].model_validate(BODIES[item_type](**overrides))
    async with app.state.db.sessionmaker() as session, session.begin():
        item = await admin.create_item(session, item_type, data)
    return item


async def login_as_admin(app: Any, client: httpx.AsyncClient) -> Account:
    email = f"admin-{secrets.token_hex(4)}@example.com"
    password = "Admin-pass-42"
    async with app.state.db.sessionmaker() as session, session.begin():
        await users.create_user(
            session, app.state.settings, email=email, password=password, full_name="Admin", role="admin"
        )
    response = await client.post(
        "/v1/auth/login",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": f"198.18.{secrets.randbelow(255)}.{secrets.randbelow(255)}"},
    )
    assert response.status_code == 200, response.text
    return Account(email, password, response.json()["data"])


@pytest.fixture
async def admin_account(app: Any, client: httpx.AsyncClient) -> Account:
    return await login_as_admin(app, client)


def ip() -> dict[str, str]:
    """A fresh client address: keeps tests that send many requests clear of the per-IP rate limits."""
    return {"X-Forwarded-For": f"192.0.2.{secrets.randbelow(250) + 1}"}


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )
