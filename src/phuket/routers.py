"""Every feature's router, in the order they appear in the API document."""

from __future__ import annotations

from fastapi import APIRouter

from phuket.assistant.router import router as assistant_router
from phuket.auth.router import router as auth_router
from phuket.bookings.router import admin_router as bookings_admin_router
from phuket.bookings.router import router as bookings_router
from phuket.catalog.admin_router import router as catalog_admin_router
from phuket.catalog.router import media_router
from phuket.catalog.router import router as catalog_router
from phuket.currency.router import router as currency_router
from phuket.health.router import router as health_router
from phuket.notifications.router import router as devices_router
from phuket.ops.router import router as ops_router
from phuket.payments.router import admin_router as payments_admin_router
from phuket.payments.router import router as payments_router
from phuket.users.router import router as users_router
from phuket.weather.router import router as weather_router

ROUTERS: list[APIRouter] = [
    health_router,
    ops_router,
    auth_router,
    users_router,
    catalog_router,
    catalog_admin_router,
    media_router,
    bookings_router,
    bookings_admin_router,
    payments_router,
    payments_admin_router,
    devices_router,
    currency_router,
    weather_router,
    assistant_router,
]
